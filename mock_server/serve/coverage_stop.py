"""Coverage when the mock stops (SIGTERM, SIGINT): the last counts written, the report file
(``--coverage-report``) and the exit code of ``--coverage-require`` (3 when an outcome
required was never met, naming them on stderr).

In one process the report is made while the runtime state is still open (the application's
cleanup); with ``--workers N`` each worker writes its last counts as it stops, and the
parent reads the shared store once all have stopped.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from mock_server.engine.state import STATE, MockState
from mock_server.qa import coverage_report
from mock_server.qa.coverage import EVERY
from mock_server.qa.runtime import StateUnavailable

MISSING = 3  # exit code: a required outcome was never met


def wanted(state: MockState) -> bool:
    qa = state.config.qa
    return qa.coverage_report is not None or bool(qa.coverage_require)


def unknown_required(state: MockState) -> str | None:
    """One line for required names that are no outcome of this mock (exit 2), or None."""
    names = state.qa.coverage.names(state.qa.catalog.scenarios)
    bad = coverage_report.unknown(state.config.qa.coverage_require, names)
    if not bad:
        return None
    return (f"--coverage-require: no outcome named {', '.join(bad)[:200]} "
            f"(GET /__mock/coverage lists them; e.g. {names[0]})")


async def coverage_ctx(app: web.Application) -> AsyncIterator[None]:
    """Batches for a shared backend while serving; on stop the last batch, and the report
    when this is the only process (added after the runtime's own context, so it runs
    before the runtime closes)."""
    state = app[STATE]
    cov = state.qa.coverage
    task = asyncio.create_task(cov.flushing()) if state.qa.runtime.shared else None
    yield
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    try:
        await cov.flush()
        if wanted(state) and state.config.workers == 1:
            cov.final = await cov.report(state.qa.catalog.scenarios, EVERY)
    except StateUnavailable as exc:  # Redis lost at the end: say so, never a traceback
        print(f"freddy-mock: coverage: {exc.system_message}", file=sys.stderr)


async def read_final(state: MockState) -> dict[str, Any]:
    """The parent of ``--workers``: the shared store, once every worker has stopped."""
    runtime = state.qa.runtime
    await runtime.start()
    try:
        return await state.qa.coverage.report(state.qa.catalog.scenarios, EVERY)
    finally:
        await runtime.close()


def conclude(state: MockState, report: dict[str, Any] | None, prog: str) -> int:
    """Write the report file; 3 naming the missing required outcomes, else 0."""
    qa = state.config.qa
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
