"""``--workers 2`` without Redis: the workers share every piece of runtime state, settings
and journal included, so what the control page shows and sets holds for every connection.

A change is visible to every worker once the admin call has answered (a shared version
number), so no waiting: each request below is a fresh connection, which the kernel
spreads over both workers (SO_REUSEPORT)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from api_contract.keys import mask_key

from helpers import running

URL = "/v1/analytics/api-keys/summary/org_abc123?year=2025&month=3"
KEY = {"X-API-Key": "mock-key-abc123"}
N = 12


def fresh(origin: str, method: str = "GET", path: str = URL, **kwargs: object
          ) -> requests.Response:
    with requests.Session() as s:
        return s.request(method, origin + path, timeout=10, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with running("--workers", "2", "--admin", "--journal-size", "30",
                 "--now", "2025-11-20T12:00:00Z") as (proc, base):
        yield base.rsplit("/v1", 1)[0]
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "Traceback" not in err, err


@pytest.fixture
def workers(origin: str) -> str:
    fresh(origin, "POST", "/__mock/reset").raise_for_status()
    return origin


def test_a_forced_error_holds_for_every_connection(workers: str) -> None:
    assert fresh(workers, "POST", "/__mock/settings", json={"error": 500}).status_code == 200
    assert [fresh(workers, headers=KEY).status_code for _ in range(N)] == [500] * N
    settings = [fresh(workers, path="/__mock/settings").json()["errors"] for _ in range(4)]
    assert settings == [[{"org": None, "status": 500}]] * 4
    fresh(workers, "POST", "/__mock/settings", json={"error": None})
    assert [fresh(workers, headers=KEY).status_code for _ in range(N)] == [200] * N


def test_one_journal_for_all_workers(workers: str) -> None:
    ids = [fresh(workers, headers=KEY).headers["X-Request-ID"] for _ in range(N)]
    for _ in range(4):  # whichever worker answers, it shows every request, in order
        entries = fresh(workers, path="/__mock/requests").json()["requests"]
        assert [e["request_id"] for e in entries] == ids
        assert {e["key"] for e in entries} == {mask_key(KEY["X-API-Key"])}
        assert [e["seq"] for e in entries] == list(range(entries[0]["seq"],
                                                         entries[0]["seq"] + N))
    health = fresh(workers, path="/__mock/health").json()
    assert health["journal"]["entries"] == N and health["state"]["backend"] == "file"
    for _ in range(3 * N):  # bounded: the oldest go first
        fresh(workers, headers=KEY)
    assert len(fresh(workers, path="/__mock/requests").json()["requests"]) == 30


def test_count_based_rules_and_reset_hold_across_workers(workers: str) -> None:
    fresh(workers, "POST", "/__mock/scenarios/flaky/activate").raise_for_status()
    # requests 3, 6, 9 of the scenario fail, whichever worker they reach
    assert [fresh(workers, headers=KEY).status_code for _ in range(9)] == [200, 200, 500] * 3
    fresh(workers, "POST", "/__mock/settings", json={"delay_ms": 1}).raise_for_status()
    doc = fresh(workers, "POST", "/__mock/reset").json()
    assert doc["active"] == [] and doc["journal_cleared"] == 9
    for _ in range(4):
        assert fresh(workers, path="/__mock/settings").json()["delay_ms"] == 0
        assert fresh(workers, path="/__mock/requests").json()["requests"] == []
    assert [fresh(workers, headers=KEY).status_code for _ in range(9)] == [200] * 9
