"""An in-process server on a free loopback port, in a background thread.

Used by the project's tests and by the pytest plugin::

    with MockServerThread(MockConfig(now=...)) as server:
        requests.get(server.base_url + "/analytics/api-keys/summary/org_abc123", ...)

:class:`AppThread` serves any aiohttp application the same way (the browser tests use it
for a page on a second origin).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from mock_server.config import MockConfig
from mock_server.engine.parts import PARTS, MockParts
from mock_server.foundation.syntax import url_host
from mock_server.serve.app import create_app
from mock_server.serve.server import new_event_loop, serve

T = TypeVar("T")


class AppThread:
    """Any aiohttp application on ``host`` (a free port unless ``port`` says otherwise)."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="freddy-mock", daemon=True)

    @property
    def origin(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def _run(self) -> None:
        loop = new_event_loop()
        self._loop = loop
        try:
            self._stop = asyncio.Event()
            loop.run_until_complete(
                serve(self.app, self.host, self.port, stop=self._stop, on_ready=self._on_ready)
            )
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    def _on_ready(self, port: int) -> None:
        self.port = port
        self._ready.set()

    def start(self) -> AppThread:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise RuntimeError(f"server failed to start: {self._error}") from self._error
        if not self.port:
            raise RuntimeError("server did not start within 30 s")
        return self

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run ``coro`` on the server's event loop (where the runtime state lives) and wait
        for its result, e.g. ``server.call(server.parts.qa.runtime.reset())``."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("the server is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def __enter__(self) -> AppThread:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()


class MockServerThread(AppThread):
    """The mock built from ``config`` (port 0 unless the config names one)."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig(port=0)
        super().__init__(create_app(self.config), self.config.host, self.config.port)

    @property
    def parts(self) -> MockParts:
        """What the mock was built from (config, contract, QA features ...)."""
        return self.app[PARTS]

    @property
    def state(self) -> MockParts:
        """The old name of :attr:`parts` (kept for code written against it)."""
        return self.parts

    @property
    def base_url(self) -> str:
        return self.origin + self.parts.contract.base_path

    def start(self) -> MockServerThread:
        super().start()
        return self

    def __enter__(self) -> MockServerThread:
        return self.start()
