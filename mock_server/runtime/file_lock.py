"""The ``--workers`` processes' write lock: ``flock`` on a file in the state directory.

The kernel releases an ``flock`` when its holder dies, so a worker killed while holding it
stalls nobody (a lock in shared memory stayed taken for good: every worker then waited its
bounded 2 s on each write). It is never awaited on the event loop: a process tries it
without blocking and, while another process holds it, pauses (``asyncio.sleep``) and tries
again, at most ``WAIT`` seconds, then goes on without it. The lock is only an aid (no
process waits in SQLite's sleeping busy handler); SQLite's own locking keeps the file
right either way. Within one process an ``asyncio.Lock`` lets one coroutine at a time try
(an ``flock`` is per open file, so the process's coroutines would all "hold" it at once).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

WAIT = 2.0  # seconds a process tries for the lock at most
FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.02  # seconds between tries, doubling


class FileLock:
    def __init__(self, path: str) -> None:
        self.path = path
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        self._fd = -1
        self._pid = 0
        self._turn: asyncio.Lock | None = None

    def _file(self) -> int:
        """This process's own open file (an open file shared across a fork is one lock)."""
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
            self._pid = os.getpid()
            self._turn = None
        return self._fd

    def try_acquire(self) -> bool:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """Hold the lock for the block (yields whether it was had within ``WAIT`` s); the
        block itself must not await, so no other coroutine runs while it is held."""
        self._file()
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            got = self.try_acquire()
            if not got:
                loop = asyncio.get_running_loop()
                deadline, pause = loop.time() + WAIT, FIRST_PAUSE
                while not got and loop.time() < deadline:
                    await asyncio.sleep(pause)
                    pause = min(2 * pause, LONGEST_PAUSE)
                    got = self.try_acquire()
            with self._holding(got):
                yield got

    @contextmanager
    def if_free(self) -> Iterator[bool]:
        """For a write that never waits (the journal's): the lock if no one holds it."""
        got = self.try_acquire()
        with self._holding(got):
            yield got

    @contextmanager
    def _holding(self, got: bool) -> Iterator[None]:
        """Release the lock after the block, when ``got`` says it is held."""
        try:
            yield
        finally:
            if got:
                self.release()
