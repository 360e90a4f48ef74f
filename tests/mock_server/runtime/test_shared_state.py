"""``--state redis://``: two independent freddy-mock processes on two ports, one Redis.

Everything one of them is told (settings, scenarios, reset) is answered by the other; they
count against one rate budget and write one journal; Redis lost and back mid-test. Each
wait is a bounded poll on an observable change (a switch crosses processes by pub/sub).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
import requests

from api_contract.keys import mask_key
from mock_server.qa.coverage import FLUSH

from helpers import eventually, run, running
from redis_server import RedisServer, free_port

KEYS = {"org_abc123": "mock-key-abc123", "org_xyz789": "mock-key-xyz789"}
NOW = "2025-11-20T12:00:00Z"
LIMIT = 40  # per minute per org; the clock is frozen, so one window for the whole test


@dataclass
class Mock:
    origin: str

    def get(self, org: str = "org_xyz789") -> requests.Response:
        with requests.Session() as s:  # a fresh connection each time
            return s.get(f"{self.origin}/v1/analytics/api-keys/summary/{org}",
                         params={"year": 2025, "month": 3},
                         headers={"X-API-Key": KEYS[org]}, timeout=10)

    def admin(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, f"{self.origin}/__mock/{path}", timeout=10,
                                **kwargs)  # type: ignore[arg-type]

    def health(self) -> dict:
        return self.admin("GET", "health").json()


@contextmanager
def mock_process(*args: str) -> Iterator[Mock]:
    """A freddy-mock process; at the end: stopped by SIGTERM, exit 0, no traceback."""
    with running(*args) as (proc, base):
        yield Mock(base.rsplit("/v1", 1)[0])
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        assert proc.returncode == 0, err


@pytest.fixture(scope="module")
def pair(redis_server: RedisServer) -> Iterator[tuple[Mock, Mock]]:
    with redis_server.client() as c:
        c.flushall()
    args = ("--admin", "--state", redis_server.url, "--rate-limit", f"{LIMIT}/min",
            "--now", NOW)
    with ExitStack() as stack:
        a = stack.enter_context(mock_process(*args))
        b = stack.enter_context(mock_process(*args))
        yield a, b


@pytest.fixture
def mocks(pair: tuple[Mock, Mock], redis_server: RedisServer) -> tuple[Mock, Mock]:
    if redis_server.proc is None:  # a test that failed while Redis was stopped
        redis_server.start()
    a, b = pair
    for m in pair:
        eventually(lambda m=m: m.health()["state"]["connected"], what="connected")
    a.admin("POST", "reset").raise_for_status()
    return a, b


def test_a_switch_made_through_one_is_answered_by_the_other(mocks: tuple[Mock, Mock]) -> None:
    a, b = mocks
    assert b.get().status_code == 200
    assert a.admin("POST", "settings", json={"error": 500}).status_code == 200
    eventually(lambda: b.get().status_code == 500, what="B answers the forced error")
    assert [b.get().status_code for _ in range(3)] == [500, 500, 500]
    assert b.admin("GET", "settings").json()["errors"] == [{"org": None, "status": 500}]

    b.admin("POST", "settings", json={"error": None}).raise_for_status()
    b.admin("POST", "scenarios/empty-org/activate", params={"org": "org_xyz789"})
    eventually(lambda: a.get().status_code == 200
               and a.get().json()["totalApiKeyRequests"] == 0, what="A applies empty-org")
    assert a.get("org_abc123").json()["totalApiKeyRequests"] > 0  # only for that org
    assert a.admin("GET", "health").json()["active"] == [
        {"name": "empty-org", "org": "org_xyz789"}]


def test_one_rate_budget_across_both(mocks: tuple[Mock, Mock]) -> None:
    a, b = mocks
    seen = []
    for i in range(LIMIT + 4):
        resp = (a, b)[i % 2].get("org_abc123")
        seen.append((resp.status_code, resp.headers["x-ratelimit-remaining-requests"]))
    assert seen == [(200, str(n)) for n in range(LIMIT - 1, -1, -1)] + [(429, "0")] * 4
    assert a.get("org_xyz789").status_code == 200  # a budget per organization


def test_count_based_rules_count_across_both(mocks: tuple[Mock, Mock]) -> None:
    a, b = mocks
    a.admin("POST", "scenarios/flaky/activate").raise_for_status()
    eventually(lambda: b.health()["active"], what="B sees flaky")
    # requests 3, 6, 9 of the scenario fail, wherever they arrive
    assert [(a, b)[i % 2].get().status_code for i in range(9)] == [200, 200, 500] * 3


def test_the_journal_of_either_shows_both(mocks: tuple[Mock, Mock],
                                          redis_server: RedisServer) -> None:
    a, b = mocks
    ids = {a.get("org_abc123").headers["X-Request-ID"],
           b.get("org_xyz789").headers["X-Request-ID"]}

    def journaled(m: Mock) -> list[dict]:
        entries = m.admin("GET", "requests").json()["requests"]
        return entries if {e["request_id"] for e in entries} == ids else []

    for m in (a, b):
        entries = eventually(lambda m=m: journaled(m), what="both requests journaled")
        first = entries[0]["seq"]  # numbers go on after a clear, as in one process
        assert [e["seq"] for e in entries] == [first, first + 1]
        assert {e["key"] for e in entries} == {mask_key(k) for k in KEYS.values()}
    with redis_server.client() as c:
        stored = b"".join(c.lrange("freddy-mock:journal", 0, -1))
    assert b"mock-key-abc123" not in stored and b"mock-key-xyz789" not in stored
    assert b.admin("DELETE", "requests").json() == {"cleared": 2}
    assert a.admin("GET", "requests").json()["requests"] == []


def test_reset_through_one_resets_both(mocks: tuple[Mock, Mock]) -> None:
    a, b = mocks
    for _ in range(LIMIT):
        a.get("org_abc123")
    assert b.get("org_abc123").status_code == 429
    b.admin("POST", "scenarios/rate-limited/activate").raise_for_status()
    b.admin("POST", "settings", json={"delay_ms": 5}).raise_for_status()
    eventually(lambda: a.admin("GET", "settings").json()["delay_ms"] == 5, what="A sees it")

    assert a.admin("POST", "reset").json()["active"] == []
    assert b.admin("GET", "requests").json()["requests"] == []  # one journal, cleared
    eventually(lambda: b.get("org_abc123").status_code == 200, what="B's budget restored")
    assert b.admin("GET", "settings").json()["delay_ms"] == 0
    assert b.health()["active"] == [] and b.get().status_code == 200


def test_redis_lost_and_back(mocks: tuple[Mock, Mock], redis_server: RedisServer) -> None:
    a, b = mocks
    a.admin("POST", "settings", json={"error": 403, "org": "org_xyz789"}).raise_for_status()
    eventually(lambda: b.get().status_code == 403, what="B answers 403")

    redis_server.stop()
    for m in (a, b):
        health = eventually(lambda m=m: (h := m.health())["status"] == "degraded" and h,
                            what="health says degraded")
        assert health["state"]["connected"] is False and health["state"]["error"]
    # the API keeps answering with the last state it knew, and counts in memory
    assert b.get().status_code == 403 and a.get().status_code == 403
    assert a.get("org_abc123").headers["x-ratelimit-remaining-requests"] == str(LIMIT - 1)
    # changes answer 503 in the API's envelope; so does the shared journal
    for resp in (a.admin("POST", "settings", json={"error": None}),
                 b.admin("POST", "scenarios/flaky/activate"),
                 a.admin("POST", "reset"),
                 b.admin("GET", "requests")):
        assert resp.status_code == 503
        error = resp.json()["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE" and "shared state" in \
            error["system_message"]

    redis_server.start()  # the same port, empty: no persistence
    for m in (a, b):
        eventually(lambda m=m: m.health()["status"] == "ok", what="recovered by itself")
        assert m.admin("GET", "settings").json()["errors"] == [
            {"org": "org_xyz789", "status": 403}]  # no setting lost
    with redis_server.client() as c:
        assert c.exists("freddy-mock:control")  # written back to the new Redis
    # the requests answered meanwhile reach the journal once Redis is back
    eventually(lambda: len(b.admin("GET", "requests").json()["requests"]) >= 3,
               what="queued journal entries pushed")
    b.admin("POST", "settings", json={"error": None, "org": "org_xyz789"}).raise_for_status()
    eventually(lambda: a.get().status_code == 200, what="a change after recovery crosses")


# The listener's periodic check (and the reconnect after one that failed on a loaded
# machine: HELLO, CLIENT SETINFO, SELECT, SUBSCRIBE), and this test's own INFO.
LIVENESS = {"get", "info", "ping", "hello", "client", "select", "subscribe"}


def test_the_plain_path_asks_redis_nothing(redis_server: RedisServer) -> None:
    with mock_process("--state", redis_server.url, "--now", NOW) as m:
        assert m.get().status_code == 200
        before = calls(redis_server)
        started = time.monotonic()
        assert [m.get().status_code for _ in range(20)] == [200] * 20
        delta = {k: n - before.get(k, 0) for k, n in calls(redis_server).items()}
        periods = (time.monotonic() - started) / FLUSH + 2
        # Nothing per request: no script, counter, journal or control command. Only the
        # listener's liveness check (one GET every few seconds; more often on a loaded
        # machine, when a slow answer counts as a failure) may fall in between, and the
        # coverage counts' batches: at most one per FLUSH period, one HINCRBY per outcome
        # met in it (here status:200 only) and one EXPIRE.
        batches = delta.get("expire", 0)
        assert batches <= periods and delta.get("hincrby", 0) <= batches
        assert {k: n for k, n in delta.items()
                if n and k not in LIVENESS | {"hincrby", "expire"}} == {}
        assert delta.get("get", 0) < 20  # fewer liveness GETs than requests


def calls(redis_server: RedisServer) -> dict[str, int]:
    with redis_server.client() as c:
        return {k.removeprefix("cmdstat_"): v["calls"] for k, v in c.info("commandstats").items()}


SCRIPTED = {"incrby", "expire", "get", "rpush", "ltrim"}  # what the two scripts run inside


def test_a_counted_request_costs_one_script_call(mocks: tuple[Mock, Mock],
                                                 redis_server: RedisServer) -> None:
    a, _ = mocks
    before = calls(redis_server)
    assert [a.get().status_code for _ in range(10)] == [200] * 10
    delta = {k: n - before.get(k, 0) for k, n in calls(redis_server).items()}
    # per request: one call for its count, one (queued, in the background) for the journal
    assert delta.get("evalsha", 0) <= 2 * 10
    # (and the coverage counts' batches, at most one a FLUSH period: see the test above)
    others = {k: n for k, n in delta.items()
              if n and k not in {"evalsha", "info", "hincrby", *SCRIPTED}}
    assert sum(others.values()) <= 3, others  # the listener's check may fall in between


def test_redis_unreachable_at_start_is_one_line_and_exit_2() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for extra in ((), ("--workers", "2")):
        proc = run("--port", "0", "--state", url, *extra)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot use Redis" in lines[0] and url in lines[0], lines
        assert proc.stdout == ""


def test_bad_state_url_is_exit_2_and_hides_a_password() -> None:
    proc = run("--state", "mysql://x")
    assert proc.returncode == 2 and "expected memory or redis://" in proc.stderr
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    proc = run("--port", "0", "--state", url)
    assert proc.returncode == 2 and "hunter2" not in proc.stderr and ":***@" in proc.stderr
