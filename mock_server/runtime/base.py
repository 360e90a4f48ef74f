"""All state that changes while the mock runs, behind one small interface.

Active scenarios and run-time settings (one :class:`~mock_server.runtime.control.Control`),
rate-limit windows and the request counters of count-based scenarios (``every:``) live
here and nowhere else. Three backends, one design:

- :class:`~mock_server.runtime.memory.MemoryBackend`: one process (``--state memory``, the default);
- :class:`~mock_server.runtime.file.FileBackend`: the processes of ``--workers N`` on
  one host (an SQLite file plus a shared version number);
- :class:`~mock_server.runtime.redis_backend.RedisBackend`: any number of processes on any
  number of hosts (``--state redis://...``).

Every process keeps the current ``Control`` in memory, so the reads of the hot path
(:attr:`StateBackend.quiet`, :meth:`StateBackend.active`, :attr:`StateBackend.overrides`)
are attribute reads, never I/O; a change made anywhere replaces that copy everywhere.
Changes and counters are coroutines (a shared backend may need a round trip); they run on
the server's event loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from mock_server.foundation.errors import ApiError
from mock_server.runtime.control import Activation, Control, Overrides

__all__ = ["Activation", "StateBackend", "StateError", "StateUnavailable"]

Change = Callable[[Control], Control]
COUNT_TTL = 86_400  # seconds an idle ``every:`` counter is kept by a shared backend


class StateError(Exception):
    """The state backend cannot be used at start-up (bad URL, unreachable): exit 2."""


class StateUnavailable(ApiError):
    """A change could not reach the shared state (answered 503 in the API's envelope)."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, f"The shared state is unreachable ({detail}); the mock keeps "
                              "answering with the last state it knew, changes wait until "
                              "it is back")


class StateBackend(ABC):
    """What every backend offers. ``quiet``: nothing active and no setting steering."""

    backend = "memory"
    shared = False  # does a change reach other processes?
    quiet: bool = True

    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        self.initial = tuple(dict.fromkeys(initial))
        self._control = Control(self.initial, version=1)
        self.quiet = self._control.quiet

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
            self._control = control
            self.quiet = control.quiet

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

    # -- lifecycle (owned by the application: serve/app.py) ------------------------------
    async def start(self) -> None:  # noqa: B027 (optional hook: nothing to do in memory)
        """Connect, in the process and event loop that will serve (after a fork)."""

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Stop background work and close connections."""

    def describe(self) -> dict[str, Any]:
        """For ``/__mock/health``: which backend, and whether it is reachable."""
        return {"backend": self.backend, "shared": self.shared, "connected": True,
                "error": None}
