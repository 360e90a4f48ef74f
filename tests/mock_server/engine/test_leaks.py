"""Small leaks: ``X-Content-Type-Options: nosniff`` on every response the mock sends (the
pre-rendered 200 included), and no absolute file paths in ``/__mock/scenarios``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_server.config import QaConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, KEY_XYZ, start

SUMMARY = "/v1/analytics/api-keys/summary/org_abc123"
KEY = {"X-API-Key": KEY_ABC}
HTTP: list[tuple[str, str, dict[str, str], int]] = [  # method, target, headers, status
    ("GET", SUMMARY + "?year=2025&month=11", KEY, 200),  # the pre-rendered hot path
    ("GET", SUMMARY + "?year=2025&month=11", {**KEY, "Prefer": "delay=0"}, 200),  # steered
    ("GET", SUMMARY + "?year=2025&month=11", {**KEY, "Origin": "http://app.test"}, 200),
    ("GET", SUMMARY + "?__code=500", KEY, 500),
    ("GET", SUMMARY + "?__example=no-usage", KEY, 200),
    ("GET", SUMMARY, {}, 401),
    ("GET", SUMMARY, {"X-API-Key": KEY_XYZ}, 403),
    ("GET", SUMMARY + "?month=13", KEY, 400),
    ("GET", "/nowhere", {}, 404),
    ("DELETE", SUMMARY, KEY, 405),
    ("OPTIONS", SUMMARY, {}, 204),
    ("OPTIONS", SUMMARY, {"Origin": "http://app.test", "Access-Control-Request-Method": "GET"},
     204),
    ("GET", "/openapi.yaml", {}, 200),
    ("GET", "/openapi.json", {}, 200),
    ("GET", "/docs", {}, 200),
    ("GET", "/docs/", {}, 302),
    ("GET", "/docs/docs.js", {}, 200),
    ("GET", "/__mock/health", {}, 200),
    ("GET", "/__mock/ui", {}, 200),
    ("POST", "/__mock/settings", {"Content-Type": "application/json"}, 400),
    ("OPTIONS", "/__mock/settings", {"Origin": "http://app.test"}, 204),
]


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServerThread]:
    path = tmp_path_factory.mktemp("scenarios") / "my-rules.yaml"
    path.write_text("rules:\n  - match: {org: org_nobody}\n    error: 500\n")
    server = start(qa=QaConfig(admin=True, scenarios=(str(path),)))
    yield server
    server.stop()


@pytest.mark.parametrize(("method", "target", "headers", "status"), HTTP,
                         ids=[f"{m} {t[:40]} {s}" for m, t, _, s in HTTP])
def test_every_response_says_nosniff(srv: MockServerThread, method: str, target: str,
                                     headers: dict[str, str], status: int) -> None:
    resp = requests.request(method, srv.origin + target, headers=headers, timeout=10,
                            data=b"[" if method == "POST" else None, allow_redirects=False)
    assert resp.status_code == status
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("raw", [b"\x16\x03\x01 garbage\r\n\r\n",  # 400 from the protocol
                                 b"GET /" + b"o" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"])
def test_protocol_level_errors_say_nosniff(srv: MockServerThread, raw: bytes) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(raw)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                break
            head += chunk
    assert b"\r\nX-Content-Type-Options: nosniff\r\n" in head


def test_scenario_sources_are_file_names_not_paths(srv: MockServerThread) -> None:
    items = requests.get(srv.origin + "/__mock/scenarios", timeout=10).json()["scenarios"]
    sources = {s["name"]: s["source"] for s in items}
    assert sources["my-rules"] == "my-rules.yaml"
    assert sources["flaky"] == "flaky.yaml"
    assert not any("/" in s or "\\" in s for s in sources.values())
    assert str(Path.cwd()) not in str(items)
