// Tries to change and read the mock's admin API from another origin (see attack.html).
// ?mock=ORIGIN names the mock. Every outcome lands in window.results.
"use strict";

const mock = new URLSearchParams(window.location.search).get("mock");
window.results = {};

async function attempt(name, call) {
  try {
    const response = await call();
    let body = null;
    try { body = await response.text(); } catch (err) { body = null; }
    window.results[name] = { ok: true, status: response.status, type: response.type, body: body };
  } catch (err) {  // a CORS refusal ends here, as a TypeError
    window.results[name] = { ok: false, error: String(err) };
  }
}

function submitForm(id, action) {
  // A form post navigates the iframe; its load event says the answer has arrived.
  return new Promise((resolve) => {
    const sink = document.getElementById("sink");
    sink.addEventListener("load", () => resolve(), { once: true });
    const form = document.getElementById(id);
    form.action = mock + action;
    form.submit();
  });
}

async function run() {
  const plain = { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" } };
  await attempt("activate-text-plain", () => fetch(mock + "/__mock/scenarios/empty-org/activate",
    { ...plain, body: '{"org": null}' }));
  await attempt("settings-text-plain", () => fetch(mock + "/__mock/settings",
    { ...plain, body: '{"delay_ms": 1234, "error": 500}' }));
  await attempt("reset-no-body", () => fetch(mock + "/__mock/reset",
    { method: "POST", mode: "no-cors" }));
  // DELETE is never "simple": the browser asks first (a preflight).
  await attempt("clear-journal", () => fetch(mock + "/__mock/requests", { method: "DELETE" }));
  await attempt("settings-json", () => fetch(mock + "/__mock/settings", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ error: 500 }),
  }));
  await attempt("read-journal", () => fetch(mock + "/__mock/requests"));
  await attempt("read-settings", () => fetch(mock + "/__mock/settings"));
  await attempt("read-ui", () => fetch(mock + "/__mock/ui"));
  await submitForm("form-plain", "/__mock/settings");
  await submitForm("form-urlencoded", "/__mock/scenarios/empty-org/activate");
  document.getElementById("out").textContent = JSON.stringify(window.results, null, 2);
  document.body.dataset.done = "1";
}

run();
