"""Run an application on a socket until told to stop; the CLI and the test thread share it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from collections.abc import Callable

from aiohttp import web

from mock_server.engine.protocol import (
    MAX_FIELD,
    MAX_HEADERS,
    MAX_LINE,
    MockRunner,
    bound_port,
)

SHUTDOWN_GRACE = 10.0  # seconds in-flight requests get to finish on SIGTERM/SIGINT

# Request size limits: protocol.py's (answers: 414, 431). A GET body is refused outright
# (400); other request bodies (admin API) are capped by the app's client_max_size.


FILE_LIMIT = 65_536  # soft open-file limit the CLI asks for (never above the hard limit)


def raise_file_limit(wanted: int = FILE_LIMIT) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (a default soft limit of 1,024 is
    used up by about 1,000 idle sockets); the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where installed (about a third faster here), else asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def serve(
    app: web.Application,
    host: str,
    port: int,
    *,
    stop: asyncio.Event,
    on_ready: Callable[[int], None],
    access_log: bool = False,
    handle_signals: bool = False,
    reuse_port: bool = False,
) -> None:
    runner = MockRunner(
        app,
        access_log=logging.getLogger("aiohttp.access") if access_log else None,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_GRACE,
        max_line_size=MAX_LINE,
        max_field_size=MAX_FIELD,
        max_headers=MAX_HEADERS,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
        await site.start()
        bound = bound_port(site)
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
        on_ready(bound)
        await stop.wait()
    finally:
        await runner.cleanup()
