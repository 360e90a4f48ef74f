"""Connection exhaustion: what one client can hold is bounded. A stalled request head gets
a 408, an idle connection is closed, connections beyond the cap and delayed requests beyond
theirs get a 503 in the envelope, and the CLI raises its soft open-file limit.

The limits are small here so that every wait is short; each socket read is bounded by a
10 s timeout, which only a regression reaches."""

from __future__ import annotations

import json
import re
import resource
import socket
from collections.abc import Iterator

import pytest
import requests

from mock_server.config import QaConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, start
from helpers import running

PATH = "/v1/analytics/api-keys/summary/org_abc123?year=2025&month=11"
REQUEST = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY_ABC}\r\n\r\n".encode()


@pytest.fixture(scope="module")
def srv() -> Iterator[MockServerThread]:
    server = start(header_timeout=0.2, idle_timeout=0.3, max_delayed=2,
                   qa=QaConfig(admin=True))
    yield server
    server.stop()


def connect(srv: MockServerThread) -> socket.socket:
    return socket.create_connection(("127.0.0.1", srv.port), timeout=10)


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], dict]:
    """One whole response (Content-Length framed) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, json.loads(body)


def health(srv: MockServerThread) -> dict:
    return requests.get(srv.origin + "/__mock/health", timeout=10).json()


def summary(srv: MockServerThread, **headers: str) -> requests.Response:
    with requests.Session() as s:
        return s.get(srv.origin + PATH, headers={"X-API-Key": KEY_ABC, **headers}, timeout=10)


def test_a_stalled_request_head_gets_408_and_is_closed(srv: MockServerThread) -> None:
    with connect(srv) as sock:
        sock.sendall(b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no more
        data = read_until_closed(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body)["error"]["code"] == "REQUEST_TIMEOUT"
    assert summary(srv).status_code == 200


def test_idle_connections_are_closed(srv: MockServerThread) -> None:
    with connect(srv) as fresh, connect(srv) as kept:
        kept.sendall(REQUEST)
        assert read_response(kept)[0] == 200
        assert read_until_closed(kept) == b""  # idle after its answer: closed
        assert read_until_closed(fresh) == b""  # never sent anything: closed


@pytest.fixture
def capped() -> Iterator[MockServerThread]:
    """Four connections at most, and the default (long) idle timeout: the held ones stay."""
    server = start(max_connections=4)
    yield server
    server.stop()


def test_connections_beyond_the_cap_get_503(capped: MockServerThread) -> None:
    srv = capped
    held = [connect(srv) for _ in range(4)]
    try:
        for sock in held:  # each one answered once: all four are open and counted
            sock.sendall(REQUEST)
            assert read_response(sock)[0] == 200
        with connect(srv) as extra:
            extra.sendall(REQUEST)
            status, headers, body = read_response(extra)
            assert status == 503 and headers["retry-after"] == "1"
            assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
            assert read_until_closed(extra) == b""
    finally:
        for sock in held:
            sock.close()
    for _ in range(100):  # bounded: the closed ones are let go by the server's loop
        if summary(srv).status_code == 200:
            break
    else:
        pytest.fail("connections were not released after their clients closed them")


def test_delayed_requests_beyond_the_cap_get_503(srv: MockServerThread) -> None:
    held = [connect(srv) for _ in range(2)]
    try:
        for sock in held:
            sock.sendall(REQUEST.replace(b"\r\n\r\n", b"\r\nPrefer: delay=60000\r\n\r\n"))
        for _ in range(200):  # bounded: until both are being delayed
            if health(srv)["delayed"]["now"] == 2:
                break
        else:
            pytest.fail("the delayed requests never reached the server")
        resp = summary(srv, Prefer="delay=60000")
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "1"
        assert resp.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert summary(srv).status_code == 200  # undelayed requests are still served
    finally:
        for sock in held:
            sock.close()
    for _ in range(200):  # bounded: clients gone, their delays are cancelled
        if health(srv)["delayed"]["now"] == 0:
            break
    else:
        pytest.fail("delays of clients that went away kept their slots")
    assert summary(srv, Prefer="delay=1").status_code == 200


def test_the_cli_raises_its_soft_open_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip(f"the hard open-file limit ({hard}) leaves nothing to raise")

    def low_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    with running(preexec_fn=low_soft_limit) as (proc, _):
        limits = open(f"/proc/{proc.pid}/limits").read()  # noqa: SIM115
    match = re.search(r"Max open files\s+(\d+)", limits)
    assert match and int(match.group(1)) > 256
