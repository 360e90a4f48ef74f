"""The kit is a client of servers it does not trust: each request has a wall-clock deadline,
each body a size cap, and a server that let a few requests in a row go unanswered is sent
no more. The kit's own transport and the Schemathesis step (its requests sessions) share it.

A socket timeout bounds one read, not a request: a server that drips a byte a second (in
its headers or its body) keeps every read short and the request alive for ever. So a
:class:`Deadline` watches the connections its thread uses and, when it passes, shuts their
sockets down, which ends any read blocked on them at once.

A connection stops being watched when it goes back to its pool (the body read to its end
releases it, before the deadline's timer is cancelled): a timer that fires after that moment
must not shut a socket that the next request, in this thread or another, has taken from the
pool. A connection the deadline did shut is closed instead of pooled.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any, Protocol

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from api_contract.exchange import MAX_BODY  # the one read limit, shared with the mock's proxy

UNANSWERED_LIMIT = 3  # after this many timeouts in a row, further requests are not sent
READ_SIZE = 65536

_local = threading.local()


def _shut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Deadline:
    """``with Deadline(seconds) as d:`` every connection the thread sends on meanwhile is shut
    down when ``seconds`` have passed; ``d.expired`` says whether that happened."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._conns: list[Any] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
        self._outer = getattr(_local, "deadline", None)
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _local.deadline = self._outer

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            conns = list(self._conns)
        for conn in conns:
            _shut(conn)

    def watch(self, conn: Any) -> None:
        with self._lock:
            self._conns.append(conn)
            expired = self.expired
        if expired:
            _shut(conn)

    def release(self, conn: Any) -> bool:
        """Stop watching ``conn`` (it goes back to its pool); False if the deadline has
        passed, so it was (or is being) shut down and must not be reused."""
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
            return not self.expired


def _current() -> Deadline | None:
    return getattr(_local, "deadline", None)


class _Watched:
    """Connection mixin: each request (and a late connect) is watched by the thread's deadline."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        deadline = _current()
        if deadline is not None:
            deadline.watch(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        deadline = _current()
        if deadline is not None and deadline.expired:
            _shut(self)


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _Released:
    """Pool mixin: a connection handed back is no longer the thread's deadline's to shut."""

    def _put_conn(self, conn: Any) -> None:
        deadline = _current()
        if conn is not None and deadline is not None and not deadline.release(conn):
            conn.close()  # shut by the deadline: the next request opens a fresh one
        super()._put_conn(conn)  # type: ignore[misc]


class _HTTPPool(_Released, urllib3.HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class _HTTPSPool(_Released, urllib3.HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


def watch_pools(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """Make ``manager`` open connections that deadlines can shut down."""
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}  # type: ignore[assignment]
    return manager


class _Readable(Protocol):
    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes: ...


def read_capped(raw: _Readable, limit: int = MAX_BODY) -> tuple[bytes, bool]:
    """The body up to ``limit`` bytes (decoded), and whether more was left unread."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = raw.read(READ_SIZE, decode_content=True)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit], True


class Unanswered:
    """Requests in a row that got no complete answer in time; past the limit none are sent."""

    def __init__(self, limit: int = UNANSWERED_LIMIT) -> None:
        self.limit = limit
        self._count = 0
        self._lock = threading.Lock()

    @property
    def exhausted(self) -> bool:
        return self._count >= self.limit

    def record(self, timed_out: bool) -> None:
        with self._lock:
            self._count = self._count + 1 if timed_out else 0

    def refusal(self, timeout: float) -> str:
        return (f"not sent: the server left the last {self.limit} requests unanswered within "
                f"the {timeout:g} s timeout")
