"""``--state memory`` (the default, one process): the runtime state in this process's
memory. :class:`MemoryCounters` is also a shared backend's fallback while it cannot reach
its store."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from mock_server.runtime.base import Change, StateBackend
from mock_server.runtime.control import Activation, Control


class MemoryCounters:
    """Rate-limit windows (only the current one per key) and ``every:`` counters, in
    memory. Also the fallback of a shared backend while it cannot be reached.

    A window is kept ``ttl`` seconds of real time after its last counted hit, as Redis
    keeps it (``EXPIRE`` on each hit): with a frozen clock (``--now``) the window never
    changes, and its count restarts once it has been left alone that long."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._windows: dict[str, tuple[int, int, float]] = {}
        self._counts: dict[str, int] = {}
        self._clock = clock

    def hit(self, key: str, window: int, cost: int, ttl: int = 120) -> int:
        now = self._clock()
        current, count, until = self._windows.get(key, (window, 0, now))
        if current != window or until <= now:
            count = 0
        if cost:  # a read (cost 0) stores nothing: unauthenticated requests only read
            count += cost
            self._windows[key] = (window, count, now + ttl)
        return count

    def next_count(self, name: str) -> int:
        count = self._counts.get(name, 0) + 1
        self._counts[name] = count
        return count

    def clear(self) -> None:
        self._windows.clear()
        self._counts.clear()


class MemoryBackend(StateBackend):
    """In-process implementation. Every method runs on the server's event loop (the pytest
    plugin submits its calls to that loop), so no lock is needed."""

    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        super().__init__(initial)
        self._counters = MemoryCounters()

    async def update(self, change: Change) -> tuple[Control, Control]:
        old = self._control
        new = change(old).next_version()
        self._install(new)
        return old, new

    async def reset(self) -> None:
        await self.update(lambda c: c.reset_to(self.initial))
        self._counters.clear()

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        return self._counters.hit(key, window, cost, ttl)

    async def next_count(self, name: str) -> int:
        return self._counters.next_count(name)
