"""The validating proxy seen from a browser: a frontend on another origin reads
``X-Contract-Violations``, and the control page marks the exchange's row with the check's
name and message."""

from __future__ import annotations

from playwright.sync_api import expect

from mock_server.config import ProxyConfig, QaConfig

from .test_browser_mock_ui import call_from_other_origin, open_ui
from conftest import KEY_ABC
from kit.broken import BrokenServer


def test_a_violation_reaches_the_frontend_and_is_marked_in_the_journal(
    browser, tab, second_origin, mock_factory, shoot
) -> None:
    with BrokenServer("wrong_average") as upstream:
        mock = mock_factory(qa=QaConfig(admin=True), now=None,
                            proxy=ProxyConfig(upstream.base_url, timeout=5.0))
        open_ui(tab, mock)
        page = tab.page
        expect(page.locator("#proxy-box")).to_be_visible()
        expect(page.locator("#proxy-upstream")).to_contain_text(upstream.base_url)
        bad = call_from_other_origin(browser, second_origin, mock, "org_abc123", KEY_ABC)
        assert bad["status"] == 200 and bad["violations"] == "average_cost", bad
        refused = call_from_other_origin(browser, second_origin, mock, "org_xyz789", KEY_ABC)
        assert refused["status"] == 403 and refused["violations"] is None, refused

        row = page.locator("#journal tbody tr.violation")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-violations", "average_cost")
        expect(row.locator("td.contract")).to_contain_text("average_cost: expected "
                                                           "averageCostPerRequest")
        expect(page.locator("#journal tbody tr", has_text="org_xyz789").first) \
            .not_to_have_class("violation")
        expect(page.locator("#proxy-stats")).to_contain_text("average_cost ×1")
        shoot(page, "proxy-ui", full_page=True, publish=False)
        assert KEY_ABC not in page.content()
        assert tab.foreign_requests() == [] and tab.errors == []
