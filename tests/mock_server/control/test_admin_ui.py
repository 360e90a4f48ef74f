"""``/__mock/ui`` over plain HTTP (the browser test drives it in Chromium) and the admin
API's run-time settings (``/__mock/settings``: latency and forced documented errors), which
the page's slider and error buttons use."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from mock_server.control.admin_ui import FILES, STATIC

from conftest import KEY_ABC, KEY_XYZ, Client
from helpers import NOV, admin_client, call

UI = "/__mock/ui"


@pytest.fixture
def admin() -> Iterator[Client]:
    yield from admin_client()


def get(c: Client, path: str, **kwargs: object) -> requests.Response:
    return c.request("GET", path, base=c.server.origin, **kwargs)  # type: ignore[arg-type]


def csp(resp: requests.Response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in resp.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", [UI, UI + "/ui.js", UI + "/ui.css", "/__mock/settings"])
def test_ui_does_not_exist_without_admin(client: Client, path: str) -> None:
    resp = get(client, path)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "NOT_FOUND"


def test_ui_page_is_served_with_a_strict_csp(admin: Client) -> None:
    resp = get(admin, UI)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = csp(resp)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    page = resp.text
    # No inline script or style: every script has a src, no style element, no on* handler.
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "<style" not in page and not re.search(r"\son[a-z]+=", page)
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(r.startswith(("/", "data:")) and not r.startswith("//") for r in refs)
    for ref in (r for r in refs if r.startswith("/__mock/")):
        assert get(admin, ref).status_code == 200, ref


@pytest.mark.parametrize(("name", "ctype"), [("ui.js", "text/javascript"), ("ui.css", "text/css")])
def test_ui_assets(admin: Client, name: str, ctype: str) -> None:
    resp = get(admin, f"{UI}/{name}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].split(";")[0] == ctype
    assert resp.content == (STATIC / name).read_bytes()
    # Unknown files are not served: 404 (the admin API's preflight route covers /__mock/*
    # for OPTIONS only, which does not make every path under it a resource).
    missing = get(admin, f"{UI}/nope.js")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_ui_script_talks_only_to_the_admin_api() -> None:
    script = (STATIC / "ui.js").read_text()
    assert re.findall(r"fetch\(([^,]+)", script) == ['"/__mock/" + path']
    assert "http://" not in script and "https://" not in script
    assert set(FILES) == {p.name for p in STATIC.iterdir()}


def test_ui_page_needs_no_token_but_the_api_does() -> None:
    for c in admin_client(admin_token="s3cret-admin-token"):
        page = get(c, UI)
        assert page.status_code == 200 and "s3cret" not in page.text
        assert get(c, "/__mock/settings").status_code == 401
        ok = get(c, "/__mock/settings", headers={"Authorization": "Bearer s3cret-admin-token"})
        assert ok.status_code == 200


def test_settings_start_empty_and_list_the_documented_errors(admin: Client) -> None:
    doc = call(admin, "GET", "settings").json()
    assert doc["delay_ms"] == 0 and doc["errors"] == []
    assert doc["error_statuses"] == [s for s in admin.contract.statuses if s >= 400]


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500])
def test_forced_error_answers_the_documented_body(admin: Client, status: int) -> None:
    resp = call(admin, "POST", "settings", json={"error": status})
    assert resp.status_code == 200 and resp.json()["errors"] == [{"org": None, "status": status}]
    answer = admin.summary(params=NOV)
    assert answer.status_code == status
    assert admin.summary("org_xyz789", KEY_XYZ).status_code == status
    # A request's own Prefer: code= still wins.
    assert admin.summary(params=NOV, headers={"Prefer": "code=200"}).status_code == 200
    entry = call(admin, "GET", "requests").json()["requests"][0]
    assert entry["applied"] == {"error": status} and entry["status"] == status
    call(admin, "POST", "settings", json={"error": None})
    assert admin.summary(params=NOV).status_code == 200


def test_forced_error_for_one_org_and_reset(admin: Client) -> None:
    call(admin, "POST", "settings", json={"error": 403, "org": "org_abc123"})
    assert admin.summary(params=NOV).status_code == 403
    assert admin.summary("org_xyz789", KEY_XYZ, params=NOV).status_code == 200
    call(admin, "POST", "settings", json={"delay_ms": 250})
    assert call(admin, "GET", "settings").json()["delay_ms"] == 250
    assert call(admin, "POST", "reset").status_code == 200
    doc = call(admin, "GET", "settings").json()
    assert doc["errors"] == [] and doc["delay_ms"] == 0
    assert admin.summary(params=NOV).status_code == 200


def test_latency_is_added_to_every_answer_and_journaled(admin: Client) -> None:
    assert call(admin, "POST", "settings", json={"delay_ms": 40}).json()["delay_ms"] == 40
    assert admin.summary(params=NOV).status_code == 200
    assert admin.summary(params=NOV, headers={"Prefer": "delay=5"}).status_code == 200
    applied = [e["applied"] for e in call(admin, "GET", "requests").json()["requests"]]
    assert applied[0] == {"delay_ms": 40}
    assert applied[1]["delay_ms"] == 5  # the request's own Prefer: delay= replaces it


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"delay_ms": -1}', b'{"delay_ms": 60001}', b'{"delay_ms": "10"}',
    b'{"delay_ms": true}', b'{"error": 200}', b'{"error": 418}', b'{"error": "400"}',
    b'{"org": "org_abc123"}', b'{"error": 400, "org": 5}', b'{"nope": 1}',
])
def test_bad_settings_are_a_400_in_the_envelope(admin: Client, body: bytes) -> None:
    resp = call(admin, "POST", "settings", data=body,
                headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"]
    assert call(admin, "GET", "settings").json()["errors"] == []
    assert admin.summary(params=NOV, key=KEY_ABC).status_code == 200


def test_docs_page_links_to_the_ui_only_with_admin(client: Client, admin: Client) -> None:
    assert 'href="/__mock/ui"' in get(admin, "/docs").text
    assert "/__mock/ui" not in get(client, "/docs").text
