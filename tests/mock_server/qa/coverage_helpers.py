"""Requests that meet each outcome of the contract, for the coverage tests (in-process,
``--workers 2`` and Redis replicas alike): anything with ``origin``, ``base_url`` and
``port`` is a target."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Protocol

import pytest
import requests

from conftest import KEY_ABC, SUMMARY
from helpers import eventually


class Target(Protocol):
    origin: str
    base_url: str
    port: int


FAULTS_FILE = """
name: faults
description: one fault per X-Fault header
rules:
  - match: {header: {X-Fault: reset}}
    fault: reset
  - match: {header: {X-Fault: empty}}
    fault: empty
  - match: {header: {X-Fault: malformed}}
    fault: malformed
  - match: {header: {X-Fault: stall}}
    fault: {type: stall, stall_ms: 50}
"""
NOV = {"year": 2025, "month": 11}  # the frozen clock's month (conftest: 2025-11-20)


def url(srv: Target, org: str = "org_abc123") -> str:
    return srv.base_url + SUMMARY + org


def get(srv: Target, params: object = None, key: str | None = KEY_ABC,
        org: str = "org_abc123", **headers: str) -> requests.Response:
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if key is not None:
        h.setdefault("X-API-Key", key)
    with requests.Session() as s:
        return s.get(url(srv, org), params=params or NOV, headers=h, timeout=10)


def raw(srv: Target, data: bytes) -> bytes:
    """Send ``data`` on a connection of its own; what came back until the server closed."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(data)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
        return got


def faulted(srv: Target, kind: str) -> None:
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        ValueError)):
        get(srv, X_Fault=kind, Prefer="scenario=faults").json()


def at_capacity(srv: Target) -> None:
    """Three connections held open; the fourth gets the 503 of the connection cap."""
    held = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(3)]
    try:
        answer = raw(srv, b"GET /v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503"), answer[:60]
    finally:
        for sock in held:
            sock.close()


# outcome -> one request (or the few a scenario needs) that meets it exactly once
DRIVE: dict[str, Callable[[Target], object]] = {
    "status:200": lambda s: get(s),
    "status:400": lambda s: get(s, {"year": 2025, "month": 13}),
    "status:401": lambda s: get(s, key=None),
    "status:403": lambda s: get(s, org="org_xyz789"),
    "status:404": lambda s: requests.get(s.base_url + "/analytics/nope", timeout=10),
    "status:405": lambda s: requests.post(url(s), timeout=10),
    "status:408": lambda s: raw(s, b"GET /v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
    "status:414": lambda s: raw(s, b"GET /v1/" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"),
    "status:421": lambda s: get(s, Host="evil.example"),
    "status:429": lambda s: get(s, Prefer="code=429"),
    "status:431": lambda s: raw(s, b"GET /v1/ HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"),
    "status:500": lambda s: get(s, Prefer="code=500"),
    "status:503": at_capacity,
    "fault:reset": lambda s: faulted(s, "reset"),
    "fault:empty": lambda s: faulted(s, "empty"),
    "fault:malformed": lambda s: faulted(s, "malformed"),
    "fault:stall": lambda s: faulted(s, "stall"),
    "scenario:documented-errors": lambda s: get(s, Prefer="scenario=documented-errors"),
    "scenario:empty-org": lambda s: get(s, Prefer="scenario=empty-org"),
    "scenario:enterprise-org": lambda s: get(s, Prefer="scenario=enterprise-org"),
    "scenario:flaky": lambda s: [get(s, Prefer="scenario=flaky") for _ in range(3)],
    "scenario:new-org": lambda s: get(s, Prefer="scenario=new-org"),
    "scenario:rate-limited": lambda s: get(s, Prefer="scenario=rate-limited"),
    "scenario:slow": lambda s: get(s, Prefer="scenario=slow, delay=0"),
    "scenario:faults": lambda s: faulted(s, "reset"),
    "header:Api-Key": lambda s: get(s, key=None, Api_Key=KEY_ABC),
    "data:no-usage": lambda s: get(s, {"year": 2030, "month": 12}),  # none yet
    "data:current-month": lambda s: get(s),
    "data:future-month": lambda s: get(s, {"year": 2026, "month": 1}),
    "data:default-period": lambda s: get(s, {"year": 2025}),
    "data:leap-february": lambda s: get(s, {"year": 2024, "month": 2}),
    "data:enterprise-scale": lambda s: get(s, {"year": 2025, "month": 10},
                                          Prefer="scenario=enterprise-org"),
}


def coverage(srv: Target, **params: str) -> dict:
    def read() -> requests.Response | None:  # (503 while closed connections are counted)
        resp = requests.get(srv.origin + "/__mock/coverage", params=params, timeout=10)
        return resp if resp.status_code != 503 else None

    resp = eventually(read, what="a connection under the cap")
    assert resp.status_code == 200, resp.text
    return resp.json()


def reset(srv: Target) -> None:
    eventually(lambda: requests.post(srv.origin + "/__mock/reset", timeout=10).ok,
               what="reset")


