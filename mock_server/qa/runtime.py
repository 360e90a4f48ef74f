"""All state that changes while the mock runs, behind one small interface.

Active scenarios and run-time settings (one :class:`~mock_server.qa.control.Control`),
rate-limit windows and the request counters of count-based scenarios (``every:``) live
here and nowhere else. Three backends, one design:

- :class:`LocalRuntime`: one process (``--state memory``, the default);
- :class:`~mock_server.qa.file_runtime.FileRuntime`: the processes of ``--workers N`` on
  one host (an SQLite file plus a shared version number);
- :class:`~mock_server.qa.redis_runtime.RedisRuntime`: any number of processes on any
  number of hosts (``--state redis://...``).

Every process keeps the current ``Control`` in memory, so the reads of the hot path
(:attr:`RuntimeState.quiet`, :meth:`RuntimeState.active`, :attr:`RuntimeState.overrides`)
are attribute reads, never I/O; a change made anywhere replaces that copy everywhere.
Changes and counters are coroutines (a shared backend may need a round trip); they run on
the server's event loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from mock_server.qa.control import Activation, Control, Overrides
from mock_server.stages.errors import ApiError

__all__ = ["Activation", "LocalRuntime", "RuntimeState", "StateError", "StateUnavailable"]

Change = Callable[[Control], Control]
Outcomes = dict[tuple[str | None, str], int]  # (session or None, outcome) -> requests
COUNT_TTL = 86_400  # seconds an idle ``every:`` counter is kept by a shared backend


class StateError(Exception):
    """The state backend cannot be used at start-up (bad URL, unreachable): exit 2."""


class StateUnavailable(ApiError):
    """A change could not reach the shared state (answered 503 in the API's envelope)."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, f"The shared state is unreachable ({detail}); the mock keeps "
                              "answering with the last state it knew, changes wait until "
                              "it is back")


class RuntimeState(ABC):
    """What every backend offers. ``quiet``: nothing active and no setting steering."""

    backend = "memory"
    shared = False  # does a change reach other processes?
    quiet: bool = True

    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        self.initial = tuple(dict.fromkeys(initial))
        self._control = Control(self.initial, version=1)
        self.quiet = self._control.quiet
        # told the new counter generation when a reset reaches this process (coverage)
        self.on_generation: list[Callable[[int], None]] = []

    # -- reads (hot path: no I/O) ----------------------------------------------------
    @property
    def control(self) -> Control:
        return self._control

    def active(self) -> tuple[Activation, ...]:
        """The activations in the order they were made (cheap; called per request)."""
        return self.control.active

    @property
    def overrides(self) -> Overrides:
        return self.control.overrides

    def _install(self, control: Control) -> None:
        """Make ``control`` this process's copy (unless it is older than the one held)."""
        if control.version >= self._control.version:
            newer = control.generation > self._control.generation
            self._control = control
            self.quiet = control.quiet
            if newer:
                for tell in self.on_generation:
                    tell(control.generation)

    # -- changes ---------------------------------------------------------------------
    @abstractmethod
    async def update(self, change: Change) -> tuple[Control, Control]:
        """Apply ``change`` atomically to the current Control; (old, new).
        Raises StateUnavailable when a shared backend cannot be reached."""

    @abstractmethod
    async def reset(self) -> None:
        """Back to the start-up activations, no settings; all counters cleared."""

    async def activate(self, name: str, org: str | None = None) -> None:
        await self.update(lambda c: c.activated(name, org))

    async def deactivate(self, name: str, org: str | None = None) -> bool:
        """Remove one activation; False when it was not active."""
        old, _ = await self.update(lambda c: c.deactivated(name, org))
        return Activation(name, org) in old.members

    async def set_overrides(self, change: Callable[[Overrides], Overrides]) -> Overrides:
        _, new = await self.update(lambda c: c.with_overrides(change(c.overrides)))
        return new.overrides

    # -- counters --------------------------------------------------------------------
    @abstractmethod
    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        """Add ``cost`` requests to ``key``'s fixed window number ``window``; the new count.
        ``cost=0`` only reads. ``ttl``: seconds a shared backend keeps the window."""

    @abstractmethod
    async def next_count(self, name: str) -> int:
        """1, 2, 3, ... per name: the request number for count-based rules."""

    # -- outcome counts (coverage: qa/coverage.py) --------------------------------------
    @abstractmethod
    async def add_outcomes(self, generation: int, counts: Outcomes) -> None:
        """Add a batch of ``(session, outcome) -> requests`` counted in ``generation``
        (a batch of an older generation than the current one is dropped)."""

    @abstractmethod
    async def outcomes(self) -> Outcomes:
        """Every count of the current generation, of every process."""

    # -- lifecycle (owned by the application: serve/app.py) ------------------------------
    async def start(self) -> None:  # noqa: B027 (optional hook: nothing to do in memory)
        """Connect, in the process and event loop that will serve (after a fork)."""

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Stop background work and close connections."""

    def describe(self) -> dict[str, Any]:
        """For ``/__mock/health``: which backend, and whether it is reachable."""
        return {"backend": self.backend, "shared": self.shared, "connected": True,
                "error": None}


class LocalCounters:
    """Rate-limit windows (only the current one per key) and ``every:`` counters, in
    memory. Also the fallback of a shared backend while it cannot be reached."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}
        self._counts: dict[str, int] = {}
        self.outcomes: Outcomes = {}

    def hit(self, key: str, window: int, cost: int) -> int:
        current, count = self._windows.get(key, (window, 0))
        if current != window:
            count = 0
        if cost:  # a read (cost 0) stores nothing: unauthenticated requests only read
            count += cost
            self._windows[key] = (window, count)
        return count

    def next_count(self, name: str) -> int:
        count = self._counts.get(name, 0) + 1
        self._counts[name] = count
        return count

    def add_outcomes(self, counts: Outcomes) -> None:
        found = self.outcomes
        for key, n in counts.items():
            found[key] = found.get(key, 0) + n

    def clear(self) -> None:
        self._windows.clear()
        self._counts.clear()
        self.outcomes.clear()


class LocalRuntime(RuntimeState):
    """In-process implementation. Every method runs on the server's event loop (the pytest
    plugin submits its calls to that loop), so no lock is needed."""

    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        super().__init__(initial)
        self._counters = LocalCounters()

    async def update(self, change: Change) -> tuple[Control, Control]:
        old = self._control
        new = change(old).next_version()
        self._install(new)
        return old, new

    async def reset(self) -> None:
        await self.update(lambda c: c.reset_to(self.initial))
        self._counters.clear()

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        return self._counters.hit(key, window, cost)

    async def next_count(self, name: str) -> int:
        return self._counters.next_count(name)

    async def add_outcomes(self, generation: int, counts: Outcomes) -> None:
        if generation == self._control.generation:
            self._counters.add_outcomes(counts)

    async def outcomes(self) -> Outcomes:
        return dict(self._counters.outcomes)
