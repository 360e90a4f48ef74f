"""Sessions: many isolated sets of switches on one mock (``X-Mock-Session: NAME``).

A session starts on first use (a request or an admin call naming it) with the start-up
configuration only, and ends after ``--session-ttl`` unused (or ``DELETE
/__mock/sessions/NAME``). At most ``--max-sessions`` are kept; one more is refused with a
503 (:class:`TooManySessions`) until one ends. Time is the mock's clock in seconds
(``Clock.ticks()``), passed in by the caller, so tests move it without sleeping.

:class:`LocalSessions` keeps them in one process (the memory backend): an ordered dict,
least recently used first, so ending the idle ones walks only those. Each
:class:`LocalScope` holds its own Control and counters; a new session shares the start-up
Control (immutable) until its first change, so 10,000 idle sessions cost about 1 KB each.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from mock_server.qa.control import Control
from mock_server.qa.scope import Change, LocalCounters, Scope
from mock_server.stages.errors import ApiError

DEFAULT_TTL = 1800.0  # seconds unused after which a session ends
DEFAULT_CAP = 10_000  # sessions kept at once


@dataclass(frozen=True, slots=True)
class Limits:
    ttl: float = DEFAULT_TTL
    cap: int = DEFAULT_CAP


DEFAULTS = Limits()

class TooManySessions(ApiError):
    """A new session beyond ``--max-sessions``: 503 in the API's envelope."""

    def __init__(self, cap: int, retry_after: float) -> None:
        super().__init__(503, f"{cap} sessions are in use already (--max-sessions); end one "
                              "(DELETE /__mock/sessions/NAME) or retry later",
                         headers={"Retry-After": str(max(1, math.ceil(retry_after)))})


@dataclass(frozen=True, slots=True)
class SessionView:
    """One live session, for ``GET /__mock/sessions``."""

    name: str
    seen: float  # last use, the mock's clock in seconds
    control: Control


class LocalScope(Scope):
    """One session's scope in one process."""

    __slots__ = ("control", "counters", "initial", "seen", "session")

    def __init__(self, session: str, initial: Control, seen: float) -> None:
        self.session = session
        self.initial = initial
        self.control = initial  # shared with every new session until changed
        self.counters = LocalCounters()
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
        return self.counters.hit(key, window, cost)

    async def next_count(self, name: str) -> int:
        return self.counters.next_count(name)


class LocalSessions:
    """The live sessions of one process, bounded by ``limits``."""

    def __init__(self, initial: Control, limits: Limits) -> None:
        self.initial = initial
        self.limits = limits
        self._live: OrderedDict[str, LocalScope] = OrderedDict()  # least recently used first

    def __len__(self) -> int:
        return len(self._live)

    def open(self, name: str, now: float) -> LocalScope:
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
            oldest = next(iter(self._live.values()))
            raise TooManySessions(self.limits.cap, oldest.seen + self.limits.ttl - now)
        scope = LocalScope(name, self.initial, now)
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
