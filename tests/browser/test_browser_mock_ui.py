"""Flow 3: the ``/__mock/ui`` control page in Chromium. A click on a scenario switch or a
documented-error button changes what the next call from a page on another origin gets, and
that call's row (key masked) appears in the page's live journal."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from api_contract.keys import mask_key
from mock_server.config import QaConfig

from .conftest import open_tab
from conftest import KEY_ABC, KEY_XYZ

UI = "/__mock/ui"
NOV = "year=2025&month=11"


def open_ui(tab, mock) -> None:
    tab.page.goto(mock.server.origin + UI)
    expect(tab.page.locator("body")).to_have_attribute("data-ready", "1")


def call_from_other_origin(browser, site, mock, org: str, key: str) -> dict:
    other = open_tab(browser)
    try:
        page = other.page
        page.goto(site.url("cors.html", api=mock.server.base_url, org=org, key=key, query=NOV))
        page.locator("#call").click()
        page.wait_for_function("Number(document.body.dataset.calls) > 0")
        return page.evaluate("window.lastCall")
    finally:
        other.page.context.close()


def journal_row(tab, org: str, status: int):
    rows = tab.page.locator("#journal tbody tr", has_text=org)
    return rows.filter(has_text=str(status)).first


def test_switch_a_scenario_on_and_see_the_next_call_in_the_journal(
    browser, tab, second_origin, mock_factory, shoot
) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    open_ui(tab, mock)
    page = tab.page
    switch = page.locator("#switch-empty-org")
    expect(switch).not_to_be_checked()
    before = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
    assert before["status"] == 200 and before["body"]["totalApiKeyRequests"] > 0

    switch.click()
    row = page.locator("#scenarios tbody tr[data-scenario='empty-org']")
    expect(row.locator("td").nth(3)).to_have_text("everyone")
    expect(page.locator("#switch-empty-org")).to_be_checked()
    assert [a.name for a in mock.server.parts.qa.runtime.active()] == ["empty-org"]

    after = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
    assert after["ok"] and after["status"] == 200, after
    assert after["body"]["totalApiKeyRequests"] == 0
    # The live journal shows the call: newest first, scenario applied, key masked only.
    newest = page.locator("#journal tbody tr", has_text="GET /").first
    expect(newest).to_contain_text("scenario=empty-org")
    expect(newest).to_contain_text(mask_key(KEY_ABC))
    expect(newest).to_contain_text("/summary/org_abc123")
    assert KEY_ABC not in page.content()
    # Each call is its preflight (OPTIONS) and the GET itself.
    expect(page.locator("#journal tbody tr", has_text="GET /")).to_have_count(2)
    expect(page.locator("#journal tbody tr", has_text="OPTIONS /")).to_have_count(2)
    shoot(page, "mock-ui", full_page=True)

    page.locator("#switch-empty-org").click()  # and off again
    expect(row.locator("td").nth(3)).to_have_text("—")
    assert mock.server.parts.qa.runtime.active() == ()
    assert tab.foreign_requests() == [] and tab.errors == []


def test_a_documented_error_button_for_one_org_and_the_latency_slider(
    browser, tab, second_origin, mock_factory
) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    open_ui(tab, mock)
    page = tab.page
    page.locator("#org").fill("org_abc123")
    page.locator("#error-500").click()
    expect(page.locator("#error-500")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#errors-active")).to_have_text("Forced now: 500 for org_abc123")

    hit = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
    assert hit["status"] == 500, hit
    assert hit["body"]["error"]["code"] == mock.server.parts.contract.errors[500].code
    spared = call_from_other_origin(browser, second_origin, mock, "org_xyz789", KEY_XYZ)
    assert spared["status"] == 200, spared
    expect(journal_row(tab, "org_abc123", 500)).to_contain_text("error=500")
    expect(journal_row(tab, "org_xyz789", 200)).to_contain_text(mask_key(KEY_XYZ))
    assert KEY_XYZ not in page.content()

    page.locator("#error-none").click()
    expect(page.locator("#errors-active")).to_have_text("No error forced.")
    assert dict(mock.server.parts.qa.overrides.errors) == {}

    page.locator("#latency").fill("300")
    expect(page.locator("#status")).to_have_text("Latency 300 ms for every answer.")
    assert mock.server.parts.qa.overrides.delay_ms == 300
    assert tab.foreign_requests() == []


def test_the_page_acts_on_the_session_it_chose_and_shows_its_journal(tab, mock_factory) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    url = mock.server.base_url + "/analytics/api-keys/summary/org_abc123?" + NOV

    def call(session: str | None) -> int:
        headers = {"X-API-Key": KEY_ABC, **({"X-Mock-Session": session} if session else {})}
        return requests.get(url, headers=headers, timeout=10).status_code

    assert call("qa-anna") == 200  # the session is live: the page offers it
    open_ui(tab, mock)
    page = tab.page
    expect(page.locator("#sessions option[value='qa-anna']")).to_have_count(1)
    page.locator("#session").fill("qa-anna")
    page.locator("#session").blur()  # (a change event)
    expect(page.locator("#status")).to_have_text("Acting on session qa-anna.")
    expect(page.locator("#journal tbody tr")).to_have_count(1)  # its request only
    page.locator("#switch-rate-limited").click()
    expect(page.locator("#status")).to_have_text("Switched on rate-limited for everyone.")
    expect(page.locator("#switch-rate-limited")).to_be_checked()
    assert (call("qa-anna"), call("qa-ben"), call(None)) == (429, 200, 200)
    expect(page.locator("#journal tbody tr")).to_have_count(2)
    expect(page.locator("#journal tbody tr").first).to_contain_text("429")

    page.locator("#session").fill("")  # none: the requests without a session
    page.locator("#session").blur()
    expect(page.locator("#switch-rate-limited")).not_to_be_checked()
    expect(page.locator("#journal tbody tr")).to_have_count(1)
    expect(page.locator("#journal tbody tr").first).to_contain_text("200")
    assert tab.errors == []


def test_the_page_asks_for_the_admin_token_and_sends_it(tab, mock_factory) -> None:
    mock = mock_factory(qa=QaConfig(admin=True, admin_token="s3cret-admin-token"))
    page = tab.page
    page.goto(mock.server.origin + UI)
    expect(page.locator("#token-box")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("token")
    page.locator("#token").fill("s3cret-admin-token")
    page.locator("#token-save").click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#switch-flaky")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('freddy-mock-admin-token')") == \
        "s3cret-admin-token"
    assert "s3cret" not in page.content()


def test_the_page_fits_a_narrow_window(browser, second_origin, mock_factory, shoot) -> None:
    """At 420 px wide nothing sticks out of the page (no sideways scrolling), every section
    fits the window, and a scenario switch still works."""
    mock = mock_factory(qa=QaConfig(admin=True))
    call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)  # a journal row
    context = browser.new_context(viewport={"width": 420, "height": 800})
    try:
        page = context.new_page()
        page.goto(mock.server.origin + UI)
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        expect(page.locator("#journal tbody tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 420
        rights = page.evaluate(
            "[...document.querySelectorAll('section, main, header')]"
            ".map(e => [e.id || e.tagName, e.getBoundingClientRect().right])")
        assert all(right <= 420 for _, right in rights), rights
        page.locator("#switch-empty-org").click()
        row = page.locator("#scenarios tbody tr[data-scenario='empty-org']")
        expect(row.locator("td").nth(3)).to_have_text("everyone")  # the POST has answered
        expect(page.locator("#switch-empty-org")).to_be_checked()
        assert [a.name for a in mock.server.parts.qa.runtime.active()] == ["empty-org"]
        shoot(page, "mock-ui-narrow", full_page=True)
    finally:
        context.close()
