"""``--workers N`` without Redis: the runtime state of every worker in one SQLite file.

The parent makes it before it forks: a private temporary directory (mode 0700, removed when
the parent exits) holding ``state.db`` and the write lock's file (``file_lock``: an
``flock``, released by the kernel when its holder dies, never awaited on the event loop),
plus a version number in shared memory.
Each worker opens its own connection after the fork. The file holds the same three things
Redis holds for ``--state redis://``: the current Control (one JSON document), the counters
(rate-limit windows and ``every:`` counts) and the journal (bounded, keys masked).

- Reads on the hot path cost one shared-memory read: a worker compares the shared version
  number with the one it decoded last and reads the file only when it changed, so a switch
  made through one worker holds for the very next request on any other.
- Writes are SQLite transactions, serialised by the shared lock (so no worker waits in
  SQLite's sleeping busy handler); counters are one ``INSERT ... ON CONFLICT DO UPDATE``
  each, atomic in the file, never a read-modify-write in Python. A counted request (rate
  limit, ``every:``) or a journaled one pays one such write, about 20 us.
- Nothing has a fixed capacity: counters exist per (limit, organization) and per scenario,
  which the key store bounds; the journal is trimmed to its size on every insert.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from mock_server.runtime.base import Change, Outcomes, StateBackend
from mock_server.runtime.control import Activation, Control
from mock_server.runtime.file_lock import FileLock
from mock_server.runtime.file_sessions import SCHEMA as SESSIONS_SCHEMA
from mock_server.runtime.file_sessions import FileSessions
from mock_server.runtime.file_sessions import prefix as session_prefix
from mock_server.runtime.journal import ANY, Entry, Journal, decode, encode
from mock_server.runtime.sessions import DEFAULTS, Limits

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE control (id INTEGER PRIMARY KEY CHECK (id = 1), doc BLOB NOT NULL);
CREATE TABLE counters (k TEXT PRIMARY KEY, w INTEGER NOT NULL, n INTEGER NOT NULL,
    e REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc BLOB NOT NULL);
CREATE TABLE outcomes (s TEXT NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (s, name)) WITHOUT ROWID;
"""
# Coverage batches (qa/coverage.py): one upsert per (session, outcome) of a batch. ``s`` is
# "" for requests without a session (a session name is never empty).
ADD_OUTCOME = ("INSERT INTO outcomes VALUES (?, ?, ?) ON CONFLICT(s, name) DO UPDATE "
               "SET n = n + excluded.n")
# One window per key: a hit in a newer window, or after the window's expiry ``e`` (wall
# clock: ``ttl`` after its last counted hit, as Redis's EXPIRE; what resets a window under
# a frozen clock), starts it at ``cost``. ``fetchall`` (not ``fetchone``) on RETURNING, so
# the statement completes and the write commits at once.
HIT = ("INSERT INTO counters VALUES (?1, ?2, ?3, ?4) ON CONFLICT(k) DO UPDATE SET "
       "n = CASE WHEN w = excluded.w AND e > ?5 THEN n + excluded.n ELSE excluded.n END, "
       "w = excluded.w, e = excluded.e RETURNING n")
COUNT = ("INSERT INTO counters VALUES (?, 0, 1, 0) ON CONFLICT(k) DO UPDATE SET n = n + 1 "
         "RETURNING n")


class FileBackend(StateBackend):
    backend = "file"
    shared = True

    def __init__(self, initial: Iterable[Activation] = (), journal_size: int = 0,
                 limits: Limits = DEFAULTS) -> None:
        super().__init__(initial, limits)
        ctx = multiprocessing.get_context("fork")
        self._version = ctx.RawValue("Q", self._control.version)
        self._sessions = FileSessions(self, self._control, limits, ctx.RawValue("Q", 0))
        self._seen = self._control.version
        self._dir = tempfile.mkdtemp(prefix="freddy-mock-state-")
        self._owner = os.getpid()  # the parent: it removes the directory when it exits
        atexit.register(shutil.rmtree, self._dir, True)  # (workers leave by os._exit)
        self.path = os.path.join(self._dir, "state.db")
        self.lock = FileLock(os.path.join(self._dir, "lock"))
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        db = self.conn()
        db.executescript(SCHEMA + SESSIONS_SCHEMA)
        db.execute("INSERT INTO control VALUES (1, ?)", (self._control.encode(),))
        db.close()
        self._db = None  # no connection crosses a fork: each process opens its own
        self.journal = FileJournal(self, journal_size) if journal_size > 0 else None

    def conn(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=10)
            db.execute("PRAGMA synchronous = OFF")  # a temporary file: no fsync
            self._db, self._pid = db, os.getpid()
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- reads: one shared-memory read, the file only after a change ---------------------
    @property  # type: ignore[override]
    def quiet(self) -> bool:
        if self._version.value != self._seen:
            self._refresh()
        return self._quiet

    @quiet.setter
    def quiet(self, value: bool) -> None:
        self._quiet = value

    @property
    def control(self) -> Control:
        if self._version.value != self._seen:
            self._refresh()
        return self._control

    def _refresh(self) -> None:
        seen = self._version.value  # read first: a change after it is seen next time
        (doc,) = self.conn().execute("SELECT doc FROM control").fetchone()
        self._install(Control.decode(doc))
        self._seen = seen

    # -- changes ---------------------------------------------------------------------
    def _write(self, db: sqlite3.Connection, change: Change) -> tuple[Control, Control]:
        (doc,) = db.execute("SELECT doc FROM control").fetchone()
        old = Control.decode(doc)
        new = change(old).next_version(self._version.value)
        db.execute("UPDATE control SET doc = ?", (new.encode(),))
        return old, new

    def _publish(self, new: Control) -> None:
        """After the commit, still under the lock: the new version number for every
        process (which then reads the committed document), the new copy for this one."""
        self._version.value = new.version
        self._install(new)
        self._seen = new.version

    async def update(self, change: Change) -> tuple[Control, Control]:
        async with self.lock.held():
            with self._transaction() as db:
                old, new = self._write(db, change)
            self._publish(new)
        return old, new

    async def reset(self) -> None:
        async with self.lock.held():
            with self._transaction() as db:
                _, new = self._write(db, lambda c: c.reset_to(self.initial))
                db.execute("DELETE FROM counters WHERE substr(k, 1, 2) <> ?",
                           (session_prefix("")[:2],))  # the sessions keep theirs
            self._publish(new)

    # -- counters --------------------------------------------------------------------
    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        key = "w\x1f" + key
        if not cost:
            return self._read_hit(key, window)
        async with self.lock.held():  # waited for off the event loop
            return self._write_hit(key, window, cost, ttl)

    async def next_count(self, name: str) -> int:
        async with self.lock.held():
            return self.conn().execute(COUNT, ("n\x1f" + name,)).fetchall()[0][0]

    def count_hit(self, key: str, window: int, cost: int, ttl: int = 120) -> int:
        """:meth:`hit` for a session's scope (synchronous: the lock only if it is free)."""
        if not cost:
            return self._read_hit(key, window)
        with self.locked():
            return self._write_hit(key, window, cost, ttl)

    def count_next(self, key: str) -> int:
        with self.locked():
            return self.conn().execute(COUNT, (key,)).fetchall()[0][0]

    def _read_hit(self, key: str, window: int) -> int:
        row = self.conn().execute("SELECT w, n, e FROM counters WHERE k = ?",
                                  (key,)).fetchone()
        return row[1] if row is not None and row[0] == window and row[2] > time.time() else 0

    def _write_hit(self, key: str, window: int, cost: int, ttl: int) -> int:
        now = time.time()  # wall clock: the processes share it
        return self.conn().execute(HIT, (key, window, cost, now + ttl, now)).fetchall()[0][0]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """For synchronous writes (sessions, the journal): the shared lock if no process
        holds it, else SQLite's own locking (they never wait for it on the event loop)."""
        with self.lock.if_free():
            yield

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, synchronous (see :meth:`locked`)."""
        with self.locked(), self._transaction() as db:
            yield db

    # -- outcome counts: one transaction per batch -----------------------------------------
    async def add_outcomes(self, counts: Outcomes) -> None:
        with self.writing() as db:
            db.executemany(ADD_OUTCOME, [(s or "", name, n) for (s, name), n in counts.items()])

    async def outcomes(self) -> Outcomes:
        rows = self.conn().execute("SELECT s, name, n FROM outcomes").fetchall()
        return {(s or None, name): n for s, name, n in rows}

    async def clear_outcomes(self, session: str | None) -> None:
        with self.writing() as db:
            db.execute("DELETE FROM outcomes WHERE s = ?", (session or "",))

    async def close(self) -> None:
        """A worker stopping after its parent died (killed: no atexit ran there) removes
        the directory itself; any other process keeps it for the parent to remove."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
            self._db = None
        if os.getpid() != self._owner and os.getppid() != self._owner:
            shutil.rmtree(self._dir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "path": self.path}


class FileJournal(Journal):
    """The journal in the file: every worker appends to it and reads all of it. An entry is
    one insert; every ``TRIM`` entries the oldest beyond the size go (reads show the newest
    ``size`` only, so the bound holds exactly for what anyone sees)."""

    TRIM = 64

    def __init__(self, runtime: FileBackend, size: int) -> None:
        super().__init__(size)
        self._runtime = runtime
        self._seq = itertools.repeat(0)  # the file numbers entries (AUTOINCREMENT)

    def _append(self, entry: Entry) -> Entry:
        with self._runtime.lock.if_free():  # never waits: SQLite's locking if taken
            db = self._runtime.conn()
            seq = db.execute("INSERT INTO journal (doc) VALUES (?)", (encode(entry),)).lastrowid
            if seq is not None and seq % self.TRIM == 0:
                db.execute("DELETE FROM journal WHERE seq <= ?", (seq - self.size,))
        return entry

    async def _all(self) -> list[Entry]:
        rows = self._runtime.conn().execute(
            "SELECT seq, doc FROM (SELECT seq, doc FROM journal ORDER BY seq DESC LIMIT ?) "
            "ORDER BY seq", (self.size,))
        return [decode(seq, doc) for seq, doc in rows.fetchall()]

    async def count(self) -> int:
        (n,) = self._runtime.conn().execute("SELECT count(*) FROM journal").fetchone()
        return min(n, self.size)

    async def clear(self, session: str | None = ANY) -> int:
        async with self._runtime.lock.held():
            with self._runtime._transaction() as db:
                if session == ANY:
                    return min(db.execute("DELETE FROM journal").rowcount, self.size)
                return db.execute("DELETE FROM journal WHERE json_extract(CAST(doc AS TEXT), "
                                  "'$.session') IS ?", (session,)).rowcount
