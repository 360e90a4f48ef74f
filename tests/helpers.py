"""Helpers shared by tests in several folders (a plain module: tests/ is on sys.path)."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit

import requests

from mock_server.config import QaConfig
from mock_server.serve.cli import build_parser, config_from_args
from mock_server.testing import MockServerThread

import oracle
from conftest import Client, start

DOCUMENTED_ERRORS = {
    400: ("INVALID_REQUEST", "validation_error"),
    401: ("AUTHENTICATION_REQUIRED", "client_error"),
    403: ("ORGANIZATION_ACCESS_DENIED", "authorization_error"),
    500: ("INTERNAL_ERROR", "server_error"),
}

NOV = {"year": 2025, "month": 11}
T = TypeVar("T")


def eventually(check: Callable[[], T], *, timeout: float = 10.0, what: str = "it") -> T:
    """Poll ``check`` until it returns something truthy, and return that: a bounded loop
    on an observable change (the pause is between polls, not a guess at how long)."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {got!r})")
        time.sleep(0.01)


def admin_client(**qa: object) -> Iterator[Client]:
    srv: MockServerThread = start(qa=QaConfig(admin=True, **qa))  # type: ignore[arg-type]
    with requests.Session() as session:
        yield Client(srv, session)
    srv.stop()


def call(c: Client, method: str, path: str, **kwargs: object) -> requests.Response:
    return c.request(method, "/__mock/" + path, base=c.server.origin, **kwargs)  # type: ignore[arg-type]


CMD = [sys.executable, "-m", "mock_server"]
LINE_TIMEOUT = 60.0  # seconds a started server may take to print a line


def read_line(stream: IO[str], timeout: float = LINE_TIMEOUT, what: str = "a line", *,
              whole: bool = False) -> str:
    """``stream.readline()`` (``read()`` if ``whole``), bounded: a process that never prints
    fails the test instead of hanging the run (the reader thread ends when the process's
    pipe closes)."""
    got: list[str] = []
    read = stream.read if whole else stream.readline
    reader = threading.Thread(target=lambda: got.append(read()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not got:
        raise AssertionError(f"{what}: nothing printed within {timeout} s")
    return got[0]


def _known_to_oracle(args: Iterable[str], url: str, cwd: str | None) -> int | None:
    """Tell the oracle what the mock at ``url`` was started with (its keys, clock, spec)."""
    config = config_from_args(build_parser().parse_args(["--port", "0", *args]))
    if cwd is not None:
        config.spec_path = Path(cwd, config.spec_path)
        config.fixtures_dir = Path(cwd, config.fixtures_dir)
    port = urlsplit(url).port
    if port is not None:
        oracle.register_config(port, config)
    return port


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=60)


@contextmanager
def running(*args: str, cwd: str | None = None, preexec_fn: Callable[[], None] | None = None,
            env: dict[str, str] | None = None,
            ) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``freddy-mock --port 0 ARGS`` until the block ends; then SIGTERM, and wait for it
    (SIGKILL only if it has not exited within 30 s). The oracle judges its answers.
    ``env``: variables set for it on top of this process's."""
    proc = subprocess.Popen([*CMD, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd,
                            preexec_fn=preexec_fn,
                            env=None if env is None else {**os.environ, **env})
    port = None
    try:
        assert proc.stdout is not None
        # the server prints this once it is listening
        line = read_line(proc.stdout, what="freddy-mock's 'listening on' line")
        match = re.search(r"listening on (http://\S+)", line)
        if not match and proc.stderr is not None and proc.poll() is not None:
            line += read_line(proc.stderr, 10, "its error output", whole=True)
        assert match, line
        port = _known_to_oracle(args, match.group(1), cwd)
        yield proc, match.group(1)
    finally:
        if port is not None:
            oracle.forget(port)
        stop(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state, ppid, ...
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@contextmanager
def exits_of(pids: Iterable[int]) -> Iterator[Callable[[float], set[int]]]:
    """Watch ``pids`` from now on (a pidfd per process: readable once it exits, whoever
    its parent is; no polling, and no confusion with a later process of the same pid).
    Yields ``wait(timeout)``: the pids still running after at most ``timeout`` seconds."""
    fds: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds[os.pidfd_open(pid)] = pid

    def wait(timeout: float) -> set[int]:
        waiting = set(fds)
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [], timeout)
            if not ready:
                break
            waiting -= set(ready)
        return {fds[fd] for fd in waiting}

    try:
        yield wait
    finally:
        for fd in fds:
            os.close(fd)


def raw_get(origin: str, target: str, headers: Iterable[tuple[str, str]],
            timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """GET ``target`` with ``headers`` exactly as given (a name twice is sent twice), the
    answer judged by the oracle like any other: (status, headers, body)."""
    parts = urlsplit(origin)
    sent = list(headers)
    conn = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        before = datetime.now(UTC)
        conn.putrequest("GET", target, skip_accept_encoding=True)
        for name, value in sent:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        answer = {k: v for k, v in resp.getheaders()}
        sent.append(("Host", f"{parts.hostname}:{parts.port}"))
        oracle.judge(origin + target, "GET", sent, resp.status, answer, body,
                     (before, datetime.now(UTC)))
        return resp.status, answer, body
    finally:
        conn.close()
