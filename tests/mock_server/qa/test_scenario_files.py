"""Scenario files: validation at start-up (one line naming file, line and path; exit 2),
user-written rules, and --watch reloading them without dropping requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from api_contract.contract import load_contract
from api_contract.resources import default_spec_path
from mock_server.config import QaConfig
from mock_server.qa.parts import builtin_dir
from mock_server.qa.scenario_files import ScenarioError, load_scenario

from conftest import KEY_ABC, KEY_XYZ, Client, start
from helpers import run

BAD = [
    ("rules:\n  - delay: -5\n", "line 2: rules/0/delay: -5 is less than the minimum of 0"),
    ("rules:\n  - match: {org: x}\n    dealy: 5\n", "line 3: rules/0/dealy: Additional"),
    ("rules:\n  - error: 418\n", "line 2: rules/0/error: 418 is not a documented error"),
    ("rules:\n  - error: 500\n    fault: reset\n", "line 3: rules/0/fault: a rule answers"),
    ("rules:\n  - match: {month: 13}\n    delay: 1\n", "line 2: rules/0/match/month: 13"),
    ("rules:\n  - match: {org: x}\n", "line 2: rules/0: a rule needs an action"),
    ("rules:\n  - fault: explode\n", "line 2: rules/0/fault: 'explode' is not valid"),
    ("rules:\n  - rate_limit: lots\n", "line 2: rules/0/rate_limit"),
    ("rules:\n  - example: nope\n", "line 2: rules/0/example: no example 'nope'"),
    ("rules:\n  - match: {at: 2}\n    error: 500\n", "line 2: rules/0/match/at: 'at' needs"),
    ("rules: [\n", "line 2: not valid YAML"),
    ("name: Bad Name\nrules: [{delay: 1}]\n", "line 1: name: 'Bad Name' does not match"),
    ("rules: []\n", "line 1: rules: [] should be non-empty"),
]


@contextmanager
def serving(path: Path, *, admin: bool = False) -> Iterator[Client]:
    """A mock with the scenario file ``path`` active, and a client of it."""
    srv = start(qa=QaConfig(scenarios=(str(path),), admin=admin))
    try:
        with requests.Session() as s:
            yield Client(srv, s)
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def contract():  # type: ignore[no-untyped-def]
    return load_contract(default_spec_path())


@pytest.mark.parametrize(("text", "message"), BAD)
def test_invalid_files_name_file_line_and_path(tmp_path: Path, contract, text: str,
                                               message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, contract)
    assert str(info.value).startswith(f"{path} ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("text", "message"), BAD[:2])
def test_cli_refuses_an_invalid_file_with_exit_2(tmp_path: Path, text: str,
                                                 message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    proc = run("--scenarios", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]


def test_cli_refuses_unknown_builtin_and_watch_without_files() -> None:
    proc = run("--scenarios", "no-such-scenario")
    assert proc.returncode == 2 and "built-ins: documented-errors" in proc.stderr
    proc = run("--watch")
    assert proc.returncode == 2 and "--watch needs" in proc.stderr


def test_every_builtin_is_valid(contract) -> None:
    names = {load_scenario(p, contract).name for p in builtin_dir().glob("*.yaml")}
    assert names == {"documented-errors", "slow", "flaky", "rate-limited", "empty-org",
                     "enterprise-org", "new-org"}


RULES = """\
name: mine
description: my team's bad day
rules:
  - match: {org: org_xyz789, month: [1, 2]}
    error: 403
  - match: {key: mock-key-abc123, year: 2024}
    example: no-usage
  - match: {header: {X-Scenario: slow-500}}
    delay: 1
    error: 500
"""


def test_user_rules_match_on_org_key_year_month_and_header(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(RULES)
    with serving(path, admin=True) as c:
        assert c.summary("org_xyz789", KEY_XYZ, params={"month": 1}).status_code == 403
        assert c.summary("org_xyz789", KEY_XYZ, params={"month": 3}).status_code == 200
        assert c.summary(params={"year": 2024, "month": 5}).json() == \
            c.contract.examples["no-usage"].value
        assert c.summary(params={"year": 2025}).json()["year"] == 2025
        assert c.summary(headers={"X-Scenario": "slow-500"}).status_code == 500
        srv = c.server
        entry = srv.call(srv.parts.qa.journal.entries())[-1]  # type: ignore[union-attr]
        assert entry.applied == {"scenario": "mine", "rule": 2, "delay_ms": 1}


def test_a_rule_can_rate_limit_one_org(tmp_path: Path) -> None:
    path = tmp_path / "limit.yaml"
    path.write_text("rules:\n  - match: {org: org_xyz789}\n    rate_limit: 2/min\n")
    with serving(path) as c:
        answers = [c.summary("org_xyz789", KEY_XYZ) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert [r.headers["x-ratelimit-remaining-requests"] for r in answers] == [
            "1", "0", "0"]
        assert answers[2].headers["Retry-After"] == "4"
        assert all(c.summary().status_code == 200 for _ in range(3))


def test_cli_starts_with_a_builtin_scenario_and_the_admin_api() -> None:
    from helpers import running

    with running("--scenarios", "flaky", "--admin", "--now", "2025-11-20T12:34:56Z") as (_, base):
        url = base + "/analytics/api-keys/summary/org_abc123"
        codes = [requests.get(url, headers={"X-API-Key": KEY_ABC}, timeout=10).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 500]
        origin = base.removesuffix("/v1")
        health = requests.get(origin + "/__mock/health", timeout=10).json()
        assert health["active"] == [{"name": "flaky", "org": None}]


@pytest.mark.parametrize(("fault", "kind", "stall_ms"), [
    ("reset", "reset", 30_000), ("{type: stall}", "stall", 30_000),
    ("{type: stall, stall_ms: 5}", "stall", 5),
])
def test_fault_forms(tmp_path: Path, contract, fault: str, kind: str, stall_ms: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(f"rules:\n  - fault: {fault}\n")
    [rule] = load_scenario(path, contract).rules
    assert rule.fault is not None
    assert (rule.fault.kind, rule.fault.stall_ms) == (kind, stall_ms)


def test_two_files_may_not_share_a_name(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("name: same\nrules: [{delay: 1}]\n")
    proc = run("--scenarios", str(tmp_path / "a.yaml"), "--scenarios", str(tmp_path / "b.yaml"))
    assert proc.returncode == 2
    assert "'same' is already used by" in proc.stderr and str(tmp_path / "a.yaml") in proc.stderr


def test_usage_created_at_an_instant(tmp_path: Path) -> None:
    path = tmp_path / "created.yaml"
    path.write_text("rules:\n  - usage: {created: '2025-11-01T00:00:00Z'}\n")
    with serving(path) as c:
        assert c.summary(params={"year": 2025, "month": 10}).json()[
            "totalApiKeyRequests"] == 0
        assert c.summary(params={"year": 2025, "month": 11}).json()[
            "totalApiKeyRequests"] == 25000  # created at the month's start: all of it


@pytest.mark.parametrize("stem", ["My Scenario", "x\nSet-Cookie: a=b", "<img src=x>", "-x",
                                  "a" * 65])
def test_a_file_name_that_is_no_scenario_name_needs_a_name(tmp_path: Path, stem: str) -> None:
    """The name ends up in URLs (/__mock/scenarios/NAME), Preference-Applied and the page."""
    path = tmp_path / f"{stem}.yaml"
    path.write_text("rules:\n  - delay: 1\n")
    with pytest.raises(ScenarioError, match="is not a scenario name"):
        load_scenario(path, load_contract(default_spec_path()))
    path.write_text("name: fine-name\nrules:\n  - delay: 1\n")
    assert load_scenario(path, load_contract(default_spec_path())).name == "fine-name"


def test_yaml_tags_that_would_run_code_are_refused(tmp_path: Path) -> None:
    """Scenario files are read with the safe loader: a Python tag is an error, not a call."""
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f'name: evil\nrules:\n  - delay: !!python/object/apply:os.system '
                    f'["touch {marker}"]\n')
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path, load_contract(default_spec_path()))
    assert not marker.exists()
