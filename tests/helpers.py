"""Helpers shared by tests in several folders (a plain module: tests/ is on sys.path)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from mock_server.config import QaConfig
from mock_server.testing import MockServerThread

from conftest import Client, start

DOCUMENTED_ERRORS = {
    400: ("INVALID_REQUEST", "validation_error"),
    401: ("AUTHENTICATION_REQUIRED", "client_error"),
    403: ("ORGANIZATION_ACCESS_DENIED", "authorization_error"),
    500: ("INTERNAL_ERROR", "server_error"),
}

NOV = {"year": 2025, "month": 11}


def admin_client(**qa: object) -> Iterator[Client]:
    srv: MockServerThread = start(qa=QaConfig(admin=True, **qa))  # type: ignore[arg-type]
    with requests.Session() as session:
        yield Client(srv, session)
    srv.stop()


def call(c: Client, method: str, path: str, **kwargs: object) -> requests.Response:
    return c.request(method, "/__mock/" + path, base=c.server.origin, **kwargs)  # type: ignore[arg-type]


CMD = [sys.executable, "-m", "mock_server"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=60)


@contextmanager
def running(*args: str, cwd: str | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen([*CMD, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the server prints this once it is listening
        match = re.search(r"listening on (http://\S+)", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


