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

from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from mock_server.foundation.errors import ApiError
from mock_server.runtime.control import Activation, Control
from mock_server.runtime.scope import Change, Scope
from mock_server.runtime.sessions import DEFAULTS, Limits, SessionStore, SessionView

__all__ = ["Activation", "Change", "StateBackend", "StateError", "StateUnavailable"]

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


class StateBackend(Scope):
    """What every backend offers: the scope of the requests without a session (itself;
    :class:`~mock_server.runtime.scope.Scope` has the reads, changes and counters), and
    the sessions'. ``quiet``: nothing active and no setting steering."""

    backend = "memory"
    shared = False  # does a change reach other processes?
    quiet: bool = True  # (an attribute here, not Scope's property: read on every request)

    def __init__(self, initial: Iterable[Activation] = (), limits: Limits = DEFAULTS) -> None:
        self.initial = tuple(dict.fromkeys(initial))
        self._control = Control(self.initial, version=1)
        self.quiet = self._control.quiet
        # told the new counter generation when a reset reaches this process (coverage)
        self.on_generation: list[Callable[[int], None]] = []
        self.limits = limits

    # -- reads (hot path: no I/O) ----------------------------------------------------
    @property
    def control(self) -> Control:
        return self._control

    def _install(self, control: Control) -> None:
        """Make ``control`` this process's copy (unless it is older than the one held)."""
        if control.version >= self._control.version:
            newer = control.generation > self._control.generation
            self._control = control
            self.quiet = control.quiet
            if newer:
                for tell in self.on_generation:
                    tell(control.generation)

    # -- changes and counters of the no-session scope: Scope's abstract methods ----------
    # reset(): back to the start-up activations, no settings; this scope's counters
    # cleared (the sessions keep theirs).

    # -- sessions --------------------------------------------------------------------
    # Kept in ``_sessions`` (memory, the file); a backend that needs a round trip (Redis)
    # overrides the three methods.
    _sessions: SessionStore

    async def scope(self, session: str, now: float) -> Scope:
        """Session ``session``'s scope, started if new (or expired); its use at ``now``
        (the mock's clock, seconds) noted. Raises TooManySessions beyond ``limits.cap``."""
        return self._sessions.open(session, now)

    async def end(self, session: str) -> bool:
        """End a session now (False: it was not live)."""
        return self._sessions.end(session)

    async def sessions(self, now: float) -> list[SessionView]:
        """The live sessions at ``now``, most recently used first."""
        return self._sessions.live(now)

    # -- outcome counts (coverage: qa/coverage.py) --------------------------------------
    @abstractmethod
    async def add_outcomes(self, counts: Outcomes) -> None:
        """Add a batch of ``(session, outcome) -> requests``."""

    @abstractmethod
    async def outcomes(self) -> Outcomes:
        """Every count, of every process."""

    @abstractmethod
    async def clear_outcomes(self, session: str | None) -> None:
        """Forget ``session``'s counts (None: those of the requests without one)."""

    # -- lifecycle (owned by the application: serve/app.py) ------------------------------
    async def start(self) -> None:  # (optional hook: nothing to do in memory)
        """Connect, in the process and event loop that will serve (after a fork)."""

    async def close(self) -> None:  # (optional hook)
        """Stop background work and close connections."""

    def describe(self) -> dict[str, Any]:
        """For ``/__mock/health``: which backend, and whether it is reachable."""
        return {"backend": self.backend, "shared": self.shared, "connected": True,
                "error": None}
