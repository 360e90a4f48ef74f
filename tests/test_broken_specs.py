"""A spec that cannot drive the mock stops the mock, the kit and the proxy with one line that
names the spec file and the problem, exit 2; so do fixtures written for other field names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests.cli import main as kit_main
from mock_server.serve.cli import main as mock_main

from specs import BROKEN, SNAKE_CASE, broken_spec, old_names_fixtures

NOWHERE = "http://127.0.0.1:9"  # (never reached: the spec is refused first)
TOOLS = {
    "mock": lambda spec: mock_main(["--port", "0", "--spec", str(spec)]),
    "proxy": lambda spec: mock_main(["--port", "0", "--spec", str(spec), "--proxy", NOWHERE]),
    "kit": lambda spec: kit_main(["--base-url", NOWHERE + "/v1", "--api-key", "k",
                                  "--org-id", "o", "--spec", str(spec)]),
}


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("tool", list(TOOLS))
@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_spec_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              kind: str, tool: str) -> None:
    spec, needle = broken_spec(tmp_path, kind)
    assert TOOLS[tool](spec) == 2
    line = one_line(capsys)
    assert str(spec) in line
    assert re.search(needle, line), line


@pytest.mark.parametrize("proxy", [False, True])
def test_fixtures_for_other_field_names_are_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], proxy: bool) -> None:
    fixtures = old_names_fixtures(tmp_path / "fixtures")
    args = ["--port", "0", "--spec", str(SNAKE_CASE), "--fixtures", str(fixtures)]
    assert mock_main([*args, *(["--proxy", NOWHERE] if proxy else [])]) == 2
    line = one_line(capsys)
    assert str(fixtures / "summaries.yaml") in line and str(SNAKE_CASE) in line
    assert "written for other field names" in line
    assert "missing organization, period_month" in line  # the new spec's names
    assert "unexpected " in line and "totalApiKeyRequests" in line  # the old ones


def test_the_bundled_fixtures_under_another_spec_are_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled fixtures name the spec's example (``example: documented``); a spec
    without it is refused, not served with a missing summary."""
    from specs import mutate

    def rename(doc: dict) -> None:
        examples = doc["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]["responses"][
            "200"]["content"]["application/json"]["examples"]
        examples["renamed"] = examples.pop("documented")

    spec = mutate(tmp_path, rename)
    assert mock_main(["--port", "0", "--spec", str(spec)]) == 2
    assert "no 200 example named 'documented'" in one_line(capsys)
