"""Time must make sense: rules on one answer's timestamps, against two clocks.

An answer is compared with the observer's clock (when the request was sent and when the
answer arrived: ``window``) and with the server's own ``Date`` header, each allowing
``SKEW`` of difference. Values copied from the documentation (its
``2025-11-15T10:30:00Z``) are a real bug that every schema accepts. The kit's freshness
checks and the registry (so the mock's proxy) apply these rules.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from api_contract.contract import Contract
from api_contract.exchange import Problem
from api_contract.fields import GENERATED, MONTH, YEAR

SKEW = timedelta(minutes=5)  # clock difference tolerated between observer and server
DATE_RESOLUTION = timedelta(seconds=1)  # a Date header has whole seconds
Window = tuple[datetime, datetime]


def instant(text: Any) -> datetime | None:
    """An RFC 3339 text as an aware datetime; None if it is not one (timestamps_rfc3339)."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def server_date(headers: Mapping[str, str]) -> datetime | None:
    """The answer's ``Date`` header (lower-case header names), if it is a date."""
    text = headers.get("date")
    return _http_date(text) if text else None


@functools.lru_cache(maxsize=64)  # a pure function; a Date header changes once a second
def _http_date(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return value if value is not None and value.tzinfo is not None else None


def date_fields(schema: Mapping[str, Any]) -> list[str]:
    return [n for n, s in schema.get("properties", {}).items() if s.get("format") == "date-time"]


def period_start(contract: Contract, doc: Mapping[str, Any]) -> datetime | None:
    """The first instant of the month a summary says it summarises."""
    year, month = doc.get(contract.fields[YEAR]), doc.get(contract.fields[MONTH])
    if not (isinstance(year, int) and isinstance(month, int)) or not 1 <= month <= 12:
        return None
    try:
        return datetime(year, month, 1, tzinfo=UTC)
    except ValueError:
        return None


def _future(window: Window, date: datetime | None, when: datetime) -> str | None:
    """Why ``when`` lies in the future beyond the skew, by either clock; None if it does not."""
    if when > window[1] + SKEW:
        return f"the kit's clock said {stamp(window[1])}"
    if date is not None and when > date + DATE_RESOLUTION + SKEW:
        return f"the server's own Date header said {stamp(date)}"
    return None


def generated_at(contract: Contract, doc: Mapping[str, Any], window: Window,
                 headers: Mapping[str, str]) -> Problem | None:
    """The summary's timestamps: not in the future, not before the month it summarises
    (when that month has begun). Unreadable ones are other rules' (timestamps_rfc3339)."""
    start = period_start(contract, doc)
    date = server_date(headers)
    for name in (contract.fields[GENERATED],):  # (a date-time without meaning is constant)
        when = instant(doc.get(name))
        if when is None or start is None:
            continue
        future = _future(window, date, when)
        if future:
            return (f"{name} not in the future (more than {SKEW.seconds // 60} min)",
                    f"{name} {doc[name]} when {future}")
        if start <= window[1] + SKEW and when < start - SKEW:
            return (f"{name} not before {stamp(start)}, the start of the month it summarises",
                    f"{name} {doc[name]}")
    return None


def error_timestamp(contract: Contract, err: Mapping[str, Any], window: Window,
                    headers: Mapping[str, str]) -> Problem | None:
    """An error's timestamps are the time of the answer, by either clock."""
    date = server_date(headers)
    schema = contract.envelope_validator.schema["properties"]["error"]
    for name in date_fields(schema):
        when = instant(err.get(name))
        if when is None:
            continue
        expected = f"error.{name} within {SKEW.seconds // 60} min of the answer"
        if not window[0] - SKEW <= when <= window[1] + SKEW:
            return expected, (f"error.{name} {err[name]} at {stamp(window[1])} by the kit's "
                              "clock")
        if date is not None and not date - SKEW <= when <= date + DATE_RESOLUTION + SKEW:
            return expected, f"error.{name} {err[name]} with Date: {headers['date']}"
    return None
