"""``--watch``: reload the scenario files when they change, without dropping requests.

A background task (owned by an aiohttp ``cleanup_ctx``) polls the files' mtime and size.
On a change the whole catalog is loaded and validated again in a worker thread (a slow or
hostile file never stalls the event loop), then swapped in with one assignment on the
loop: requests in flight keep the catalog they started with. A file that no longer
validates is reported (log line, ``reload_error`` in ``/__mock/health``) and the previous
catalog stays in force. So is any other failure of a reload (``MemoryError``, a bug): the
watcher keeps watching, and if it ever stops, ``watching`` turns false and
``reload_error`` says why. The scenarios of the user's files are active again after a
reload; a scenario no longer in the catalog (its file renamed it) is switched off
everywhere, and ``POST /__mock/reset`` returns to the reloaded files' scenarios, never to
one they no longer have.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from api_contract.yaml_input import bounded
from mock_server.engine.parts import PARTS, MockParts
from mock_server.qa.scenario_files import Catalog, ScenarioError, load_catalog
from mock_server.runtime.base import Activation, StateUnavailable

log = logging.getLogger("freddy_mock")
Stamp = tuple[int, int] | None


def _stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _failed(parts: MockParts, message: str) -> bool:
    parts.qa.reload_error = bounded(message)
    log.error("scenario reload failed, keeping the previous scenarios: %s",
              parts.qa.reload_error)
    return False


async def swap_in(parts: MockParts, catalog: Catalog) -> None:
    """Make ``catalog`` the one in force (on the event loop), its files' scenarios active."""
    qa = parts.qa
    previous, qa.catalog = qa.catalog, catalog
    qa.reload_error = None
    qa.reloads += 1
    sources = {str(p) for p in catalog.files}
    old_sources = {s.name for s in previous.scenarios.values() if s.source in sources}
    # what a reset returns to: the start-up built-ins still known, the files' scenarios now
    qa.runtime.initial = tuple(dict.fromkeys([
        *(a for a in qa.runtime.initial if a.name in catalog and a.name not in old_sources),
        *(Activation(s.name) for s in catalog.scenarios.values() if s.source in sources)]))
    gone = {a.name for a in qa.runtime.active() if a.name not in catalog}
    try:
        if gone:  # renamed or removed: off for everyone and every org, at once
            await qa.runtime.update(lambda c: replace(
                c, active=tuple(a for a in c.active if a.name not in gone)))
        for scenario in catalog.scenarios.values():
            if scenario.source in sources and Activation(scenario.name) not in qa.runtime.active():
                await qa.runtime.activate(scenario.name)
    except StateUnavailable as exc:  # the rules are in force; activations wait for Redis
        log.error("scenarios reloaded, but not switched on again: %s", exc.system_message)
    log.info("scenarios reloaded (%d files)", len(catalog.files))


async def reload(parts: MockParts) -> bool:
    """Load the catalog again off the loop; True when swapped in, False when it failed."""
    qa = parts.qa
    try:
        catalog = await asyncio.to_thread(load_catalog, qa.builtin_dir, qa.catalog.files,
                                          parts.contract)
    except ScenarioError as exc:
        return _failed(parts, str(exc))
    except Exception as exc:  # MemoryError, RecursionError, a bug: said, never silent
        return _failed(parts, f"{exc.__class__.__name__}: {exc}")
    await swap_in(parts, catalog)
    return True


async def _poll(parts: MockParts, interval: float) -> None:
    files = parts.qa.catalog.files
    stamps = {p: _stamp(p) for p in files}
    while True:
        await asyncio.sleep(interval)
        now = {p: _stamp(p) for p in files}
        if now != stamps:
            stamps = now
            await reload(parts)


def _stopped(parts: MockParts, task: asyncio.Task[None]) -> None:
    parts.qa.watching = False
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        _failed(parts, f"the watcher stopped: {exc.__class__.__name__}: {exc}")


def watcher(interval: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx that owns the polling task for the application's lifetime."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        parts = app[PARTS]
        task = asyncio.create_task(_poll(parts, interval), name="freddy-mock-watch")
        parts.qa.watching = True
        task.add_done_callback(lambda t: _stopped(parts, t))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx
