"""``--state memory`` (the default, one process): the runtime state in this process's
memory. :class:`MemoryCounters` is also a shared backend's fallback while it cannot reach
its store.

Sessions (:class:`MemorySessions`): an ordered dict, least recently used first, so ending
the idle ones walks only those. Each :class:`MemoryScope` holds its own Control and
counters; a new session shares the start-up Control (immutable) until its first change,
so an idle session costs well under 1 KB.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from mock_server.runtime.base import Change, Outcomes, StateBackend
from mock_server.runtime.control import Activation, Control
from mock_server.runtime.scope import Scope
from mock_server.runtime.sessions import DEFAULTS, Limits, SessionView, TooManySessions


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


class MemoryScope(Scope):
    """One session's scope in one process."""

    __slots__ = ("control", "counters", "initial", "seen", "session")

    def __init__(self, session: str, initial: Control, seen: float) -> None:
        self.session = session
        self.initial = initial
        self.control = initial  # shared with every new session until changed
        self.counters = MemoryCounters()
        self.seen = seen

    async def update(self, change: Change) -> tuple[Control, Control]:
        old = self.control
        self.control = change(old).next_version()
        return old, self.control

    async def reset(self) -> None:
        self.control = self.initial.reset_to(self.initial.active).next_version(
            self.control.version)
        self.counters.clear()

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        return self.counters.hit(key, window, cost, ttl)

    async def next_count(self, name: str) -> int:
        return self.counters.next_count(name)


class MemorySessions:
    """The live sessions of one process, bounded by ``limits``."""

    def __init__(self, initial: Control, limits: Limits) -> None:
        self.initial = initial
        self.limits = limits
        self._live: OrderedDict[str, MemoryScope] = OrderedDict()  # least recently used first

    def __len__(self) -> int:
        return len(self._live)

    def open(self, name: str, now: float) -> MemoryScope:
        """The session's scope, started now if it is new (or had expired); its use noted."""
        scope = self._live.get(name)
        if scope is not None:
            if now - scope.seen <= self.limits.ttl:
                scope.seen = now
                self._live.move_to_end(name)
                return scope
            del self._live[name]  # expired: it starts again, with nothing switched
        self.expire(now)
        if len(self._live) >= self.limits.cap:
            oldest = next(iter(self._live.values()), None)
            first_end = now if oldest is None else oldest.seen  # (None: only with a cap 0)
            raise TooManySessions(self.limits.cap, first_end + self.limits.ttl - now)
        scope = MemoryScope(name, self.initial, now)
        self._live[name] = scope
        return scope

    def expire(self, now: float) -> int:
        """End the sessions unused for longer than the ttl; how many ended."""
        ended = 0
        while self._live:
            oldest = next(iter(self._live.values()))
            if now - oldest.seen <= self.limits.ttl:
                break
            self._live.popitem(last=False)
            ended += 1
        return ended

    def end(self, name: str) -> bool:
        return self._live.pop(name, None) is not None

    def live(self, now: float) -> list[SessionView]:
        """The sessions alive at ``now``, most recently used first."""
        self.expire(now)
        return [SessionView(s.session, s.seen, s.control) for s in reversed(self._live.values())]


class MemoryBackend(StateBackend):
    """In-process implementation. Every method runs on the server's event loop (the pytest
    plugin submits its calls to that loop), so no lock is needed."""

    def __init__(self, initial: Iterable[Activation] = (), limits: Limits = DEFAULTS) -> None:
        super().__init__(initial, limits)
        self._counters = MemoryCounters()
        self._outcomes: Outcomes = {}  # coverage counts of every session (qa/coverage.py)
        self._sessions = MemorySessions(self._control, limits)

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

    async def add_outcomes(self, counts: Outcomes) -> None:
        found = self._outcomes
        for key, n in counts.items():
            found[key] = found.get(key, 0) + n

    async def clear_outcomes(self, session: str | None) -> None:
        found = self._outcomes
        for key in [k for k in found if k[0] == session]:
            del found[key]

    async def outcomes(self) -> Outcomes:
        return dict(self._outcomes)
