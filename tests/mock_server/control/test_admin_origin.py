"""The admin API is same-origin only: what a page on another origin can send (a "simple"
request needs no preflight) changes nothing, and nothing it reads is readable to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conftest import Client
from helpers import NOV, admin_client, call

FOREIGN = "http://attacker.example"
JSON_CT = {"Content-Type": "application/json"}

# Every state change the API offers, with a body that would change something.
CHANGES = [
    ("POST", "scenarios/empty-org/activate", b'{"org": null}'),
    ("POST", "scenarios/flaky/deactivate", b"{}"),
    ("POST", "settings", b'{"delay_ms": 1234, "error": 500}'),
    ("POST", "reset", b"{}"),
    ("DELETE", "requests", b""),
]


@pytest.fixture
def admin() -> Iterator[Client]:
    yield from admin_client(scenarios=("flaky",), admin_cors=("http://localhost:3000",))


def own_origin(c: Client) -> str:
    return c.server.origin


def snapshot(c: Client) -> dict[str, Any]:
    """The control surface's state, read back over HTTP (same-origin, as the UI does)."""
    return {
        "scenarios": call(c, "GET", "scenarios").json(),
        "settings": call(c, "GET", "settings").json(),
        "journal": [e["seq"] for e in call(c, "GET", "requests").json()["requests"]],
    }


def with_state(c: Client) -> dict[str, Any]:
    """Something for every change to undo: a journal entry and the start-up scenario."""
    c.summary(params=NOV)
    before = snapshot(c)
    assert before["journal"] and before["scenarios"]["active"] == [{"name": "flaky",
                                                                     "org": None}]
    return before


@contextmanager
def unchanged(c: Client) -> Iterator[None]:
    """The block's requests change nothing (with something there to change)."""
    before = with_state(c)
    yield
    assert snapshot(c) == before


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x"])
def test_a_simple_cross_origin_request_changes_nothing(
    admin: Client, method: str, path: str, body: bytes, ctype: str
) -> None:
    """What a page elsewhere sends without a preflight: fetch(no-cors) with text/plain, or
    a <form> (urlencoded, multipart, text/plain)."""
    with unchanged(admin):
        resp = call(admin, method, path, data=body,
                    headers={"Origin": FOREIGN, "Content-Type": ctype,
                             "Sec-Fetch-Site": "cross-site"})
        assert resp.status_code == 403
        assert resp.json()["error"]["code"] == "CROSS_ORIGIN_REFUSED"
        assert "Access-Control-Allow-Origin" not in resp.headers


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_json_request_with_a_foreign_origin_changes_nothing(
    admin: Client, method: str, path: str, body: bytes
) -> None:
    origins = (FOREIGN, "null", "http://localhost:3001",
               admin.server.origin.replace("127.0.0.1", "localhost"))
    with unchanged(admin):
        for origin in origins:
            resp = call(admin, method, path, data=body, headers={"Origin": origin, **JSON_CT})
            assert resp.status_code == 403, origin
            assert "Access-Control-Allow-Origin" not in resp.headers


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_cross_site_without_origin_changes_nothing(
    admin: Client, method: str, path: str, body: bytes
) -> None:
    with unchanged(admin):
        for site in ("cross-site", "same-site"):
            headers = {"Sec-Fetch-Site": site, **JSON_CT}
            assert call(admin, method, path, data=body, headers=headers).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), [c for c in CHANGES if c[2]])
@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "application/jsonx", "text/json"])
def test_a_change_needs_a_json_body(
    admin: Client, method: str, path: str, body: bytes, ctype: str | None
) -> None:
    """Even same-origin or from curl: a body that is not application/json is a 415."""
    headers = {"Origin": own_origin(admin)}
    if ctype is not None:
        headers["Content-Type"] = ctype
    with unchanged(admin):
        resp = call(admin, method, path, data=body, headers=headers)
        assert resp.status_code == 415
        assert resp.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_same_origin_json_and_bodyless_calls_work(admin: Client) -> None:
    """The control page's own calls: same Origin, JSON bodies (or none at all)."""
    with_state(admin)
    own = {"Origin": own_origin(admin), "Sec-Fetch-Site": "same-origin"}
    resp = call(admin, "POST", "scenarios/empty-org/activate", json={"org": "org_abc123"},
                headers=own)
    assert resp.status_code == 200
    assert "Access-Control-Allow-Origin" not in resp.headers  # same-origin needs none
    resp = call(admin, "POST", "settings", data=b'{"delay_ms": 5}',
                headers={**own, "Content-Type": "application/json; charset=utf-8"})
    assert resp.json()["delay_ms"] == 5
    assert call(admin, "DELETE", "requests", headers=own).json()["cleared"] == 1
    assert call(admin, "POST", "reset").status_code == 200  # curl: no Origin, no body
    assert snapshot(admin)["settings"]["delay_ms"] == 0


@pytest.mark.parametrize("path", ["requests", "settings", "scenarios", "health", "ui",
                                  "ui/ui.js", "nope"])
def test_no_cors_headers_for_a_foreign_origin_on_any_admin_response(
    admin: Client, path: str
) -> None:
    admin.summary(params=NOV, headers={"Origin": FOREIGN})
    resp = call(admin, "GET", path, headers={"Origin": FOREIGN})
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert not any(h.lower().startswith("access-control-") for h in resp.headers)
    if path == "requests":  # answered (a browser will not hand it over), but to no one else
        assert resp.status_code == 200 and resp.json()["requests"]


def test_admin_cors_lets_exactly_the_named_origin_through(admin: Client) -> None:
    named = "http://localhost:3000"
    resp = call(admin, "GET", "requests", headers={"Origin": named})
    assert resp.headers["Access-Control-Allow-Origin"] == named
    assert "Origin" in resp.headers["Vary"]
    resp = call(admin, "POST", "scenarios/empty-org/activate", json={},
                headers={"Origin": named})
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == named
    assert {"name": "empty-org", "org": None} in resp.json()["active"]
    # Only that one: not another port, not another scheme, not the bare host.
    for other in ("http://localhost:3001", "https://localhost:3000", "http://localhost"):
        resp = call(admin, "POST", "scenarios/empty-org/deactivate", json={},
                    headers={"Origin": other})
        assert resp.status_code == 403, other
        assert "Access-Control-Allow-Origin" not in call(
            admin, "GET", "requests", headers={"Origin": other}).headers
    # The API route's CORS is unchanged: any origin, as before.
    api = admin.summary(params=NOV, headers={"Origin": FOREIGN})
    assert api.status_code == 200 and api.headers["Access-Control-Allow-Origin"] == FOREIGN


def test_a_foreign_origin_cannot_use_up_the_token_limit() -> None:
    """The origin check comes before the token: a page elsewhere gets 403, not 401, and the
    owner's token still works after a burst of such attempts."""
    for c in admin_client(admin_token="t0ken-t0ken-t0ken"):
        for _ in range(30):
            resp = call(c, "POST", "reset", headers={"Origin": FOREIGN,
                                                      "Authorization": "Bearer guess"})
            assert resp.status_code == 403
        good = call(c, "POST", "reset", headers={"Authorization": "Bearer t0ken-t0ken-t0ken"})
        assert good.status_code == 200
