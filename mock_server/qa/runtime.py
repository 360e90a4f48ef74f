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

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from mock_server.qa.control import Activation, Control
from mock_server.qa.scope import Change, LocalCounters, Scope
from mock_server.qa.sessions import DEFAULTS, Limits, LocalSessions, SessionView
from mock_server.stages.errors import ApiError

__all__ = ["Activation", "Change", "LocalCounters", "LocalRuntime", "RuntimeState", "Scope",
           "StateError", "StateUnavailable"]

COUNT_TTL = 86_400  # seconds an idle ``every:`` counter is kept by a shared backend


class StateError(Exception):
    """The state backend cannot be used at start-up (bad URL, unreachable): exit 2."""


class StateUnavailable(ApiError):
    """A change could not reach the shared state (answered 503 in the API's envelope)."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, f"The shared state is unreachable ({detail}); the mock keeps "
                              "answering with the last state it knew, changes wait until "
                              "it is back")


class RuntimeState(Scope):
    """What every backend offers: the scope of the requests without a session (itself),
    and the sessions' scopes. ``quiet``: nothing active and no setting steering."""

    backend = "memory"
    shared = False  # does a change reach other processes?
    quiet: bool = True  # (an attribute here, not the property: read on every request)

    def __init__(self, initial: Iterable[Activation] = (), limits: Limits = DEFAULTS) -> None:
        self.initial = tuple(dict.fromkeys(initial))
        self._control = Control(self.initial, version=1)
        self.quiet = self._control.quiet
        self.limits = limits
        self._sessions = LocalSessions(self._control, limits)

    # -- reads (hot path: no I/O) ----------------------------------------------------
    @property
    def control(self) -> Control:
        return self._control

    def _install(self, control: Control) -> None:
        """Make ``control`` this process's copy (unless it is older than the one held)."""
        if control.version >= self._control.version:
            self._control = control
            self.quiet = control.quiet

    # -- changes (of the no-session scope) -------------------------------------------
    @abstractmethod
    async def update(self, change: Change) -> tuple[Control, Control]:
        """Apply ``change`` atomically to the current Control; (old, new).
        Raises StateUnavailable when a shared backend cannot be reached."""

    @abstractmethod
    async def reset(self) -> None:
        """Back to the start-up activations, no settings; all counters cleared."""

    # -- sessions (here: in this process; a shared backend keeps them where all see them) --
    async def scope(self, session: str, now: float) -> Scope:
        """Session ``session``'s scope, started if new; its use at ``now`` (the mock's
        clock, seconds) noted. Raises TooManySessions beyond ``limits.cap``."""
        return self._sessions.open(session, now)

    async def end(self, session: str) -> bool:
        """End a session now (False: it was not live)."""
        return self._sessions.end(session)

    async def sessions(self, now: float) -> list[SessionView]:
        """The live sessions, most recently used first."""
        return self._sessions.live(now)

    # -- counters --------------------------------------------------------------------
    @abstractmethod
    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        """Add ``cost`` requests to ``key``'s fixed window number ``window``; the new count.
        ``cost=0`` only reads. ``ttl``: seconds a shared backend keeps the window."""

    @abstractmethod
    async def next_count(self, name: str) -> int:
        """1, 2, 3, ... per name: the request number for count-based rules."""

    # -- lifecycle (owned by the application: serve/app.py) ------------------------------
    async def start(self) -> None:
        """Connect, in the process and event loop that will serve (after a fork)."""

    async def close(self) -> None:
        """Stop background work and close connections."""

    def describe(self) -> dict[str, Any]:
        """For ``/__mock/health``: which backend, and whether it is reachable."""
        return {"backend": self.backend, "shared": self.shared, "connected": True,
                "error": None}


class LocalRuntime(RuntimeState):
    """In-process implementation. Every method runs on the server's event loop (the pytest
    plugin submits its calls to that loop), so no lock is needed."""

    def __init__(self, initial: Iterable[Activation] = (), limits: Limits = DEFAULTS) -> None:
        super().__init__(initial, limits)
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
