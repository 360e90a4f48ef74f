"""The mock's notion of "now": the real UTC clock, or one frozen with ``--now``."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_last: tuple[datetime, str] = (datetime.min.replace(tzinfo=UTC), "")


def rfc3339(value: datetime) -> str:
    """``2025-11-15T10:30:00Z``; the last second's text is reused (strftime is slow)."""
    global _last
    second = value.replace(microsecond=0)
    if _last[0] != second:
        _last = (second, second.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _last[1]


class Clock:
    __slots__ = ("frozen",)

    def __init__(self, frozen: datetime | None = None) -> None:
        self.frozen = frozen

    def now(self) -> datetime:
        return self.frozen if self.frozen is not None else datetime.now(UTC)
