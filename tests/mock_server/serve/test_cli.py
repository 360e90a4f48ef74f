"""The freddy-mock command: start-up, flags, one-line errors with exit 2, signals."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from cli_refusals import refused

from helpers import read_line, run, running


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--port", "99999"], "not a port number"),
        (["--now", "yesterday"], "not an ISO-8601 instant"),
        (["--key", "novalue"], "expected KEY=ORG"),
        (["--seed", "x"], "--seed"),
        (["--bogus"], "unrecognized arguments"),
        (["--host", "0.0.0.0"], "pass --expose"),
        (["--spec", "/nonexistent/openapi.yaml"], "cannot read spec"),
        (["--fixtures", "/nonexistent"], "does not exist"),
    ],
)
def test_bad_flags_one_line_exit_2(args: list[str], needle: str) -> None:
    assert needle in refused(*args)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("keys: [", "not valid YAML"),
        ("keys:\n  - key: k\n", "'org' is a required property"),
        ("nokeys: 1\n", "'keys' is a required property"),
    ],
)
def test_invalid_fixture_file_one_line_exit_2(tmp_path: Path, content: str, needle: str) -> None:
    (tmp_path / "keys.yaml").write_text(content)
    proc = run("--fixtures", str(tmp_path))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert needle in proc.stderr and "keys.yaml" in proc.stderr


def test_unreadable_fixtures_file(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").mkdir()  # a directory where a file should be
    proc = run("--fixtures", str(tmp_path))
    assert proc.returncode == 2 and "cannot read fixtures file" in proc.stderr


def test_serves_with_added_key_and_frozen_clock() -> None:
    with running("--key", "team-key-000111=org_team", "--now", "2026-04-02T08:00:00Z") as (_, base):
        resp = requests.get(base + "/analytics/api-keys/summary/org_team",
                            headers={"X-API-Key": "team-key-000111"}, timeout=10)
        assert resp.status_code == 200
        assert (resp.json()["year"], resp.json()["month"]) == (2026, 4)


def test_startup_line_masks_keys() -> None:
    with running("--key", "team-key-000111=org_team") as (proc, base):
        assert base.startswith("http://127.0.0.1:")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert "team-key-000111" not in out + err and "mock-key-abc123" not in out + err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_0(sig: signal.Signals) -> None:
    with running() as (proc, _):
        os.kill(proc.pid, sig)
        assert proc.wait(timeout=30) == 0


def test_workers_share_one_port_and_answer_identically() -> None:
    with running("--workers", "2", "--now", "2025-11-20T12:00:00Z") as (proc, base):
        kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True,
                              timeout=30)
        assert len(kids.stdout.split()) == 2
        url = base + "/analytics/api-keys/summary/org_xyz789?year=2024&month=5"
        bodies = set()
        for _ in range(20):  # a new connection each time: the kernel spreads them
            with requests.Session() as s:
                bodies.add(s.get(url, headers={"X-API-Key": "mock-key-xyz789"}, timeout=10)
                           .content)
        assert len(bodies) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_bad_worker_count_is_exit_2() -> None:
    proc = run("--workers", "0")
    assert proc.returncode == 2 and "not a worker count" in proc.stderr


def test_non_loopback_bind_needs_expose_and_warns() -> None:
    with running("--host", "0.0.0.0", "--expose", "--allowed-host", "mock.test") as (proc,
                                                                                     base):
        assert base.startswith("http://0.0.0.0:")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert "WARNING" in err and "reachable from other machines" in err


def test_workers_share_rate_limit_counters_and_active_scenarios() -> None:
    args = ("--workers", "2", "--admin", "--rate-limit", "6/min", "--now", "2025-11-20T12:00:00Z")
    with running(*args) as (_, base):
        origin = base.rsplit("/v1", 1)[0]
        url = base + "/analytics/api-keys/summary/org_abc123?year=2025&month=3"
        seen = []
        for _ in range(8):  # a fresh connection each time: both workers take a share
            with requests.Session() as s:
                resp = s.get(url, headers={"X-API-Key": "mock-key-abc123"}, timeout=10)
                seen.append((resp.status_code, resp.headers["x-ratelimit-remaining-requests"]))
        # one budget for the org across processes: 6 answers, then 429s
        assert seen == [(200, str(n)) for n in range(5, -1, -1)] + [(429, "0")] * 2
        with requests.Session() as s:
            s.post(origin + "/__mock/scenarios/empty-org/activate", timeout=10).raise_for_status()
        bodies = set()
        other = base + "/analytics/api-keys/summary/org_xyz789?year=2024&month=3"
        for _ in range(6):
            with requests.Session() as s:
                bodies.add(s.get(other, headers={"X-API-Key": "mock-key-xyz789"},
                                 timeout=10).json()["totalApiKeyRequests"])
        assert bodies == {0}  # every worker sees the scenario switched on through one of them


def startup_lines(proc: subprocess.Popen[str], count: int) -> list[str]:
    """The ``count`` lines after "listening on" (which ``running`` has read)."""
    assert proc.stdout is not None
    return [read_line(proc.stdout) for _ in range(count)]


def test_startup_names_docs_and_fixtures_dir(tmp_path: Path) -> None:
    with running(cwd=str(tmp_path)) as (proc, base):
        origin = base.rsplit("/v1", 1)[0]
        docs, fixtures = startup_lines(proc, 2)
    assert docs == f"  docs: {origin}/docs\n"
    assert fixtures.startswith("  fixtures: ")  # no control page line without --admin
    assert (Path(fixtures.split(": ", 1)[1].strip()) / "keys.yaml").is_file()


def test_startup_names_the_control_page_and_a_local_fixtures_dir_it_ignores(
        tmp_path: Path) -> None:
    """Run from a clone after a plain `pip install .`: ./fixtures is not what is served."""
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "keys.yaml").write_text("keys: []\n")
    with running("--admin", cwd=str(tmp_path)) as (proc, base):
        origin = base.rsplit("/v1", 1)[0]
        second, *rest = startup_lines(proc, 4)
    assert second == f"  docs: {origin}/docs\n"
    assert rest[0] == f"  control page: {origin}/__mock/ui\n"
    assert rest[1].startswith("  fixtures: ") and str(tmp_path) not in rest[1]
    assert rest[2] == (f"  note: ./fixtures is not used (the installed copy is); "
                       f"pass --fixtures {tmp_path / 'fixtures'} to serve it\n")


@pytest.mark.parametrize("url", ["redis://[bad", "redis://:secret@[::1/0",
                                 "redis://host:99999999/0", "rediss://h:port/0"])
def test_a_malformed_state_url_is_one_line_and_exit_2(url: str) -> None:
    """d7d8f84 printed a 44-line traceback and exited 1 for redis://[bad."""
    proc = run("--state", url)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--state" in lines[0], proc.stderr
    assert "secret" not in proc.stderr and "Traceback" not in proc.stderr


def test_an_ipv6_host_is_bracketed_in_every_printed_url() -> None:
    """d7d8f84 printed http://::1:PORT/v1 (not a URL anyone can use)."""
    with running("--host", "::1") as (proc, base):
        assert proc.stdout is not None
        notes = read_line(proc.stdout)
        assert base.startswith("http://[::1]:") and base.endswith("/v1")
        assert "http://[::1]:" in notes and "http://::1" not in notes
        resp = requests.get(base + "/analytics/api-keys/summary/org_abc123",
                            headers={"X-API-Key": "mock-key-abc123"}, timeout=10)
        assert resp.status_code == 200


def test_an_in_process_ipv6_servers_urls_are_bracketed() -> None:
    from conftest import start

    server = start(host="::1")
    try:
        assert server.origin.startswith("http://[::1]:")
        assert requests.get(server.base_url + "/analytics/api-keys/summary/org_abc123",
                            headers={"X-API-Key": "mock-key-abc123"},
                            timeout=10).status_code == 200
    finally:
        server.stop()
