"""The Host allow-list (DNS rebinding): loopback names and addresses with any port, plus
--allowed-host names; anything else is a 421 in the envelope on every route."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from mock_server.config import QaConfig
from mock_server.stages.hosts import HostGate, requested_name
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, start

SUMMARY = "/v1/analytics/api-keys/summary/org_abc123?year=2025&month=11"
# Every kind of route: the API (GET, preflight), the spec, /docs, the admin API and its
# page, and a path no route has.
ROUTES = [
    ("GET", SUMMARY, {"X-API-Key": KEY_ABC}),
    ("OPTIONS", SUMMARY, {"Origin": "http://attacker.example",
                          "Access-Control-Request-Method": "GET"}),
    ("GET", "/openapi.json", {}),
    ("GET", "/docs", {}),
    ("GET", "/__mock/requests", {}),
    ("GET", "/__mock/ui", {}),
    ("POST", "/__mock/reset", {"Content-Type": "application/json"}),
    ("OPTIONS", "/__mock/reset", {"Origin": "http://attacker.example",
                                  "Access-Control-Request-Method": "POST"}),
    ("GET", "/nowhere", {}),
]
LOOPBACK_HOSTS = ["127.0.0.1", "127.0.0.1:1", "localhost", "LOCALHOST:8080", "localhost.",
                  "app.localhost:3000", "127.8.9.10:80", "[::1]", "[::1]:8080"]
REFUSED_HOSTS = ["attacker.example", "attacker.example:8080", "127.0.0.1.attacker.example",
                 "localhost.attacker.example", "10.0.0.1", "[::2]:80", "127.0.0.1:abc",
                 "[::1", "::1", "", "local host"]


@pytest.fixture(scope="module")
def srv() -> Iterator[MockServerThread]:
    server = start(qa=QaConfig(admin=True))
    yield server
    server.stop()


def send(srv: MockServerThread, method: str, target: str, host: str | None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A request whose Host header is exactly ``host`` (None: no Host header at all)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        body = b"{}" if method == "POST" else None
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def refused(status: int, headers: dict[str, str], body: bytes) -> bool:
    if status != 421:
        return False
    doc = json.loads(body)
    assert headers["content-type"] == "application/json"
    assert doc["success"] is False and doc["error"]["code"] == "HOST_NOT_ALLOWED"
    assert doc["error"]["status"] == 421 and doc["error"]["trace_id"]
    return True


@pytest.mark.parametrize(("method", "target", "headers"), ROUTES)
def test_a_foreign_host_is_refused_on_every_route(srv, method, target, headers) -> None:
    for host in REFUSED_HOSTS:
        assert refused(*send(srv, method, target, host, headers)), host
    assert srv.parts.qa.journal is not None


@pytest.mark.parametrize(("method", "target", "headers"), ROUTES)
def test_loopback_hosts_with_any_port_are_answered(srv, method, target, headers) -> None:
    for host in LOOPBACK_HOSTS:
        status, _, _ = send(srv, method, target, host, headers)
        assert status != 421, host
        assert status < 500


def test_the_api_answers_a_loopback_host_as_before(srv) -> None:
    status, headers, body = send(srv, "GET", SUMMARY, "localhost:9999",
                                 {"X-API-Key": KEY_ABC, "Origin": "http://localhost:3000"})
    assert status == 200 and json.loads(body)["totalApiKeyRequests"] == 25000
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    # HTTP/1.1 without Host is the parser's 400; HTTP/1.0 without one is answered (no
    # browser sends that, so it is no rebinding): test_hostile.py::test_http_10.
    assert send(srv, "GET", SUMMARY, None, {"X-API-Key": KEY_ABC})[0] == 400


def test_a_refused_host_never_reaches_the_admin_api(srv) -> None:
    srv.call(srv.parts.qa.runtime.reset())
    status, headers, body = send(srv, "POST", "/__mock/scenarios/empty-org/activate",
                                 "rebind.attacker.example:8080",
                                 {"Origin": "http://rebind.attacker.example:8080",
                                  "Content-Type": "application/json"})
    assert refused(status, headers, body)
    assert srv.parts.qa.runtime.active() == ()


def test_allowed_host_lets_exactly_what_it_names_through() -> None:
    srv = start(allowed_hosts=("mock.test", ".corp.example", "192.168.1.5"),
                qa=QaConfig(admin=True))
    try:
        for host in ("mock.test", "MOCK.TEST:8080", "corp.example", "a.b.corp.example:1",
                     "192.168.1.5:8080", "localhost:1"):
            assert send(srv, "GET", SUMMARY, host, {"X-API-Key": KEY_ABC})[0] == 200, host
            assert send(srv, "GET", "/__mock/health", host)[0] == 200, host
        for host in ("evil.mock.test", "mock.test.evil", "xcorp.example", "192.168.1.6",
                     "attacker.example"):
            assert refused(*send(srv, "GET", SUMMARY, host, {"X-API-Key": KEY_ABC})), host
            assert refused(*send(srv, "GET", "/__mock/health", host)), host
    finally:
        srv.stop()


def test_allowed_host_star_answers_any_host() -> None:
    srv = start(allowed_hosts=("*",))
    try:
        for host in ("attacker.example", "anything:1"):
            assert send(srv, "GET", SUMMARY, host, {"X-API-Key": KEY_ABC})[0] == 200
    finally:
        srv.stop()


def test_the_gate_remembers_a_bounded_number_of_good_values() -> None:
    gate = HostGate()
    for port in range(1, 2000):
        gate.admit(f"localhost:{port}")
    assert 0 < len(gate.admitted) <= 256
    gate.admit("localhost:5000")  # still answered once the memory is full
    assert requested_name("[::1]:80") == "::1" and requested_name("a:b:c") is None
