"""Sessions: many isolated sets of switches on one mock (``X-Mock-Session: NAME``).

A session starts on first use (a request or an admin call naming it) with the start-up
configuration only, and ends after ``--session-ttl`` unused (or ``DELETE
/__mock/sessions/NAME``). At most ``--max-sessions`` are kept; one more is refused with a
503 (:class:`TooManySessions`) until one ends. Time is the mock's clock in seconds
(``Clock.ticks()``), passed in by the caller, so tests move it without sleeping.

Each backend keeps them where its processes share them: ``memory.MemorySessions`` in one
process, the file of ``--workers``, Redis. What they share is here: the limits, the 503,
and what ``GET /__mock/sessions`` shows of one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from mock_server.foundation.errors import ApiError
from mock_server.runtime.control import Control
from mock_server.runtime.scope import Scope

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


class SessionStore(Protocol):
    """A backend's sessions where they are kept without a round trip (memory, the file)."""

    def open(self, name: str, now: float) -> Scope: ...

    def end(self, name: str) -> bool: ...

    def live(self, now: float) -> list[SessionView]: ...
