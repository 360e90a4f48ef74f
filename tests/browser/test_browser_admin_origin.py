"""The control surface in a real Chromium: a page on a second loopback origin fails to
change or read anything through the admin API, while the control page on the mock's own
origin still switches scenarios; journal content the page shows is inert text; ``/docs``
ignores query parameters that would load another spec."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from mock_server.config import QaConfig

from conftest import KEY_ABC, SUMMARY

UI = "/__mock/ui"
XSS = "<img src=x onerror=window.pwned=1>"


def admin_state(mock) -> tuple:
    qa = mock.server.parts.qa
    assert qa.journal is not None
    return (qa.runtime.active(), qa.overrides,
            [e.seq for e in mock.server.call(qa.journal.entries())])


def test_a_second_origin_can_neither_change_nor_read_the_admin_api(
    tab, second_origin, mock_factory, shoot
) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    origin = mock.server.origin
    with requests.Session() as s:  # something in the journal to steal
        s.get(mock.server.base_url + SUMMARY + "org_abc123", params={"year": 2025, "month": 11},
              headers={"X-API-Key": KEY_ABC}, timeout=10).raise_for_status()
    before = admin_state(mock)
    assert before[2], "the journal has an entry"
    assert second_origin.origin != origin

    page = tab.page
    page.goto(second_origin.url("attack.html", mock=origin))
    expect(page.locator("body")).to_have_attribute("data-done", "1")
    results = page.evaluate("window.results")

    # Nothing changed: scenarios, latency and forced errors, the journal.
    assert admin_state(mock) == before
    # Nothing was readable: every read and the JSON call (its preflight refused) failed.
    for name in ("read-journal", "read-settings", "read-ui", "settings-json", "clear-journal"):
        assert results[name]["ok"] is False and "TypeError" in results[name]["error"], name
    for name in ("activate-text-plain", "settings-text-plain", "reset-no-body"):
        assert results[name] == {"ok": True, "status": 0, "type": "opaque", "body": ""}, name

    # What reached the mock, and what it answered: 403 for each change (forms included),
    # 403 for the preflights, so the DELETE and the JSON POST themselves were never sent.
    admin_calls = [(s.method, s.path, s.status) for s in mock.seen
                   if s.path.startswith("/__mock/")]
    assert admin_calls == [
        ("POST", "/__mock/scenarios/empty-org/activate", 403),
        ("POST", "/__mock/settings", 403),
        ("POST", "/__mock/reset", 403),
        ("OPTIONS", "/__mock/requests", 403),
        ("OPTIONS", "/__mock/settings", 403),
        ("GET", "/__mock/requests", 200),  # answered, but without CORS: the page got nothing
        ("GET", "/__mock/settings", 200),
        ("GET", UI, 200),
        ("POST", "/__mock/settings", 403),  # the text/plain form
        ("POST", "/__mock/scenarios/empty-org/activate", 403),  # the urlencoded form
    ]
    assert {s.origin for s in mock.seen if s.path.startswith("/__mock/")} == {
        second_origin.origin}
    assert tab.foreign_requests() == []
    shoot(page, "second-origin-attack", publish=False)
    tab.errors.clear()  # Chromium logs each CORS refusal and 403 to the console, as expected

    # The control page on the mock's own origin still works: a switch flips the scenario.
    ui = tab.page.context.new_page()
    ui.goto(origin + UI)
    expect(ui.locator("body")).to_have_attribute("data-ready", "1")
    ui.locator("#switch-empty-org").click()
    expect(ui.locator("#scenarios tbody tr[data-scenario='empty-org'] td").nth(3)) \
        .to_have_text("everyone")
    assert [a.name for a in mock.server.parts.qa.runtime.active()] == ["empty-org"]
    ui.locator("#latency").fill("250")
    expect(ui.locator("#status")).to_have_text("Latency 250 ms for every answer.")
    ui.locator("#reset").click()
    expect(ui.locator("#status")).to_contain_text("Reset")
    assert mock.server.parts.qa.runtime.active() == ()
    ui_calls = [(s.method, s.status) for s in mock.seen
                if s.origin == origin and s.method == "POST"]
    assert ui_calls == [("POST", 200)] * 3


def test_journal_content_is_shown_as_text_never_run(tab, mock_factory) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    with requests.Session() as s:  # a path and a query crafted to run in the page
        s.get(mock.server.base_url + SUMMARY + XSS, params={"q": XSS, "year": "<b>x</b>"},
              headers={"X-API-Key": XSS}, timeout=10)
    page = tab.page
    page.goto(mock.server.origin + UI)
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    row = page.locator("#journal tbody tr").first
    expect(row).to_contain_text(XSS)  # shown literally, as text
    assert page.evaluate("window.pwned") is None
    assert page.locator("#journal img, #journal b").count() == 0
    assert tab.foreign_requests() == [] and tab.errors == []


def test_docs_ignores_query_parameters_that_would_load_another_spec(
    offline_tab, mock_factory
) -> None:
    mock = mock_factory()
    page = offline_tab.page
    page.goto(mock.server.origin + "/docs?url=http://attacker.example/spec.json"
              "&configUrl=http://attacker.example/config.json&urls.primaryName=x")
    page.locator(".opblock-summary-path", has_text=SUMMARY).wait_for()
    assert offline_tab.foreign_requests() == []
    # The spec it shows is the mock's own copy, and nothing else was fetched for it (a
    # request CSP blocks would not even be made).
    specs = [u for u in offline_tab.requests if u.endswith(".json")]
    assert specs == [mock.server.origin + "/docs/openapi.json"], offline_tab.requests
