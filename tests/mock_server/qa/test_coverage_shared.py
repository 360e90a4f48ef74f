"""Coverage counts add up across processes: ``--workers 2`` (the SQLite file) and two
replicas sharing one Redis. Each outcome is driven through one process and read through
another; a reset through either clears them for both. Counts reach the store in batches
(every 0.25 s), so each read is a bounded poll for the expected count, never a sleep."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import FROZEN_NOW
from coverage_helpers import DRIVE, FAULTS_FILE, coverage, get, reset
from helpers import eventually, running
from redis_server import RedisServer

SHARED = [o for o in DRIVE if o != "status:503"]  # the connection cap is per process


@dataclass
class Remote:
    """A freddy-mock process, as the drive functions see a target."""

    origin: str

    @property
    def base_url(self) -> str:
        return self.origin + "/v1"

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])


@contextmanager
def mock(*args: str) -> Iterator[Remote]:
    """Stopped by SIGTERM at the end: exit 0, no traceback."""
    with running("--admin", "--now", FROZEN_NOW, "--header-timeout", "0.3", *args) as (
            proc, base):
        yield Remote(base.rsplit("/v1", 1)[0])
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        assert proc.returncode == 0, err


@pytest.fixture(scope="module")
def faults_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shared") / "faults.yaml"
    path.write_text(FAULTS_FILE)
    return path


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="module", params=["workers", "redis"])
def pair(request: pytest.FixtureRequest, faults_file: Path) -> Iterator[tuple[Remote, Remote]]:
    """Two processes sharing one state: the two workers of one mock (the kernel spreads
    connections over them), or two replicas on one Redis."""
    scenarios = ("--scenarios", str(faults_file))
    if request.param == "workers":
        with mock("--workers", "2", *scenarios) as one:
            yield one, one
        return
    redis_server = request.getfixturevalue("redis_server")
    with redis_server.client() as c:
        c.flushall()
    with ExitStack() as stack:
        a = stack.enter_context(mock("--state", redis_server.url, *scenarios))
        b = stack.enter_context(mock("--state", redis_server.url, *scenarios))
        yield a, b


def counted(target: Remote, outcome: str, expected: int) -> dict:
    """Poll until ``outcome`` has ``expected`` counts (and never more)."""
    def read() -> dict | None:
        doc = coverage(target)
        assert doc["outcomes"][outcome] <= expected, doc["outcomes"]
        return doc if doc["outcomes"][outcome] == expected else None

    return eventually(read, what=f"{outcome} counted {expected} times")


@pytest.mark.parametrize("outcome", SHARED)
def test_each_outcome_counts_once_per_request_across_processes(
        pair: tuple[Remote, Remote], outcome: str) -> None:
    a, b = pair
    reset(a)
    eventually(lambda: coverage(b)["covered"] == 0, what="the reset reached B")
    for _ in range(2):
        DRIVE[outcome](a)
        DRIVE[outcome](b)
    counted(a, outcome, 4)
    counted(b, outcome, 4)


def test_many_plain_requests_add_up_exactly(pair: tuple[Remote, Remote]) -> None:
    a, b = pair
    reset(b)
    eventually(lambda: coverage(a)["covered"] == 0, what="the reset reached A")
    for target in (a, b) * 15:
        assert get(target).status_code == 200
    doc = counted(b, "status:200", 30)
    assert doc["outcomes"]["data:current-month"] == 30
    assert {k for k, v in doc["outcomes"].items() if v} == {"status:200",
                                                             "data:current-month"}


def test_a_reset_through_one_clears_the_other(pair: tuple[Remote, Remote]) -> None:
    a, b = pair
    reset(a)
    get(b, key=None)
    counted(a, "status:401", 1)
    reset(a)
    eventually(lambda: coverage(b)["covered"] == 0, what="B cleared")
    get(b, key=None)
    counted(a, "status:401", 1)  # counting goes on after it, from 0


def test_coverage_answers_503_while_redis_is_lost() -> None:
    # A Redis of its own: pub/sub channels are not per database, so replicas of the pair
    # above on the same server would publish their state to this one when Redis is back.
    redis_server = RedisServer().start()
    try:
        lost_and_back(redis_server)
    finally:
        redis_server.close()


def lost_and_back(redis_server: RedisServer) -> None:
    with mock("--state", redis_server.url) as m:
        assert get(m).status_code == 200
        counted(m, "status:200", 1)
        redis_server.stop()
        try:
            assert get(m).status_code == 200  # the API answers; its count waits
            def refused() -> dict | None:
                resp = requests.get(m.origin + "/__mock/coverage", timeout=10)
                return resp.json() if resp.status_code == 503 else None

            doc = eventually(refused, what="503 while Redis is lost")
            assert doc["error"]["code"] == "SERVICE_UNAVAILABLE"
        finally:
            redis_server.start()
        # Back, but empty (no persistence): what it held is gone, like rate-limit windows;
        # the count made meanwhile waited in memory and arrives with the next batch.
        counted(m, "status:200", 1)


def test_a_sessions_counts_add_up_across_processes(pair: tuple[Remote, Remote]) -> None:
    a, b = pair
    for target in (a, b):
        requests.post(target.origin + "/__mock/reset", params={"session": "shared-s"},
                      timeout=10).raise_for_status()
    for target in (a, b, a):
        assert get(target, X_Mock_Session="shared-s", key=None).status_code == 401
    get(b)  # without a session: not the session's

    def read() -> dict | None:
        doc = coverage(a, session="shared-s")
        return doc if doc["outcomes"]["status:401"] == 3 else None

    doc = eventually(read, what="the session's three 401s")
    assert {k for k, v in doc["outcomes"].items() if v} == {"status:401"}
    # one click in that session: the next request of the session, through the other process
    requests.post(a.origin + "/__mock/coverage/next", timeout=10,
                  json={"outcome": "status:500", "session": "shared-s"}).raise_for_status()
    eventually(lambda: get(b, X_Mock_Session="shared-s").status_code == 500,
               what="the session's next request answers 500")
    assert get(b, X_Mock_Session="shared-s").status_code == 200  # one click, one answer
