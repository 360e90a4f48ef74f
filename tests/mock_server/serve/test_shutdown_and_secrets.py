"""Graceful shutdown with requests in flight, and keys kept out of logs and the journal."""

from __future__ import annotations

import signal
import threading

import pytest
import requests

from conftest import KEY_ABC, KEY_XYZ, Client
from helpers import admin_client, call, running

SUMMARY = "/analytics/api-keys/summary/org_abc123?year=2025&month=11"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_in_flight_request_finishes_then_exit_0(sig: signal.Signals) -> None:
    with running("--admin", "--now", "2025-11-20T12:00:00Z") as (proc, base):
        origin = base.rsplit("/v1", 1)[0]
        result: dict[str, object] = {}

        def slow_call() -> None:
            resp = requests.get(base + SUMMARY, timeout=30,
                                headers={"X-API-Key": KEY_ABC, "Prefer": "delay=1500"})
            result["status"], result["body"] = resp.status_code, resp.json()

        caller = threading.Thread(target=slow_call)
        caller.start()
        for _ in range(2000):  # bounded: wait until the server is answering it
            health = requests.get(origin + "/__mock/health", timeout=10).json()
            if health["journal"]["in_flight"] == 1:
                break
        else:
            pytest.fail("the slow request never reached the server")
        proc.send_signal(sig)
        caller.join(timeout=30)
        assert proc.wait(timeout=30) == 0
        assert result["status"] == 200
        assert result["body"]["totalApiKeyRequests"] == 25000  # type: ignore[index]
        with pytest.raises(requests.ConnectionError):
            requests.get(base + SUMMARY, timeout=5, headers={"X-API-Key": KEY_ABC})


def test_access_log_never_holds_a_key() -> None:
    with running("--access-log") as (proc, base):
        for headers in ({"X-API-Key": KEY_ABC}, {"Api-Key": KEY_XYZ},
                        {"X-API-Key": "sk-secret-unknown-1"}):
            requests.get(base + SUMMARY, headers=headers, timeout=10)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "GET /v1/analytics/api-keys/summary/org_abc123" in err  # it did log
    for secret in (KEY_ABC, KEY_XYZ, "sk-secret-unknown-1"):
        assert secret not in out + err


SECRETS_SENT = [  # (path after /summary/, query, headers): a key or secret outside X-API-Key
    ("org_abc123", f"year=2025&api_key={KEY_ABC}", {}),
    ("org_abc123", "access_token=tok-0123456789abcdef&month=11", {}),
    ("org_abc123", f"x={KEY_XYZ}", {}),
    ("org_abc123", f"{KEY_ABC}", {}),
    ("org_abc123", "Client_Secret=hunter2-hunter2", {}),
    (KEY_ABC, "year=2025", {}),
    ("org_abc123", "year=2025", {"Referer": f"https://me:pw-0123456789@app.example/?key={KEY_XYZ}"}),
]
LEAKS = (KEY_ABC, KEY_XYZ, "tok-0123456789abcdef", "hunter2", "pw-0123456789")


def send_secrets(base: str) -> None:
    for path, query, headers in SECRETS_SENT:
        requests.get(f"{base}/analytics/api-keys/summary/{path}?{query}", timeout=10,
                     headers={"X-API-Key": "sk-wrong-0123456789", **headers})


def test_access_log_redacts_keys_in_query_path_and_referer() -> None:
    with running("--access-log") as (proc, base):
        send_secrets(base)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert err.count("GET /v1/analytics/api-keys/summary/") == len(SECRETS_SENT)
    for secret in LEAKS:
        assert secret not in out + err
    assert "api_key=REDACTED" in err and "summary/REDACTED?year=2025" in err
    assert '"https://REDACTED@app.example/?key=REDACTED"' in err


def test_journal_redacts_keys_in_query_and_path(admin: Client) -> None:
    send_secrets(admin.server.base_url)
    entries = call(admin, "GET", "requests").json()["requests"]
    assert len(entries) == len(SECRETS_SENT)
    for secret in LEAKS:
        assert secret not in str(entries)
    assert [e["query"] for e in entries[:5]] == [
        "year=2025&api_key=REDACTED", "access_token=REDACTED&month=11", "x=REDACTED",
        "REDACTED", "Client_Secret=REDACTED"]
    assert entries[5]["path"].endswith("/summary/REDACTED")


@pytest.fixture
def admin() -> Client:
    yield from admin_client()


def test_conflicting_keys_are_journaled_masked(admin: Client) -> None:
    resp = admin.summary(headers={"Api-Key": "sk-other-secret-99"})
    assert resp.status_code == 401
    entries = call(admin, "GET", "requests").json()["requests"]
    assert entries[-1]["status"] == 401
    text = str(entries)
    assert KEY_ABC not in text and "sk-other-secret-99" not in text
    assert entries[-1]["key"] == "…c123"


def test_oversized_admin_body_is_413_in_the_envelope(admin: Client) -> None:
    resp = call(admin, "POST", "settings", data=b'{"delay_ms": 1, "pad": "' + b"x" * 100_000
                + b'"}', headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert call(admin, "GET", "settings").json()["delay_ms"] == 0  # nothing was applied
