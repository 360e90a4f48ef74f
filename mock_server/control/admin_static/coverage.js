// freddy-mock control page, coverage: which of the contract's outcomes the app has met, and
// beside each missing one a button that makes the next request answer it (where a switch
// can; otherwise what the app must send). Uses api(), el(), setStatus() and $ of ui.js.
"use strict";

let lastCoverage = "";

function coverageRow(name, doc) {
  const cell = el("td");
  if (doc.switches.includes(name)) {
    const queued = doc.next.filter((n) => n === name).length;
    const button = el("button", { type: "button", id: "next-" + name.replace(/[^a-z0-9-]/gi, "-") },
      [queued ? "next request answers it (" + queued + " queued)" : "answer the next request"]);
    button.dataset.outcome = name;
    button.addEventListener("click", () => answerNext(name));
    cell.append(button);
  } else {
    cell.append(el("span", { className: "hint" }, [doc.hints[name] || "sent by your app"]));
  }
  const row = el("tr", {}, [el("td", {}, [el("code", {}, [name])]), cell]);
  row.dataset.outcome = name;
  return row;
}

function renderCoverage(doc) {
  const key = JSON.stringify([doc.outcomes, doc.next]);
  if (key === lastCoverage) return;
  lastCoverage = key;
  const summary = $("coverage-summary");
  summary.textContent = doc.covered + " of " + doc.total + " outcomes met" +
    (doc.missing.length ? "; " + doc.missing.length + " missing." : ": all of them.");
  summary.classList.toggle("done", doc.missing.length === 0);
  $("coverage").tBodies[0].replaceChildren(...doc.missing.map((name) => coverageRow(name, doc)));
  const met = Object.entries(doc.outcomes).filter(([, n]) => n > 0);
  $("coverage-met-summary").textContent = met.length + " met";
  $("coverage-met").replaceChildren(...met.map(([name, n]) =>
    el("code", { className: "met" }, [name + " ×" + n + "  "])));
}

async function answerNext(name) {
  try {
    await api("POST", "coverage/next", { outcome: name });
    setStatus("The next request answers " + name + ".", "ok");
  } catch (err) {
    setStatus(err.message, "error");
  }
  await pollCoverage();
}

async function pollCoverage() {
  try {
    renderCoverage(await api("GET", "coverage"));
  } catch (err) {
    setStatus(err.message, "error");
  }
}

setInterval(pollCoverage, POLL_MS);
pollCoverage();
