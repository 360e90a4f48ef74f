"""``--watch``: reload the scenario files when they change, without dropping requests.

A background task (owned by an aiohttp ``cleanup_ctx``) polls the files' mtime and size.
On a change the whole catalog is loaded and validated again, then swapped in with one
assignment: requests in flight keep the catalog they started with. A file that no longer
validates is reported (log line, ``reload_error`` in ``/__mock/health``) and the previous
catalog stays in force. The scenarios of the user's files are active again after a reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web

from mock_server.engine.state import STATE, MockState
from mock_server.qa.runtime import Activation
from mock_server.qa.scenario_files import ScenarioError, load_catalog

log = logging.getLogger("freddy_mock")
Stamp = tuple[int, int] | None


def _stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def reload(state: MockState) -> bool:
    """Load the catalog again; True when swapped in, False when a file was invalid."""
    qa = state.qa
    try:
        catalog = load_catalog(qa.builtin_dir, qa.catalog.files, state.contract)
    except ScenarioError as exc:
        qa.reload_error = str(exc)
        log.error("scenario reload failed, keeping the previous scenarios: %s", exc)
        return False
    qa.catalog = catalog
    qa.reload_error = None
    qa.reloads += 1
    sources = {str(p) for p in catalog.files}
    for scenario in catalog.scenarios.values():
        if scenario.source in sources and Activation(scenario.name) not in qa.runtime.active():
            qa.runtime.activate(scenario.name)
    log.info("scenarios reloaded (%d files)", len(catalog.files))
    return True


async def _poll(state: MockState, interval: float) -> None:
    files = state.qa.catalog.files
    stamps = {p: _stamp(p) for p in files}
    while True:
        await asyncio.sleep(interval)
        now = {p: _stamp(p) for p in files}
        if now != stamps:
            stamps = now
            reload(state)


def watcher(interval: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx that owns the polling task for the application's lifetime."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_poll(app[STATE], interval), name="freddy-mock-watch")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx
