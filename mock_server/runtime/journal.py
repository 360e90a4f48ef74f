"""The request journal: the most recent requests and what was answered, in a ring buffer.

Recording is one bounded ``deque.append`` of a small tuple-like record; keys are masked
with :func:`~api_contract.keys.mask_key` before they are stored, never kept in full. With
``--workers N`` or ``--state redis://`` the backend's subclass keeps the entries where every
process reads them (``runtime.file``, ``runtime.redis_journal``), masked the same way.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from api_contract.keys import mask_key
from mock_server.foundation.clock import rfc3339

DEFAULT_SIZE = 1000
ANY = "*"  # entries(session=ANY): every session's entries and those without one


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at_us: int  # wall-clock time the request arrived, microseconds since the epoch
    method: str
    path: str
    query: str
    org: str | None
    key: str | None  # masked
    status: int | None  # None when a fault dropped the connection
    request_id: str | None
    applied: dict[str, Any]  # scenario, rule, delay_ms, fault, preference, rate limit
    violations: tuple[dict[str, str], ...] = ()  # --proxy: {check, side, message} each
    session: str | None = None  # X-Mock-Session (a valid name), None without one

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["at"] = rfc3339_us(doc.pop("at_us"))
        return doc

    # Readable as a mapping too, with the JSON journal's names (GET /__mock/requests):
    # entry["status"], dict(entry), entry.keys().
    def __getitem__(self, name: str) -> Any:
        return self.to_json()[name]

    def keys(self) -> list[str]:
        return list(self.to_json())


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def rfc3339_us(us: int) -> str:
    value = EPOCH + timedelta(microseconds=us)
    return rfc3339(value)[:-1] + f".{value.microsecond:06d}Z"


class Journal:
    """In memory, one process. The shared backends subclass it and store elsewhere: the
    entry is built (and its key masked) here, for every backend alike."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._seq: Iterator[int] = itertools.count(1)  # a shared backend numbers its own
        self._lock = threading.Lock()
        self.in_flight = 0  # this process's API requests being answered (event loop only)

    def record(self, *, method: str, path: str, query: str, org: str | None,
               key: str | None, status: int | None, request_id: str | None,
               applied: dict[str, Any], at_us: int | None = None,
               violations: tuple[dict[str, str], ...] = (),
               session: str | None = None) -> Entry:
        """Never waits: a shared backend writes now (a local file) or soon (Redis)."""
        entry = Entry(next(self._seq), time.time_ns() // 1000 if at_us is None else at_us,
                      method, path,
                      query, org, None if key is None else mask_key(key), status, request_id,
                      applied, violations, session)
        return self._append(entry)

    def _append(self, entry: Entry) -> Entry:
        with self._lock:
            self._entries.append(entry)
        return entry

    async def _all(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    async def entries(self, *, org: str | None = None, status: int | None = None,
                      since: datetime | None = None,
                      session: str | None = ANY) -> list[Entry]:
        """Oldest first; ``session``: that session's only (None: those without one)."""
        since_us = None if since is None else to_us(since)
        return [
            e for e in await self._all()
            if (session == ANY or e.session == session)
            and (org is None or e.org == org)
            and (status is None or e.status == status)
            and (since_us is None or e.at_us >= since_us)
        ]

    async def count(self) -> int:
        return len(self._entries)

    async def clear(self, session: str | None = ANY) -> int:
        """Forget every entry, or ``session``'s only (None: those without one)."""
        with self._lock:
            n = len(self._entries)
            if session == ANY:
                self._entries.clear()
                return n
            kept = [e for e in self._entries if e.session != session]
            self._entries.clear()
            self._entries.extend(kept)
            return n - len(kept)


def encode(entry: Entry) -> bytes:
    """An entry as the shared backends store it (their own numbering replaces ``seq``)."""
    return orjson.dumps(entry)  # orjson writes a dataclass itself, fast


def decode(seq: int, data: bytes) -> Entry:
    doc = orjson.loads(data)
    doc["seq"] = seq
    return Entry(**doc)
