"""The pytest plugin's coverage side: ``--freddy-coverage-require NAME,...|all`` fails the
session at its end, naming the contract's outcomes its tests never met (every test may
pass). What a test met is added up across the per-test resets (``freddy_mock``), the
tests' sessions of a running mock (``--freddy-url``) and pytest-xdist's workers (the
controller judges the run). The hooks are registered by :mod:`mock_server.pytest_plugin`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

__all__ = ["REQUIRE", "every", "pytest_sessionfinish", "pytest_terminal_summary",
           "pytest_testnodedown", "session_met"]

def every() -> object:
    """``Coverage.counts(every())``: every request, whatever its session (imported only
    when a fixture is used: the plugin's import stays light)."""
    from mock_server.qa.coverage import EVERY

    return EVERY


REQUIRE = "freddy_coverage_require"  # the option's dest
MET: pytest.StashKey[tuple[Counter[str], list[tuple[str, ...]]]] = pytest.StashKey()
MISSING: pytest.StashKey[str] = pytest.StashKey()
WORKER_KEY = "freddy_mock_coverage"  # what an xdist worker hands its controller


def session_met(config: pytest.Config) -> tuple[Counter[str], list[tuple[str, ...]]]:
    """The outcomes met in this session (across the per-test resets), and the catalogue."""
    if MET not in config.stash:
        config.stash[MET] = (Counter(), [])
    return config.stash[MET]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    text = session.config.getoption(REQUIRE)
    if not text:
        return
    from mock_server.qa import coverage_report
    from mock_server.qa.coverage import report

    met, catalogues = session_met(session.config)
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # a pytest-xdist worker: the controller judges the whole run
        output[WORKER_KEY] = {"met": dict(met), "names": list(catalogues[:1])}
        return
    required = coverage_report.parse_require(text)
    names = catalogues[0] if catalogues else tuple(n for n in required if n != "all")
    unknown = coverage_report.unknown(required, names)
    missing = unknown or coverage_report.missing_required(report(names, met), required)
    if not catalogues and coverage_report.ALL in required:
        missing = ["all (no test used the freddy_mock fixture)"]
    if missing:
        what = "no such outcome" if unknown else "outcomes never met"
        session.config.stash[MISSING] = f"freddy-mock coverage: {what}: {', '.join(missing)}"
        session.exitstatus = pytest.ExitCode.TESTS_FAILED




@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: add up what each worker's tests met."""
    found = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if found is not None:
        met, catalogues = session_met(node.config)
        met.update(found["met"])
        if found["names"] and not catalogues:
            catalogues.append(tuple(found["names"][0]))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if MISSING in config.stash:
        terminalreporter.write_line(config.stash[MISSING], red=True, bold=True)
