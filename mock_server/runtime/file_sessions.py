"""Sessions of ``--workers N``: in the workers' SQLite file (``runtime/file.py``).

One row per live session (``sessions``: its Control as JSON, its last use); its counters
are rows of ``counters`` under the prefix ``s<RS>NAME<RS>``, deleted with it. A second
version number in shared memory grows with every change of any session.

Each worker keeps the scopes it used. A request in a session costs no I/O while its scope
is current: the session version has not moved, and the worker wrote the session's last use
less than ``touch`` seconds ago (a quarter of ``--session-ttl``, at most 30 s; so a session
in use on any worker is never taken for idle). Otherwise one short write transaction
opens it again: the row read (or made: the cap is checked there, atomically) and its last
use written, sessions idle beyond the ttl deleted on the way.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol

from mock_server.runtime.control import Control
from mock_server.runtime.scope import Change, Scope
from mock_server.runtime.sessions import Limits, SessionView, TooManySessions

SCHEMA = """
CREATE TABLE sessions (name TEXT PRIMARY KEY, doc BLOB NOT NULL, seen REAL NOT NULL)
    WITHOUT ROWID;
CREATE INDEX sessions_seen ON sessions (seen);
"""
TOUCH = 30.0  # seconds: the longest a worker goes without writing a session's last use
SEP = "\x1e"


def prefix(name: str) -> str:
    """The counters of session ``name`` are keyed under this (names have no control
    characters, so no prefix is another's)."""
    return "s" + SEP + name + SEP


class Store(Protocol):
    """What the sessions use of the file backend (FileBackend)."""

    def writing(self) -> AbstractContextManager[sqlite3.Connection]: ...
    def count_hit(self, key: str, window: int, cost: int, ttl: int = ...) -> int: ...
    def count_next(self, key: str) -> int: ...


class FileScope(Scope):
    """One session's scope, as this worker last read it."""

    __slots__ = ("_prefix", "_store", "control", "session", "touched", "version")

    def __init__(self, store: FileSessions, session: str, control: Control, version: int,
                 touched: float) -> None:
        self._store = store
        self._prefix = prefix(session)
        self.session = session
        self.control = control
        self.version = version
        self.touched = touched

    async def update(self, change: Change) -> tuple[Control, Control]:
        return self._store.change(self, change)

    async def reset(self) -> None:
        initial = self._store.initial
        self._store.change(self, lambda c: c.reset_to(initial.active), counters=True)

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        return self._store.backend.count_hit(self._prefix + "w\x1f" + key, window, cost, ttl)

    async def next_count(self, name: str) -> int:
        return self._store.backend.count_next(self._prefix + "n\x1f" + name)


class FileSessions:
    def __init__(self, backend: Store, initial: Control, limits: Limits,
                 version: Any) -> None:
        self.backend = backend
        self.initial = initial
        self.limits = limits
        self.version = version  # a multiprocessing RawValue("Q"), made before the fork
        self._touch = min(TOUCH, limits.ttl / 4)
        self._cache: dict[str, FileScope] = {}

    def open(self, name: str, now: float) -> FileScope:
        scope = self._cache.get(name)
        if (scope is not None and now - scope.touched < self._touch
                and scope.version == self.version.value):
            return scope  # the hot path: no I/O
        with self.backend.writing() as db:
            version = self.version.value  # (changes move it under the same lock)
            control = self._open(db, name, now)
        scope = FileScope(self, name, control, version, now)
        self._cache[name] = scope
        if len(self._cache) > self.limits.cap:  # bounded: forget the idle ones
            self._cache = {k: v for k, v in self._cache.items()
                           if now - v.touched <= self.limits.ttl}
        return scope

    def _open(self, db: sqlite3.Connection, name: str, now: float) -> Control:
        row = db.execute("SELECT doc, seen FROM sessions WHERE name = ?", (name,)).fetchone()
        if row is not None and now - row[1] <= self.limits.ttl:
            db.execute("UPDATE sessions SET seen = ? WHERE name = ?", (now, name))
            return Control.decode(row[0])
        self._expire(db, now)  # (this one too, when it had expired)
        (count,) = db.execute("SELECT count(*) FROM sessions").fetchone()
        if count >= self.limits.cap:
            (oldest,) = db.execute("SELECT min(seen) FROM sessions").fetchone()
            raise TooManySessions(self.limits.cap, oldest + self.limits.ttl - now)
        db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (name, self.initial.encode(), now))
        return self.initial

    def _expire(self, db: sqlite3.Connection, now: float) -> None:
        idle = db.execute("SELECT name FROM sessions WHERE seen < ?",
                          (now - self.limits.ttl,)).fetchall()
        for (name,) in idle:
            self._drop(db, name)

    def _drop(self, db: sqlite3.Connection, name: str) -> bool:
        gone = db.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount > 0
        self._drop_counters(db, name)
        return gone

    @staticmethod
    def _drop_counters(db: sqlite3.Connection, name: str) -> None:
        low = prefix(name)
        db.execute("DELETE FROM counters WHERE k >= ? AND k < ?", (low, low[:-1] + "\x1f"))

    def change(self, scope: FileScope, change: Change,
               counters: bool = False) -> tuple[Control, Control]:
        """Apply ``change`` to the session's stored Control, atomically; every worker's
        copy is stale after it (the version moves)."""
        with self.backend.writing() as db:
            row = db.execute("SELECT doc FROM sessions WHERE name = ?",
                             (scope.session,)).fetchone()
            old = self.initial if row is None else Control.decode(row[0])
            new = change(old).next_version()
            db.execute("INSERT INTO sessions VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE "
                       "SET doc = excluded.doc", (scope.session, new.encode(), scope.touched))
            if counters:
                self._drop_counters(db, scope.session)
            self.version.value += 1
            scope.control, scope.version = new, self.version.value
        return old, new

    def end(self, name: str) -> bool:
        with self.backend.writing() as db:
            gone = self._drop(db, name)
            self.version.value += 1
        self._cache.pop(name, None)
        return gone

    def live(self, now: float) -> list[SessionView]:
        with self.backend.writing() as db:
            self._expire(db, now)
            rows = db.execute("SELECT name, seen, doc FROM sessions ORDER BY seen DESC")
            return [SessionView(name, seen, Control.decode(doc))
                    for name, seen, doc in rows.fetchall()]
