// freddy-mock control page: a client of the admin API under /__mock/ and nothing else.
// No build step and no inline script (the page's CSP allows only this file).
"use strict";

const TOKEN_KEY = "freddy-mock-admin-token";
const POLL_MS = 1000;
const JOURNAL_ROWS = 100;
const $ = (id) => document.getElementById(id);

let scenarios = [];
let settings = { delay_ms: 0, errors: [], error_statuses: [] };
let lastJournal = "";
let polling = false;
let proxy = null;  // GET /__mock/proxy when the mock forwards to a real server (--proxy)

function setStatus(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = "status " + (kind || "");
}

function org() {
  return $("org").value.trim() || null;
}

function session() {  // the session the page acts on (X-Mock-Session), or null: none
  return $("session").value.trim() || null;
}

class AdminError extends Error {}

async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  const init = { method: method, headers: headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const chosen = session();  // every admin call takes ?session=
  if (chosen) path += (path.includes("?") ? "&" : "?") + "session=" + encodeURIComponent(chosen);
  const response = await fetch("/__mock/" + path, init);
  const doc = await response.json().catch(() => ({}));
  if (response.status === 401) {
    $("token-box").hidden = false;
    throw new AdminError("The admin API needs its token: enter it above.");
  }
  if (!response.ok) {
    const err = doc.error || {};
    throw new AdminError(err.system_message || err.message || err.code || "HTTP " + response.status);
  }
  return doc;
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children || []) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// -- scenarios ----------------------------------------------------------------------
function renderScenarios() {
  const scope = org();
  const rows = scenarios.map((s) => {
    const on = scope === null ? s.active : s.active_orgs.includes(scope);
    const input = el("input", {
      type: "checkbox", className: "switch", checked: on, id: "switch-" + s.name,
      title: (on ? "Switch off " : "Switch on ") + s.name + (scope ? " for " + scope : " for everyone"),
    });
    input.setAttribute("role", "switch");
    input.dataset.scenario = s.name;
    input.addEventListener("change", () => toggleScenario(s.name, input.checked));
    const where = [];
    if (s.active) where.push("everyone");
    where.push(...s.active_orgs);
    const row = el("tr", {}, [el("td", {}, [input]), el("td", {}, [el("code", {}, [s.name])]),
      el("td", {}, [s.description]), el("td", {}, [where.join(", ") || "—"])]);
    row.dataset.scenario = s.name;
    return row;
  });
  $("scenarios").tBodies[0].replaceChildren(...rows);
}

async function toggleScenario(name, on) {
  const scope = org();
  try {
    await api("POST", "scenarios/" + encodeURIComponent(name) + (on ? "/activate" : "/deactivate"),
      { org: scope });
    setStatus((on ? "Switched on " : "Switched off ") + name +
      (scope ? " for " + scope : " for everyone") + ".", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  await loadControls();
}

// -- documented errors and latency --------------------------------------------------
function currentError(scope) {
  const found = settings.errors.find((e) => e.org === scope);
  return found ? found.status : null;
}

function renderErrors() {
  const scope = org();
  const current = currentError(scope);
  const choices = [null, ...settings.error_statuses];
  const buttons = choices.map((status) => {
    const button = el("button", {
      type: "button", id: "error-" + (status === null ? "none" : status),
    }, [status === null ? "none" : String(status)]);
    button.setAttribute("aria-pressed", String(current === status));
    button.addEventListener("click", () => setError(status));
    return button;
  });
  $("errors").replaceChildren(...buttons);
  $("errors-active").textContent = settings.errors.length
    ? "Forced now: " + settings.errors.map((e) => e.status + " for " + (e.org || "everyone")).join(", ")
    : "No error forced.";
}

async function setError(status) {
  const scope = org();
  try {
    settings = await api("POST", "settings", { error: status, org: scope });
    setStatus(status === null ? "Errors off" + (scope ? " for " + scope : "") + "."
      : "Every next call" + (scope ? " of " + scope : "") + " answers " + status + ".", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  renderErrors();
}

function renderLatency() {
  const slider = $("latency");
  if (document.activeElement !== slider) slider.value = String(settings.delay_ms);
  $("latency-value").textContent = slider.value + " ms";
}

async function setLatency() {
  try {
    settings = await api("POST", "settings", { delay_ms: Number($("latency").value) });
    setStatus("Latency " + settings.delay_ms + " ms for every answer.", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  renderLatency();
}

// -- journal ------------------------------------------------------------------------
function applied(a) {
  return Object.entries(a || {}).map(([k, v]) => k + "=" + v).join(" ");
}

function contractCell(e) {
  const found = e.violations || [];
  return el("td", { className: "contract" }, found.map((v) =>
    el("div", { className: v.side }, [el("code", {}, [v.check]), ": " + v.message])));
}

function markViolations(row, e) {
  const found = e.violations || [];
  if (!found.length) return;
  row.classList.add("violation");
  if (found.every((v) => v.side === "request")) row.classList.add("request-only");
  row.dataset.violations = found.map((v) => v.check).join(",");
}

function renderProxy() {
  if ($("proxy-box").hidden && proxy !== null) lastJournal = "";  // redraw with the contract column
  $("proxy-box").hidden = proxy === null;
  for (const node of document.querySelectorAll(".proxy-only")) node.hidden = proxy === null;
  if (proxy === null) return;
  $("proxy-upstream").textContent = proxy.upstream + (proxy.strict ? " (strict: violating answers become 502)" : "");
  const counts = Object.entries(proxy.violations).map(([k, n]) => k + " ×" + n).join(", ");
  $("proxy-stats").textContent = proxy.forwarded + " forwarded, " + proxy.local + " answered by the mock, " +
    proxy.failed + " without a usable answer, " + proxy.violating + " with violations" +
    (counts ? ": " + counts : "") + (proxy.record ? "; " + proxy.record.recorded + " recorded" : "") + ".";
}

function renderJournal(entries) {
  const key = (session() || "") + "/" +
    (entries.length ? entries[entries.length - 1].seq + ":" + entries.length : "0");
  if (key === lastJournal) return;
  lastJournal = key;
  const orgs = new Set();
  const rows = entries.slice(-JOURNAL_ROWS).reverse().map((e) => {
    if (e.org) orgs.add(e.org);
    const row = el("tr", {}, [
      el("td", {}, [e.seq]),
      el("td", {}, [e.at.slice(11, 23)]),
      el("td", {}, [e.method + " " + e.path + (e.query ? "?" + e.query : "")]),
      el("td", {}, [e.org || ""]),
      el("td", { className: "key" }, [e.key || ""]),
      el("td", { className: "s" + String(e.status || "-").charAt(0) }, [e.status === null ? "dropped" : e.status]),
      el("td", {}, [applied(e.applied)]),
    ]);
    if (proxy !== null) row.append(contractCell(e));
    markViolations(row, e);
    row.dataset.seq = String(e.seq);
    return row;
  });
  $("journal").tBodies[0].replaceChildren(...rows);
  for (const e of entries) if (e.org) orgs.add(e.org);
  $("orgs").replaceChildren(...[...orgs].sort().map((o) => el("option", { value: o })));
}

async function pollJournal() {
  if (polling) return;
  polling = true;
  try {
    const [doc, live] = await Promise.all([api("GET", "requests"), api("GET", "sessions")]);
    $("sessions").replaceChildren(...live.sessions.map((s) => el("option", { value: s.name })));
    if (proxy !== null) {
      proxy = await api("GET", "proxy");
      renderProxy();
    }
    renderJournal(doc.requests);
    document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
  } catch (err) {
    setStatus(err.message, "error");
  } finally {
    polling = false;
  }
}

// -- start ----------------------------------------------------------------------------
let loads = 0;  // only the latest load renders (a session chosen meanwhile, a switch)

async function loadControls() {
  const mine = ++loads;
  const [list, current] = await Promise.all([api("GET", "scenarios"), api("GET", "settings")]);
  if (mine !== loads) return;
  scenarios = list.scenarios;
  settings = current;
  renderScenarios();
  renderErrors();
  renderLatency();
}

async function start() {
  try {
    const health = await api("GET", "health");
    const status = await api("GET", "proxy");
    proxy = status.enabled ? status : null;  // freddy-mock --proxy
    renderProxy();
    if (sessionStorage.getItem(TOKEN_KEY)) $("token-box").hidden = false;  // to change it
    await loadControls();
    setStatus("Connected: freddy-mock " + health.version + ", " + health.scenarios + " scenarios.", "ok");
    document.body.dataset.ready = "1";
  } catch (err) {
    setStatus(err.message, "error");
  }
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value);
  $("token").value = "";
  start();
});
$("org").addEventListener("input", () => { renderScenarios(); renderErrors(); });
$("session").addEventListener("change", async () => {
  try {
    await loadControls();
    setStatus(session() ? "Acting on session " + session() + "." : "Acting on the requests without a session.", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  pollJournal();
});
$("latency").addEventListener("input", () => { $("latency-value").textContent = $("latency").value + " ms"; });
$("latency").addEventListener("change", setLatency);
$("reset").addEventListener("click", async () => {
  try {
    await api("POST", "reset");  // also drops forced errors and latency
    setStatus("Reset" + (session() ? " of session " + session() : "") +
      ": start-up scenarios, no error, no latency, journal cleared.", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  await loadControls().catch(() => {});
});
$("clear").addEventListener("click", () => api("DELETE", "requests").catch((err) => setStatus(err.message, "error")));

start();
setInterval(pollJournal, POLL_MS);
pollJournal();
