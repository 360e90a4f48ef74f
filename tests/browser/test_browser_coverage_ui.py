"""The control page's coverage section in Chromium: what the app met and what is missing;
one click beside a missing outcome makes the next call (from a page on another origin)
answer it, and the outcome moves to the met ones."""

from __future__ import annotations

from playwright.sync_api import expect

from mock_server.config import QaConfig

from .test_browser_mock_ui import call_from_other_origin, open_ui
from conftest import KEY_ABC


def test_one_click_beside_a_missing_outcome_makes_the_next_call_answer_it(
    browser, tab, second_origin, mock_factory, shoot
) -> None:
    mock = mock_factory(qa=QaConfig(admin=True))
    open_ui(tab, mock)
    page = tab.page
    missing = page.locator("#coverage tbody tr[data-outcome='status:429']")
    expect(missing).to_have_count(1)
    # no switch can make the app ask for a leap February: the page says what to send
    expect(page.locator("#coverage tbody tr[data-outcome='data:leap-february']")).to_contain_text(
        "February of a leap year")

    missing.locator("button").click()
    expect(missing.locator("button")).to_contain_text("1 queued")
    assert list(mock.server.parts.qa.runtime.control.next) == ["status:429"]

    answer = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
    assert answer["status"] == 429 and answer["body"]["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    expect(missing).to_have_count(0)  # met now: gone from the missing ones
    expect(page.locator("#coverage-met")).to_contain_text("status:429 ×1")
    shoot(page, "mock-ui-coverage", full_page=True, publish=False)
    again = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
    assert again["status"] == 200  # one click, one answer
    assert tab.foreign_requests() == [] and tab.errors == []
