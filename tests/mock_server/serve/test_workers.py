"""``--workers N``: what each worker process makes for itself after the fork (request ids,
the QA random generator), and that no worker outlives its parent."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import requests

from conftest import KEY_ABC
from helpers import children, exits_of, running

SUMMARY = "/analytics/api-keys/summary/org_abc123?year=2025&month=11"


def _fresh_get(url: str, **headers: str) -> requests.Response:
    with requests.Session() as session:  # a new connection: the kernel picks the worker
        return session.get(url, headers=headers, timeout=10)


def test_request_ids_and_trace_ids_are_distinct_across_workers() -> None:
    with running("--workers", "2", "--now", "2025-11-20T12:00:00Z") as (_, base):
        ids: list[str] = []
        traces: list[str] = []
        for i in range(40):
            if i % 2:
                resp = _fresh_get(base + SUMMARY, **{"X-API-Key": KEY_ABC})
                assert resp.status_code == 200
            else:  # an error envelope carries the id as trace_id too
                resp = _fresh_get(base + SUMMARY)
                assert resp.status_code == 401
                traces.append(resp.json()["error"]["trace_id"])
            ids.append(resp.headers["X-Request-ID"])
        assert len(set(ids)) == len(ids) == 40
        assert len(set(traces)) == len(traces) == 20
        # both workers answered, each with its own prefix (made after the fork)
        assert len({i.rsplit("-", 1)[0] for i in ids}) == 2


def test_each_worker_draws_its_own_random_delays(tmp_path: Path) -> None:
    scenario = tmp_path / "jitter.yaml"
    scenario.write_text("rules:\n  - delay: {min: 0, max: 30}\n")
    args = ("--workers", "2", "--admin", "--scenarios", str(scenario),
            "--now", "2025-11-20T12:00:00Z")
    with running(*args) as (_, base):
        origin = base.rsplit("/v1", 1)[0]
        for _ in range(40):
            assert _fresh_get(base + SUMMARY, **{"X-API-Key": KEY_ABC}).status_code == 200
        # One journal for both workers (tests/mock_server/serve/test_workers_state.py);
        # read until both have answered (bounded), telling them apart by request-id prefix.
        delays: dict[str, list[int]] = {}
        for _ in range(200):
            seen: dict[str, list[int]] = {}
            for entry in _fresh_get(origin + "/__mock/requests").json()["requests"]:
                prefix = entry["request_id"].rsplit("-", 1)[0]
                seen.setdefault(prefix, []).append(entry["applied"].get("delay_ms", 0))
            delays.update(seen)
            if len(delays) == 2:
                break
        assert len(delays) == 2, "only one worker's journal was reached"
        first, second = (seq[:3] for seq in delays.values())
        assert len(first) == len(second) == 3
        assert first != second  # one generator copied into both workers would repeat


def test_workers_exit_when_the_parent_is_killed() -> None:
    with running("--workers", "2") as (proc, base):
        workers = children(proc.pid)
        assert len(workers) == 2
        assert _fresh_get(base + SUMMARY, **{"X-API-Key": KEY_ABC}).status_code == 200
        with exits_of(workers) as still_running:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            left = still_running(30)
        assert not left, f"workers {sorted(left)} outlived their parent"
