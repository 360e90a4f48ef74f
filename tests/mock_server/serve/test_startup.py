"""Start-up: the bundled spec, fixtures and scenarios are checked here, not at every start
(which keeps jsonschema out of it); whatever the user brings is still checked at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api_contract.contract import ContractError, load_contract
from api_contract.resources import default_fixtures_dir, default_spec_path, is_bundled
from mock_server.config import MockConfig
from mock_server.foundation.fixtures import FixtureError, load_fixtures, read_keys
from mock_server.qa.parts import builtin_dir
from mock_server.qa.scenario_files import builtin_files, load_scenario
from mock_server.serve.app import build_parts


def test_bundled_files_pass_the_checks_start_up_skips() -> None:
    contract = load_contract(default_spec_path(), validate=True)
    fixtures = load_fixtures(default_fixtures_dir(), contract, validate=True)
    assert fixtures.keys and fixtures.canned
    assert read_keys(default_fixtures_dir())
    files = builtin_files(builtin_dir())
    assert len(files) >= 7
    for path in files:
        load_scenario(path, contract, validate=True)


def test_a_default_start_does_not_import_jsonschema() -> None:
    code = (
        "import sys\n"
        "from mock_server.serve.app import create_app\n"
        "from mock_server.config import MockConfig\n"
        "create_app(MockConfig())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'referencing', 'arrow')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_only_the_bundled_paths_are_trusted(tmp_path: Path) -> None:
    assert is_bundled(default_spec_path()) and is_bundled(default_fixtures_dir())
    assert all(is_bundled(p) for p in builtin_files(builtin_dir()))
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
