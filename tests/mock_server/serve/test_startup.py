"""Start-up: the bundled spec, fixtures and scenarios are checked here, not at every start
(which keeps jsonschema out of it); whatever the user brings is still checked at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import api_contract
from api_contract.contract import ContractError, load_contract
from api_contract.resources import default_fixtures_dir, default_spec_path, is_bundled
from mock_server.config import MockConfig
from mock_server.foundation.fixtures import FixtureError, load_fixtures, read_keys
from mock_server.qa.parts import builtin_dir
from mock_server.qa.scenario_files import builtin_files, load_scenario
from mock_server.serve.app import build_parts

REPO = Path(__file__).resolve().parents[3]


def test_bundled_files_pass_the_checks_start_up_skips() -> None:
    contract = load_contract(default_spec_path(), validate=True)
    fixtures = load_fixtures(default_fixtures_dir(), contract, validate=True)
    assert fixtures.keys and fixtures.canned
    assert read_keys(default_fixtures_dir())
    files = builtin_files(builtin_dir())
    assert len(files) >= 7
    for path in files:
        load_scenario(path, contract, validate=True)


def test_in_a_source_checkout_nothing_is_trusted(tmp_path: Path) -> None:
    """The checkout's spec, fixtures and scenarios are files a user edits: validated like
    any other (d7d8f84 trusted them, so a bad summary crashed at the first request). Only
    an installed wheel's copy is trusted (tests/test_packaging.py)."""
    # this repository's own files, whether the package runs from it (editable install) or
    # is installed beside it (CI's plain `pip install .`, which trusts only its own copy)
    checkout_spec, checkout_fixtures = REPO / "spec" / "openapi.yaml", REPO / "fixtures"
    assert checkout_spec.is_file() and checkout_fixtures.is_dir()
    assert not is_bundled(checkout_spec) and not is_bundled(checkout_fixtures)
    assert not any(is_bundled(p) for p in builtin_files(checkout_fixtures / "scenarios"))
    installed = (Path(api_contract.__file__).resolve().parent / "_data").is_dir()
    assert is_bundled(default_spec_path()) is installed
    assert all(is_bundled(p) is installed for p in builtin_files(builtin_dir()))
    copy = tmp_path / "openapi.yaml"
    copy.write_bytes(default_spec_path().read_bytes())
    assert not is_bundled(copy) and not is_bundled(tmp_path / "missing")
    assert not is_bundled(default_fixtures_dir().parent)


def test_a_user_spec_with_a_bad_example_still_fails_at_start_up(tmp_path: Path) -> None:
    spec = load_contract(default_spec_path()).raw
    broken = json.loads(json.dumps(spec))
    for response in broken["paths"].values():
        media = response["get"]["responses"]["200"]["content"]["application/json"]
        next(iter(media["examples"].values()))["value"]["month"] = "eleven"
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ContractError, match="violates its schema"):
        build_parts(MockConfig(spec_path=path))
    assert build_parts(MockConfig(spec_path=default_spec_path())).contract.examples


def test_user_fixtures_are_validated_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "keys.yaml").write_text("keys:\n  - key: k\n")
    with pytest.raises(FixtureError, match="'org' is a required property"):
        build_parts(MockConfig(fixtures_dir=tmp_path))


def test_an_incomplete_summary_in_a_checkouts_fixtures_is_one_line_and_exit_2(
        tmp_path: Path) -> None:
    """A checkout (the packages next to spec/ and fixtures/, as cloned) whose
    fixtures/summaries.yaml lost a field: refused at start, not a 500 at the first request."""
    import shutil

    root = Path(__file__).resolve().parents[3]
    for name in ("api_contract", "mock_server", "spec", "fixtures"):
        shutil.copytree(root / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "_data"))
    summaries = tmp_path / "fixtures" / "summaries.yaml"
    summaries.write_text("summaries:\n  - {org: org_abc123, year: 2025, month: 3, "
                         "body: {organization_id: org_abc123}}\n")
    proc = subprocess.run([sys.executable, "-m", "mock_server", "--port", "0"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr[-500:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "summaries.yaml" in lines[0], proc.stderr[-500:]
