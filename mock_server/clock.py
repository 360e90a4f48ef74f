"""The mock's notion of "now": the real UTC clock, or one frozen with ``--now``."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    __slots__ = ("frozen",)

    def __init__(self, frozen: datetime | None = None) -> None:
        self.frozen = frozen

    def now(self) -> datetime:
        return self.frozen if self.frozen is not None else datetime.now(UTC)
