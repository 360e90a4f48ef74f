"""Hostile files a user may bring (spec, fixtures, scenario files): refused in one short
line, quickly, in bounded memory. Every server here runs in a subprocess under an address-
space limit and a timeout, so a regression fails the test instead of the machine."""

from __future__ import annotations

import resource
import select
import subprocess
from pathlib import Path
from typing import IO

import pytest
import requests

from api_contract.resources import default_fixtures_dir, default_spec_path

from helpers import CMD, running

LIMIT_BYTES = 1024 * 1024 * 1024  # the mock starts in about 210 MB of address space
TIMEOUT = 30  # seconds; the bomb below took 50 s and 6.2 GB before aliases were refused


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def bomb() -> str:
    """One flow value, nine levels of nine aliases: about 500 bytes that expand to 9**9
    (387 million) strings. Fits wherever a value goes."""
    levels = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "[" + ", ".join(levels) + "]"


def run_limited(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, "--port", "0", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=limited)


def one_line_exit_2(proc: subprocess.CompletedProcess[str], needle: str) -> str:
    assert proc.returncode == 2, proc.stderr[-500:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], proc.stderr[-500:]
    assert len(lines[0]) <= 520  # "freddy-mock: error: " and 500 characters at most
    return lines[0]


def test_an_alias_bomb_scenario_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(f"rules:\n  - description: {bomb()}\n    delay: 1\n")
    one_line_exit_2(run_limited("--scenarios", str(path)), "aliases")


def test_an_alias_bomb_fixtures_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").write_text(f"keys:\n  - key: k-0123456789\n    org: {bomb()}\n")
    one_line_exit_2(run_limited("--fixtures", str(tmp_path)), "aliases")


def test_an_alias_bomb_spec_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    spec = default_spec_path().read_text(encoding="utf-8")
    path.write_text(f"{spec}\nx-bomb: {bomb()}\n")
    one_line_exit_2(run_limited("--spec", str(path)), "aliases")


def test_an_oversized_scenario_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 120_000 + "rules:\n  - delay: 1\n")  # 1.2 MB, valid
    one_line_exit_2(run_limited("--scenarios", str(path)), "larger than 1024 KiB")


def test_a_message_quoting_a_huge_value_is_one_short_line(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").write_text("keys: " + "x" * 200_000 + "\n")
    line = one_line_exit_2(run_limited("--fixtures", str(tmp_path)), "is not of type")
    assert " ... " in line and line.endswith("is not of type 'array'")


def test_modest_aliases_still_load(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"  # the bundled spec's anchors, in a user's copy
    spec.write_text(default_spec_path().read_text(encoding="utf-8"))
    path = tmp_path / "ok.yaml"
    path.write_text("description: '*not an alias* in a string'\nrules:\n"
                    "  - match: &abc {org: org_abc123}\n    delay: 1\n"
                    "  - match: *abc\n    delay: 2\n")
    with running("--spec", str(spec), "--scenarios", str(path), preexec_fn=limited) as (_, base):
        resp = requests.get(base + "/analytics/api-keys/summary/org_abc123",
                            headers={"X-API-Key": "mock-key-abc123"}, timeout=10)
        assert resp.status_code == 200


def _wait_for_line(stream: IO[str], needle: str, timeout: float = TIMEOUT) -> str:
    """The first stderr line holding ``needle``; select() bounds the wait, no polling."""
    while True:
        ready, _, _ = select.select([stream], [], [], timeout)
        if not ready:
            pytest.fail(f"no line with {needle!r} within {timeout} s")
        line = stream.readline()
        if not line:
            pytest.fail(f"the server exited before logging {needle!r}")
        if needle in line:
            return line


def test_a_bomb_edit_under_watch_is_reported_and_watching_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "watched.yaml"
    path.write_text("rules:\n  - error: 500\n")
    args = ("--scenarios", str(path), "--watch", "--admin")
    with running(*args, preexec_fn=limited) as (proc, base):
        origin = base.removesuffix("/v1")
        path.write_text(f"rules:\n  - description: {bomb()}\n    delay: 1\n")
        line = _wait_for_line(proc.stderr, "scenario reload failed")
        assert "aliases" in line
        health = requests.get(origin + "/__mock/health", timeout=10).json()
        assert "aliases" in health["reload_error"] and health["watching"] is True
        path.write_text("name: watched\nrules:\n  - error: 403\n")  # a good edit later
        _wait_for_line(proc.stderr, "scenarios reloaded")
        health = requests.get(origin + "/__mock/health", timeout=10).json()
        assert health["reload_error"] is None and health["reloads"] == 1
        url = base + "/analytics/api-keys/summary/org_abc123"
        assert requests.get(url, headers={"X-API-Key": "mock-key-abc123"},
                            timeout=10).status_code == 403


def test_the_bundled_files_load_under_the_same_limit() -> None:
    assert default_fixtures_dir().is_dir()
    with running(preexec_fn=limited) as (_, base):
        assert requests.get(base.removesuffix("/v1") + "/openapi.json", timeout=10).ok
