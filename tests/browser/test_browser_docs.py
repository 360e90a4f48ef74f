"""``/docs`` in a real Chromium: it stays on 127.0.0.1, "Try it out" calls the mock, and
the page renders with the network cut off."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from mock_server.testing import MockServerThread

from conftest import KEY_ABC, SUMMARY


def open_docs(page: Page, server: MockServerThread) -> None:
    page.goto(server.origin + "/docs")
    page.locator(".opblock-summary-path", has_text=SUMMARY).wait_for()


def authorize(page: Page, key: str) -> None:
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    section = dialog.locator(".auth-container", has_text=re.compile(r"^\s*ApiKeyHeader\b"))
    section.locator("input").fill(key)
    section.locator("button.authorize").click()
    section.locator("h6", has_text="Authorized").wait_for()  # Swagger UI took the key
    section.locator("button.btn-done").click()
    dialog.wait_for(state="detached")


def try_it_out(page: Page, values: dict[str, str]) -> None:
    op = page.locator(".opblock-get")
    op.get_by_role("button", name="Try it out").click()
    for name, value in values.items():
        op.locator(f'tr[data-param-name="{name}"] input').fill(value)
    op.get_by_role("button", name="Execute").click()


def live_response(page: Page) -> tuple[int, object, str]:
    """(status, parsed body, request URL) of the answer Swagger UI shows."""
    live = page.locator(".live-responses-table .response")
    live.wait_for()
    status = int(live.locator(".response-col_status").inner_text().strip())
    body = json.loads(live.locator(".response-col_description pre.microlight").first.inner_text())
    url = page.locator(".request-url pre").inner_text().strip()
    return status, body, url


def test_try_it_out_calls_the_mock_and_no_request_leaves_loopback(
    server: MockServerThread, tab, shoot
) -> None:
    page = tab.page
    open_docs(page, server)
    keys = page.locator("#mock-keys").inner_text()
    assert KEY_ABC in keys and "org_abc123" in keys
    assert "code=500" in page.locator("#mock-prefer").inner_text()
    shoot(page, "docs")

    authorize(page, KEY_ABC)
    try_it_out(page, {"org_id": "org_abc123", "year": "2025", "month": "11"})
    status, body, url = live_response(page)

    assert status == 200
    assert body == server.parts.contract.examples["documented"].value
    assert url == server.base_url + SUMMARY + "org_abc123?year=2025&month=11"
    page.locator(".live-responses-table").scroll_into_view_if_needed()
    shoot(page, "docs-try-it-out")

    summary_calls = [u for u in tab.requests if SUMMARY in u]
    assert summary_calls == [url], tab.requests
    assert server.origin + "/docs/assets/swagger-ui-bundle.js" in tab.requests
    assert tab.foreign_requests() == []
    assert tab.errors == []


def test_prefer_field_of_the_docs_reaches_the_mock(server: MockServerThread, tab) -> None:
    page = tab.page
    open_docs(page, server)
    authorize(page, KEY_ABC)
    op = page.locator(".opblock-get")
    op.get_by_role("button", name="Try it out").click()
    op.locator('tr[data-param-name="org_id"] input').fill("org_abc123")
    op.locator('tr[data-param-name="Prefer"] select').select_option("code=403")
    op.get_by_role("button", name="Execute").click()
    status, body, _ = live_response(page)
    assert status == 403
    assert body["error"]["code"] == server.parts.contract.errors[403].code
    headers = page.locator(".live-responses-table .response .response-col_description").inner_text()
    assert "preference-applied: code=403" in headers.lower()
    assert tab.foreign_requests() == []


def test_docs_render_and_work_with_the_network_cut_off(
    server: MockServerThread, offline_tab, shoot
) -> None:
    page = offline_tab.page
    probe = page.context.new_page()  # the cut is real: a page elsewhere cannot load
    with pytest.raises(PlaywrightError, match="net::ERR_"):
        probe.goto("http://example.com/")
    probe.close()
    open_docs(page, server)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith(
        server.parts.contract.raw["info"]["title"])
    assert page.locator(".opblock-get").count() == 1
    authorize(page, KEY_ABC)
    try_it_out(page, {"org_id": "org_abc123", "year": "2025", "month": "11"})
    status, body, _ = live_response(page)
    assert status == 200
    assert body == server.parts.contract.examples["documented"].value
    shoot(page, "docs-offline", publish=False)
    assert offline_tab.foreign_requests() == ["http://example.com/"]
    assert offline_tab.errors == []
