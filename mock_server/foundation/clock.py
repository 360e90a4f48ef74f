"""The mock's notion of "now": the real UTC clock, or one frozen with ``--now``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

RFC3339 = "%Y-%m-%dT%H:%M:%SZ"


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def rfc3339(value: datetime) -> str:
    """``2025-11-15T10:30:00Z``."""
    return value.astimezone(UTC).strftime(RFC3339)


class Clock:
    __slots__ = ("_frozen_hour", "_frozen_text", "_second", "_text", "frozen", "offset")

    def __init__(self, frozen: datetime | None = None) -> None:
        self.offset = 0.0  # seconds added by advance() to the real clock
        self._second = -1
        self._text = ""
        self._freeze(frozen)

    def _freeze(self, frozen: datetime | None) -> None:
        self.frozen = frozen
        self._frozen_text = rfc3339(frozen) if frozen is not None else ""
        self._frozen_hour = int(frozen.timestamp()) // 3600 if frozen is not None else 0

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass at once (tests): the frozen instant moves, and so does
        :meth:`ticks`. The real clock's ``now()`` is left alone."""
        self.offset += seconds
        if self.frozen is not None:
            self._freeze(self.frozen + timedelta(seconds=seconds))

    def ticks(self) -> float:
        """Seconds that pass even when the clock is frozen (a session's idle time: a
        frozen ``--now`` must not keep every session forever), moved by advance()."""
        return time.time() + self.offset

    def now(self) -> datetime:
        return self.frozen if self.frozen is not None else datetime.now(UTC)

    def hour(self) -> int:
        """Whole hours since the epoch (what a summary's "as of" depends on); no datetime."""
        if self.frozen is not None:
            return self._frozen_hour
        return int(time.time()) // 3600

    def now_text(self) -> str:
        """RFC 3339 text of "now" to the second; formatted once per second (hot path)."""
        if self.frozen is not None:
            return self._frozen_text
        second = int(time.time())
        if second != self._second:
            self._text = time.strftime(RFC3339, time.gmtime(second))
            self._second = second
        return self._text
