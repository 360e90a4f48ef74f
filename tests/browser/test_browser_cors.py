"""A front-end on another origin (another 127.0.0.1 port) calls the mock from Chromium:
the CORS preflight passes, and the script can read the exposed headers."""

from __future__ import annotations

from conftest import KEY_ABC, SUMMARY


def summary_path(mock) -> str:
    return mock.state.contract.base_path + SUMMARY + "org_abc123"


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
    assert outcome["body"]["error"]["code"] == mock.state.contract.errors[500].code
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
    assert outcome["body"] == mock.state.contract.examples["documented"].value
    assert outcome["preferenceApplied"] == "example=documented"
    assert outcome["requestId"]


def test_a_header_the_mock_does_not_allow_fails_the_preflight(
    tab, second_origin, observed_mock
) -> None:
    """The control: the browser really enforces CORS here, so the passing case means
    something. A header outside Access-Control-Allow-Headers makes the fetch fail."""
    mock = observed_mock.server
    page = tab.page
    page.goto(second_origin.url("cors.html"))
    outcome = page.evaluate(
        """url => fetch(url, {headers: {"X-Not-Allowed": "1"}})
                .then(r => ({ok: true, status: r.status}), e => ({ok: false, error: String(e)}))""",
        mock.base_url + SUMMARY + "org_abc123",
    )
    assert outcome["ok"] is False and "TypeError" in outcome["error"], outcome
    assert [(s.method, s.path) for s in observed_mock.seen] == [("OPTIONS", summary_path(mock))]
    tab.errors.clear()  # Chromium logs the CORS refusal to the console, as expected
