"""``--workers N``: N processes serving one port with SO_REUSEPORT (the kernel spreads the
connections). The parent loads and compiles everything once, reserves the port, forks the
workers, prints one "listening" line when all are ready, forwards SIGTERM/SIGINT and exits 0
once every worker has drained. Every worker holds the same compiled state, so the same
request gets byte-identical bodies from any of them; what must differ per process (request
ids, the QA random generator) is made again in the child (``make_app`` gets the worker's
index). A worker gets SIGTERM when its parent dies, even by SIGKILL (Linux
``PR_SET_PDEATHSIG``): no orphan keeps serving the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
from collections.abc import Callable

from aiohttp import web

from mock_server.serve.server import new_event_loop, serve


def reserve_port(host: str, port: int) -> socket.socket:
    """Bind (not listen) with SO_REUSEPORT, so port 0 resolves once for every worker."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when ``parent`` exits (Linux); exit now if
    it already has (it died between the fork and this call)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(0)


def _child(make_app: Callable[[int], web.Application], index: int, host: str, port: int,
           ready_fd: int, access_log: bool) -> None:
    def ready(_: int) -> None:
        os.write(ready_fd, b"!")
        os.close(ready_fd)

    async def run() -> None:
        await serve(make_app(index), host, port, stop=asyncio.Event(), on_ready=ready,
                    access_log=access_log, handle_signals=True, reuse_port=True)

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(run())


def run_workers(make_app: Callable[[int], web.Application], host: str, port: int, workers: int,
                on_ready: Callable[[int], None], access_log: bool = False) -> int:
    """``make_app(index)`` runs in worker ``index`` (0 .. workers-1), after the fork."""
    reservation = reserve_port(host, port)
    port = reservation.getsockname()[1]
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pids: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # worker
            code = 0
            try:
                die_with_parent(parent)
                os.close(read_fd)
                reservation.close()
                _child(make_app, index, host, port, write_fd, access_log)
            except BaseException as exc:  # report, never a traceback
                print(f"freddy-mock worker {os.getpid()}: {exc}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        pids.append(pid)
    os.close(write_fd)

    def forward(sig: int, _frame: object) -> None:
        for child in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, sig)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    got = b""
    while len(got) < workers:
        chunk = os.read(read_fd, workers)
        if not chunk:
            break
        got += chunk
    os.close(read_fd)
    if len(got) == workers:
        on_ready(port)
    else:
        forward(signal.SIGTERM, None)
    status = 0
    for child in pids:
        _, code = os.waitpid(child, 0)
        status = status or os.waitstatus_to_exitcode(code)
    reservation.close()
    return 0 if status in (0, -signal.SIGTERM, -signal.SIGINT) and len(got) == workers else 1
