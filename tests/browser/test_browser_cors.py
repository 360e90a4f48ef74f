"""A front-end on another origin (another 127.0.0.1 port) calls the mock from Chromium:
the CORS preflight passes, and the script can read the exposed headers."""

from __future__ import annotations

from conftest import KEY_ABC, SUMMARY


def summary_path(mock) -> str:
    return mock.parts.contract.base_path + SUMMARY + "org_abc123"


def call_from_page(tab, site, mock, **fields: str) -> dict:
    page = tab.page
    page.goto(site.url("cors.html", api=mock.base_url, org="org_abc123", **fields))
    calls = int(page.locator("body").get_attribute("data-calls") or "0")
    page.locator("#call").click()
    page.wait_for_function(f"Number(document.body.dataset.calls) > {calls}")
    return page.evaluate("window.lastCall")


def test_preflight_passes_and_exposed_headers_are_readable(
    tab, second_origin, observed_mock, shoot
) -> None:
    mock = observed_mock.server
    assert second_origin.origin != mock.origin
    outcome = call_from_page(tab, second_origin, mock, query="year=2025&month=11",
                             key=KEY_ABC, prefer="code=500")

    assert outcome["ok"], outcome
    assert outcome["status"] == 500
    assert outcome["preferenceApplied"] == "code=500"
    assert outcome["requestId"] and outcome["requestId"] == outcome["body"]["error"]["trace_id"]
    assert outcome["body"]["error"]["code"] == mock.parts.contract.errors[500].code
    shoot(tab.page, "second-origin")

    # What the mock saw: the browser's preflight, then the call itself, both from the page's
    # origin; the preflight asked for exactly the two custom headers.
    calls = [s for s in observed_mock.seen if s.path == summary_path(mock)]
    assert [(s.method, s.status) for s in calls] == [("OPTIONS", 204), ("GET", 500)]
    assert {s.origin for s in calls} == {second_origin.origin}
    assert set(calls[0].request_headers.lower().split(",")) == {"x-api-key", "prefer"}
    assert tab.foreign_requests() == []
    # Chromium logs every non-2xx resource; the asked-for 500 is the only error.
    assert [e for e in tab.errors if "status of 500" not in e] == []


def test_a_200_from_another_origin_carries_the_document_example(
    tab, second_origin, observed_mock
) -> None:
    mock = observed_mock.server
    outcome = call_from_page(tab, second_origin, mock, query="year=2025&month=11",
                             key=KEY_ABC, prefer="example=documented")
    assert outcome["ok"], outcome
    assert outcome["status"] == 200
    assert outcome["body"] == mock.parts.contract.examples["documented"].value
    assert outcome["preferenceApplied"] == "example=documented"
    assert outcome["requestId"]


def fetch_with(page, url: str, headers: dict[str, str]) -> dict:
    return page.evaluate(
        """([url, headers]) => fetch(url, {headers})
            .then(r => r.json().then(b => ({ok: true, status: r.status, body: b})),
                  e => ({ok: false, error: String(e)}))""",
        [url, headers],
    )


TRACING = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "tracestate": "vendor=1", "sentry-trace": "4bf92f3577b34da6a3ce929d0e0e4736-1",
           "baggage": "release=1.0"}


def test_tracing_headers_pass_the_preflight(tab, second_origin, observed_mock) -> None:
    """Browser apps with tracing (OpenTelemetry, Sentry) add their headers to every call: by
    default the preflight grants whatever well-formed headers it asks for."""
    mock = observed_mock.server
    tab.page.goto(second_origin.url("cors.html"))
    outcome = fetch_with(tab.page, mock.base_url + SUMMARY + "org_abc123?year=2025&month=11",
                         {"X-API-Key": KEY_ABC, **TRACING})
    assert outcome["ok"], outcome
    assert outcome["status"] == 200
    assert outcome["body"] == mock.parts.contract.examples["documented"].value
    preflight = [s for s in observed_mock.seen if s.method == "OPTIONS"]
    assert len(preflight) == 1
    assert set(preflight[0].request_headers.lower().split(",")) == {"x-api-key", *TRACING}
    assert tab.errors == []


def test_a_header_the_mock_does_not_allow_fails_the_preflight(
    tab, second_origin, mock_factory
) -> None:
    """The control: with a fixed list (``--cors-allow-header``) the browser really enforces
    CORS here, so the passing cases mean something. A header outside the list (here
    ``traceparent``, while ``baggage`` is named) makes the fetch fail."""
    observed = mock_factory(cors_allow_headers=("baggage",))
    mock = observed.server
    page = tab.page
    page.goto(second_origin.url("cors.html"))
    url = mock.base_url + SUMMARY + "org_abc123"
    allowed = fetch_with(page, url, {"X-API-Key": KEY_ABC, "baggage": "a=1"})
    assert allowed["ok"] and allowed["status"] == 200, allowed
    outcome = fetch_with(page, url, {"X-API-Key": KEY_ABC, "traceparent": TRACING["traceparent"]})
    assert outcome["ok"] is False and "TypeError" in outcome["error"], outcome
    assert [(s.method, s.path) for s in observed.seen] == [
        ("OPTIONS", summary_path(mock)), ("GET", summary_path(mock)),
        ("OPTIONS", summary_path(mock))]
    tab.errors.clear()  # Chromium logs the CORS refusal to the console, as expected
