"""A test server's event loop in a background thread, started and stopped by ``with``."""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class LoopThread:
    """Subclasses implement :meth:`serve`: bind to a free loopback port, set ``self.port``,
    call ``ready()``, and return once ``stop`` is set."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def serve(self, stop: asyncio.Event) -> None:
        raise NotImplementedError

    def ready(self) -> None:
        self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.serve(self._stop)

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError(f"{type(self).__name__} did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
