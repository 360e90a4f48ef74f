"""The spec lints clean under Spectral's ``spectral:oas`` and Redocly's ``recommended``
rules (0 errors, 0 warnings), run offline from the pinned npm packages.

Each linter also runs on a copy of the spec with a known regression (the error schemas'
old ``allOf`` shape, the global tag list dropped), so a linter that stopped reporting
anything would fail here too.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_contract.resources import default_spec_path

from . import node_tools

HERE = Path(__file__).resolve().parent
Finding = tuple[str, str]  # (rule id, where / message)


def spectral(spec: Path, out: Path) -> tuple[list[str], Callable[[], list[Finding]]]:
    cmd = [str(node_tools.tool("spectral")), "lint", "--ruleset", str(HERE / "spectral.yaml"),
           "--format", "json", "--output", str(out), "--fail-severity", "hint", str(spec)]

    def findings() -> list[Finding]:
        return [(r["code"], f"{'.'.join(map(str, r['path']))}: {r['message']}")
                for r in json.loads(out.read_text())]
    return cmd, findings


def redocly(spec: Path, out: Path) -> tuple[list[str], Callable[[], list[Finding]]]:
    cmd = [str(node_tools.tool("redocly")), "lint", "--extends", "recommended",
           "--format", "json", str(spec)]

    def findings() -> list[Finding]:
        doc = json.loads(out.read_text())
        return [(p["ruleId"], f"{p['location'][0]['pointer']}: {p['message']}")
                for p in doc["problems"]]
    return cmd, findings


LINTERS = {"spectral": spectral, "redocly": redocly}


def run_all(jobs: dict[str, tuple[Callable[..., Any], Path]], tmp: Path) -> dict[str, Any]:
    """Start every (linter, spec) job at once (each takes about a second), then collect."""
    started = {}
    for name, (linter, spec) in jobs.items():
        out = tmp / f"{name}.json"
        cmd, findings = linter(spec, out)
        # cwd: a directory without any linter config, so only the rules named here apply.
        stdout = out.open("w") if linter is redocly else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, cwd=tmp, env=node_tools.env(), stdout=stdout,
                                stderr=subprocess.PIPE, text=True)
        started[name] = (proc, findings, stdout)
    results = {}
    for name, (proc, findings, stdout) in started.items():
        _, err = proc.communicate(timeout=120)
        if stdout is not subprocess.DEVNULL:
            stdout.close()
        try:
            results[name] = findings()
        except (OSError, ValueError, KeyError) as exc:
            raise AssertionError(f"{name}: no JSON report (exit {proc.returncode}): "
                                 f"{exc}\n{err[-2000:]}") from None
    return results


def regressed_copy(tmp: Path) -> Path:
    """The spec with the two problems the issue reported, as JSON (anchors expanded)."""
    spec = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    del spec["tags"]  # -> Spectral: operation-tag-defined
    # The old shape: the shared envelope narrowed through allOf -> Redocly rejects the
    # examples (no-invalid-media-type-examples).
    spec["components"]["schemas"]["InvalidRequestError"] = {"allOf": [
        {"$ref": "#/components/schemas/ErrorEnvelope"},
        {"properties": {"error": {"properties": {"code": {"const": "INVALID_REQUEST"}}}}},
    ]}
    path = tmp / "regressed.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lint_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("lint")
    regressed = regressed_copy(tmp)
    jobs = {}
    for name, linter in LINTERS.items():
        jobs[name] = (linter, default_spec_path())
        jobs[f"{name}-regressed"] = (linter, regressed)
    return run_all(jobs, tmp)


@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_spec_lints_clean(lint_results: dict[str, Any], linter: str) -> None:
    findings = lint_results[linter]
    assert findings == [], "\n".join(f"{rule}: {text}" for rule, text in findings)


@pytest.mark.parametrize(("linter", "rule"), [
    ("spectral", "operation-tag-defined"),
    ("redocly", "no-invalid-media-type-examples"),
])
def test_linter_reports_a_regressed_spec(lint_results: dict[str, Any], linter: str,
                                         rule: str) -> None:
    rules = {r for r, _ in lint_results[f"{linter}-regressed"]}
    assert rule in rules, rules
