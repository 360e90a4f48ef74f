"""Coverage when the mock stops (SIGTERM, SIGINT): the last counts written, the report file
(``--coverage-report``) and the exit code of ``--coverage-require`` (3 when an outcome
required was never met, naming them on stderr).

In one process the report is made while the runtime state is still open (the application's
cleanup); with ``--workers N`` each worker writes its last counts as it stops, and the
parent reads the shared store once all have stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from mock_server.engine.parts import PARTS, MockParts
from mock_server.qa import coverage_report
from mock_server.qa.coverage import EVERY
from mock_server.runtime.base import StateError, StateUnavailable

MISSING = 3  # exit code: a required outcome was never met


def add_arguments(g: argparse._ArgumentGroup) -> None:
    g.add_argument("--coverage-report", type=Path, default=None, metavar="FILE",
                   help="when the mock stops, write which of the contract's outcomes its "
                        "clients met: JSON, or JUnit XML if FILE ends in .xml")
    g.add_argument("--coverage-require", type=coverage_report.parse_require, default=(),
                   metavar="NAME,...|all", help="exit 3 on stop, naming them, unless these "
                   "outcomes (e.g. status:429,fault:reset; or all) were met")


def stopped(parts: MockParts, prog: str, workers: int | None = None) -> int:
    """The exit code once the mock has stopped: ``workers``' (the parent's code) unless
    the coverage report decides (written now; 3 for a required outcome never met)."""
    if workers is not None and (workers != 0 or not wanted(parts)):
        return workers
    if not wanted(parts):
        return 0
    report = asyncio.run(read_final(parts)) if workers is not None else parts.qa.coverage.final
    return conclude(parts, report, prog)


def wanted(parts: MockParts) -> bool:
    qa = parts.config.qa
    return qa.coverage_report is not None or bool(qa.coverage_require)


def unknown_required(parts: MockParts) -> str | None:
    """One line for required names that are no outcome of this mock (exit 2), or None."""
    names = parts.qa.coverage.names(parts.qa.catalog.scenarios)
    bad = coverage_report.unknown(parts.config.qa.coverage_require, names)
    if not bad:
        return None
    return (f"--coverage-require: no outcome named {', '.join(bad)[:200]} "
            f"(GET /__mock/coverage lists them; e.g. {names[0]})")


async def coverage_ctx(app: web.Application) -> AsyncIterator[None]:
    """Batches for a shared backend while serving; on stop the last batch, and the report
    when this is the only process (added after the runtime's own context, so it runs
    before the runtime closes)."""
    parts = app[PARTS]
    cov = parts.qa.coverage
    task = asyncio.create_task(cov.flushing()) if parts.qa.runtime.shared else None
    yield
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    try:
        await cov.flush()
        if wanted(parts) and parts.config.workers == 1:
            cov.final = await cov.report(parts.qa.catalog.scenarios, EVERY)
    except StateUnavailable as exc:  # Redis lost at the end: say so, never a traceback
        print(f"freddy-mock: coverage: {exc.system_message}", file=sys.stderr)


async def read_final(parts: MockParts) -> dict[str, Any] | None:
    """The parent of ``--workers``: the shared store, once every worker has stopped
    (None when it cannot be read: Redis gone)."""
    runtime = parts.qa.runtime
    try:
        await runtime.start()
        try:
            return await parts.qa.coverage.report(parts.qa.catalog.scenarios, EVERY)
        finally:
            await runtime.close()
    except (StateError, StateUnavailable):
        return None


def conclude(parts: MockParts, report: dict[str, Any] | None, prog: str) -> int:
    """Write the report file; 3 naming the missing required outcomes, else 0."""
    qa = parts.config.qa
    if report is None:
        print(f"{prog}: coverage: no report (the shared state could not be read)",
              file=sys.stderr)
        return MISSING if qa.coverage_require else 0
    if qa.coverage_report is not None:
        try:
            coverage_report.write(report, qa.coverage_report)
        except OSError as exc:
            print(f"{prog}: coverage: cannot write {qa.coverage_report}: {exc.strerror}",
                  file=sys.stderr)
            return MISSING
    missing = coverage_report.missing_required(report, qa.coverage_require)
    if missing:
        print(f"{prog}: coverage: required outcomes never met: {', '.join(missing)}",
              file=sys.stderr)
        return MISSING
    return 0
