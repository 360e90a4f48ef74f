"""Sessions across processes: ``--workers 2`` (the SQLite file) and two replicas on one
Redis. A switch made for a session through any process applies to that session's
requests on every other, and to no one else's; the cap holds across them all.

Each request is a fresh connection (the kernel spreads them over the workers); a change
crosses Redis replicas by pub/sub, so waits there are bounded polls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import requests

from helpers import eventually, running
from redis_server import RedisServer

PATH = "/v1/analytics/api-keys/summary/org_abc123?year=2025&month=3"
KEY = "mock-key-abc123"
N = 8


def get(origin: str, session: str | None = None) -> requests.Response:
    headers = {"X-API-Key": KEY}
    if session is not None:
        headers["X-Mock-Session"] = session
    with requests.Session() as s:
        return s.get(origin + PATH, headers=headers, timeout=10)


def admin(origin: str, method: str, path: str, **kwargs: object) -> requests.Response:
    with requests.Session() as s:
        resp = s.request(method, f"{origin}/__mock/{path}", timeout=10, **kwargs)  # type: ignore[arg-type]
    return resp


@contextmanager
def mock(*args: str) -> Iterator[str]:
    with running("--admin", "--now", "2025-11-20T12:00:00Z", *args) as (proc, base):
        yield base.rsplit("/v1", 1)[0]
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "Traceback" not in err, err


def opposite_switches(switch_via: str, ask: str) -> None:
    """alice: rate-limited; bob: a forced 500 and flaky; no session: neither."""
    admin(switch_via, "POST", "scenarios/rate-limited/activate",
          params={"session": "alice"}).raise_for_status()
    admin(switch_via, "POST", "settings", json={"session": "bob", "error": 500}
          ).raise_for_status()
    admin(switch_via, "POST", "scenarios/flaky/activate", json={"session": "carol"}
          ).raise_for_status()
    eventually(lambda: get(ask, "alice").status_code == 429, what="alice's switch arrives")
    eventually(lambda: get(ask, "bob").status_code == 500, what="bob's switch arrives")
    assert [get(ask, "alice").status_code for _ in range(N)] == [429] * N
    assert [get(ask, "bob").status_code for _ in range(N)] == [500] * N
    assert [get(ask).status_code for _ in range(N)] == [200] * N
    # carol's every: counter is hers, whichever process counts
    assert [get((switch_via, ask)[i % 2], "carol").status_code for i in range(6)] == [
        200, 200, 500, 200, 200, 500]
    assert {s["name"] for s in admin(ask, "GET", "sessions").json()["sessions"]} == {
        "alice", "bob", "carol"}
    entries = admin(ask, "GET", "requests", params={"session": "alice"}).json()["requests"]
    assert len(entries) >= N and {e["session"] for e in entries} == {"alice"}


def test_workers_share_sessions() -> None:
    with mock("--workers", "2", "--max-sessions", "3") as origin:
        opposite_switches(origin, origin)
        assert get(origin, "dave").status_code == 503  # the cap, for every worker
        assert admin(origin, "DELETE", "sessions/bob").json()["ended"] is True
        assert [get(origin, "dave").status_code for _ in range(N)] == [200] * N
        admin(origin, "POST", "reset", params={"session": "alice"}).raise_for_status()
        assert [get(origin, "alice").status_code for _ in range(N)] == [200] * N


@pytest.fixture
def redis_empty(redis_server: RedisServer) -> RedisServer:
    if redis_server.proc is None:  # a test that failed while Redis was stopped
        redis_server.start()
    with redis_server.client() as c:
        c.flushall()
    return redis_server


def test_replicas_on_one_redis_share_sessions(redis_empty: RedisServer) -> None:
    args = ("--state", redis_empty.url, "--max-sessions", "3")
    with ExitStack() as stack:
        a = stack.enter_context(mock(*args))
        b = stack.enter_context(mock(*args))
        assert get(b, "alice").status_code == 200  # b holds alice before a switches it
        opposite_switches(a, b)
        assert get(a, "dave").status_code == 503 and get(b, "dave").status_code == 503
        admin(b, "DELETE", "sessions/bob").raise_for_status()
        assert get(a, "dave").status_code == 200
        admin(b, "POST", "reset", params={"session": "alice"}).raise_for_status()
        eventually(lambda: get(a, "alice").status_code == 200, what="a sees alice's reset")


def health(origin: str) -> dict:
    return admin(origin, "GET", "health").json()


def test_sessions_while_redis_is_lost_and_back(redis_empty: RedisServer) -> None:
    redis_server = redis_empty
    with mock("--state", redis_server.url) as origin:
        admin(origin, "POST", "scenarios/rate-limited/activate",
              params={"session": "alice"}).raise_for_status()
        assert get(origin, "alice").status_code == 429
        redis_server.stop()
        try:
            eventually(lambda: health(origin)["status"] == "degraded", what="degraded")
            assert get(origin, "alice").status_code == 429  # the scope it holds answers
            refused = get(origin, "bob")  # a new one cannot be counted against the cap
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
            assert get(origin).status_code == 200
        finally:
            redis_server.start()  # the same port, empty: no persistence
        eventually(lambda: health(origin)["status"] == "ok", what="recovered by itself")
        assert get(origin, "bob").status_code == 200
        # Redis forgot alice: she starts again, with nothing switched
        assert get(origin, "alice").status_code == 200
