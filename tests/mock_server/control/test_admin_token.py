"""The admin token: compared in constant time, never shown anywhere, guesses limited."""

from __future__ import annotations

import hmac
import logging
import signal
from collections.abc import Iterator

import pytest
import requests

from mock_server.control import admin_guard
from mock_server.control.admin_guard import BAD_TOKEN_LIMIT, BadTokens

from conftest import Client
from helpers import NOV, admin_client, call, running

TOKEN = "s3cret-admin-token-0123456789"
GOOD = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def admin() -> Iterator[Client]:
    yield from admin_client(admin_token=TOKEN)


def test_the_token_is_compared_as_digests_in_constant_time(admin: Client, monkeypatch) -> None:
    """hmac.compare_digest on SHA-256 digests of equal length: neither how much of the
    token matched nor its length shows in the timing. (Proved by what is called.)"""
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(admin_guard.hmac, "compare_digest", spy)
    assert call(admin, "GET", "health", headers={"Authorization": "Bearer x"}).status_code \
        == 401
    assert call(admin, "GET", "health", headers=GOOD).status_code == 200
    assert len(seen) == 2 and all(len(a) == len(b) == 32 for a, b in seen)
    assert all(TOKEN.encode() not in a + b for a, b in seen)


@pytest.mark.parametrize("header", [
    {}, {"Authorization": "Bearer"}, {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": "Bearer " + "\u00e9" * 10},
])
def test_a_wrong_token_is_a_401_that_echoes_nothing(admin: Client, header) -> None:
    resp = call(admin, "POST", "reset", headers=header)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
    assert "s3cret" not in resp.text and "\u00e9" not in resp.json()["error"]["system_message"]


def test_the_token_is_in_no_page_body_journal_or_log(admin: Client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    # An API call carrying the token (by mistake) and admin calls with it and without.
    admin.summary(params=NOV, headers={**GOOD, "Prefer": f"scenario={TOKEN}"})
    admin.summary(params=NOV, headers=GOOD)
    bodies = [call(admin, "GET", path, headers=GOOD).text
              for path in ("health", "scenarios", "settings", "requests", "ui", "ui/ui.js")]
    bodies.append(call(admin, "GET", "health").text)
    bodies.append(admin.request("GET", "/docs", base=admin.server.origin).text)
    journal = call(admin, "GET", "requests", headers=GOOD).json()["requests"]
    assert len(journal) == 3  # the two API calls and /docs
    for text in [*bodies, str(journal), caplog.text]:
        assert TOKEN not in text and "s3cret" not in text


def test_the_cli_prints_no_token_with_access_log() -> None:
    with running("--admin", "--admin-token", TOKEN, "--access-log") as (proc, base):
        origin = base.rsplit("/v1", 1)[0]
        with requests.Session() as s:
            for headers in (GOOD, {"Authorization": "Bearer wrong-guess"}):
                s.get(origin + "/__mock/health", headers=headers, timeout=10)
            s.get(base + "/analytics/api-keys/summary/org_abc123", headers=GOOD, timeout=10)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "GET /__mock/health" in err  # the access log did write the calls
    assert TOKEN not in out + err and "s3cret" not in out + err


def test_repeated_bad_tokens_are_limited(admin: Client) -> None:
    bad = {"Authorization": "Bearer guess"}
    for _ in range(3 * BAD_TOKEN_LIMIT):  # no header at all: a 401 that does not count
        assert call(admin, "GET", "health").status_code == 401
    assert call(admin, "GET", "health", headers=GOOD).status_code == 200
    for _ in range(BAD_TOKEN_LIMIT):
        assert call(admin, "POST", "reset", headers=bad).status_code == 401
    limited = call(admin, "POST", "reset", headers=bad)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "bad admin tokens" in limited.json()["error"]["system_message"]
    # While limited, the right token is refused too: a guess cannot be confirmed.
    assert call(admin, "GET", "health", headers=GOOD).status_code == 429
    # The API itself is not affected.
    assert admin.summary(params=NOV).status_code == 200


def test_the_limit_ends_with_its_window_and_is_bounded() -> None:
    now = [1000.0]
    limiter = BadTokens(limit=3, window=60.0, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("a") == 0
        limiter.failed("a")
    assert limiter.retry_after("a") == 60 and limiter.retry_after("b") == 0
    now[0] += 59.5
    assert limiter.retry_after("a") == 1
    now[0] += 0.5
    assert limiter.retry_after("a") == 0
    limiter.failed("a")  # a new window: one failure so far
    assert limiter.retry_after("a") == 0
    for n in range(5000):
        limiter.failed(f"client-{n}")
    assert len(limiter._seen) <= admin_guard.MAX_CLIENTS
