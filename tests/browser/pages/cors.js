// A front-end on another origin: calls the mock with X-API-Key and Prefer (both force a
// CORS preflight) and shows what the browser lets it read. The last outcome is kept in
// window.lastCall and in body[data-calls] (the count), for the tests.
"use strict";

const params = new URLSearchParams(window.location.search);
for (const name of ["api", "org", "query", "key", "prefer"]) {
  document.getElementById(name).value = params.get(name) || "";
}
document.body.dataset.calls = "0";

async function callMock() {
  const value = (id) => document.getElementById(id).value;
  const headers = {};
  if (value("key")) headers["X-API-Key"] = value("key");
  if (value("prefer")) headers["Prefer"] = value("prefer");
  const url = value("api") + "/analytics/api-keys/summary/" + encodeURIComponent(value("org")) +
    (value("query") ? "?" + value("query") : "");
  let outcome;
  try {
    const response = await fetch(url, { headers: headers });
    outcome = {
      ok: true,
      status: response.status,
      requestId: response.headers.get("X-Request-ID"),
      preferenceApplied: response.headers.get("Preference-Applied"),
      violations: response.headers.get("X-Contract-Violations"),  // freddy-mock --proxy
      body: await response.json(),
    };
  } catch (err) {  // a failed preflight ends here, as a TypeError
    outcome = { ok: false, error: String(err) };
  }
  window.lastCall = outcome;
  document.getElementById("status").textContent = outcome.ok ? outcome.status : outcome.error;
  document.getElementById("request-id").textContent = outcome.requestId || "(unreadable)";
  document.getElementById("preference-applied").textContent =
    outcome.preferenceApplied || "(unreadable)";
  document.getElementById("body").textContent = JSON.stringify(outcome.body, null, 2) || "";
  document.body.dataset.calls = String(Number(document.body.dataset.calls) + 1);
  return outcome;
}

document.getElementById("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  callMock();
});
