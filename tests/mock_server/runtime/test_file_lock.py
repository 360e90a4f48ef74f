"""--workers' write lock (runtime/file_lock.py): the kernel frees it when its holder dies,
and a worker waiting for it keeps serving. On d7d8f84 it was a lock in shared memory taken
on the event loop: a worker killed while holding it left it taken for good (every write
then waited 2 s, the loop blocked the while)."""

from __future__ import annotations

import asyncio
import os
import select
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from mock_server.runtime.file import FileBackend


@contextmanager
def holder(backend: FileBackend) -> Iterator[tuple[int, int]]:
    """A forked process holding the lock: yields (its pid, a pipe end that releases it)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: take the lock, say so, hold it until told (or killed)
        try:
            got = backend.lock.try_acquire()
            os.write(ready_w, b"1" if got else b"0")
            os.read(go_r, 1)
            backend.lock.release()
        finally:
            os._exit(0)
    try:
        readable, _, _ = select.select([ready_r], [], [], 30)
        assert readable and os.read(ready_r, 1) == b"1", "the child did not take the lock"
        yield pid, go_w
    finally:
        for fd in (ready_r, ready_w, go_r, go_w):
            os.close(fd)
        with suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def test_a_holder_killed_while_holding_it_leaves_the_lock_free() -> None:
    backend = FileBackend()
    try:
        with holder(backend) as (pid, _):
            assert not backend.lock.try_acquire()  # held by the child
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            assert backend.lock.try_acquire()  # the kernel released it
            backend.lock.release()
            assert asyncio.run(backend.hit("org", 1, 1)) == 1
    finally:
        asyncio.run(backend.close())


def test_waiting_for_the_lock_never_blocks_the_event_loop() -> None:
    backend = FileBackend()

    async def meanwhile(release: int) -> tuple[int, int]:
        task = asyncio.create_task(backend.hit("org", 1, 1))
        ticks = 0
        while ticks < 50:  # other work goes on while the write waits for the lock
            await asyncio.sleep(0)
            assert not task.done()
            ticks += 1
        os.write(release, b"1")
        return ticks, await asyncio.wait_for(task, 30)

    try:
        with holder(backend) as (_, release):
            assert asyncio.run(meanwhile(release)) == (50, 1)
    finally:
        asyncio.run(backend.close())
