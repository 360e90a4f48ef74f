"""Hostile requests: each gets a clear 4xx in the API's envelope (or the documented 200 for
the accepted forms), and the server stays healthy afterwards.

Documented behaviour: the table in docs/hostile-input.md; this file is its proof. Each test
asserts its own claim, the server's health afterwards included (no autouse fixture does it).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mock_server.testing import MockServerThread

from conftest import start

KEY = "mock-key-abc123"
PATH = "/v1/analytics/api-keys/summary/"


@pytest.fixture(scope="module")
def srv() -> Iterator[MockServerThread]:
    server = start()
    yield server
    server.stop()


def raw(srv: MockServerThread, data: bytes) -> bytes:
    """Send raw bytes; return everything the server answers until it closes (or 10 s)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def get(srv: MockServerThread, target: str, headers: dict[str, str] | None = None,
        extra: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    h = {"Host": "127.0.0.1", "X-API-Key": KEY, "Connection": "close", **(headers or {})}
    head = f"GET {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
    return parse(raw(srv, head.encode("utf-8", "surrogateescape") + b"\r\n" + extra))


def parse(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def envelope(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    import json

    assert status == expected, body[:300]
    assert headers["content-type"] == "application/json"
    doc = json.loads(body)
    assert doc["success"] is False and doc["error"]["status"] == expected
    return doc["error"]


def healthy(srv: MockServerThread) -> None:
    """Each test ends with this: the server still answers the documented 200."""
    status, _, body = get(srv, PATH + "org_abc123?year=2025&month=11")
    assert status == 200 and b'"totalApiKeyRequests":25000' in body


@pytest.mark.parametrize("length", [1, 64, 1_000])
def test_long_org_ids_are_403(srv: MockServerThread, length: int) -> None:
    envelope(*get(srv, PATH + "o" * length), 403)
    healthy(srv)


def test_100k_org_id_is_the_documented_414(srv: MockServerThread) -> None:
    err = envelope(*get(srv, PATH + "o" * 100_000), 414)
    assert err["code"] == "URI_TOO_LONG"
    healthy(srv)


@pytest.mark.parametrize("org", ["org_%C3%BC%E2%9C%93", "org%00", "org%2Fabc123",
                                 "org%0D%0AX-Evil:%201", "%zz", "org%ff%fe", "%2E%2E"])
def test_odd_org_ids_are_403(srv: MockServerThread, org: str) -> None:
    status, headers, body = get(srv, PATH + org)
    envelope(status, headers, body, 403)
    assert "x-evil" not in headers
    healthy(srv)


def test_dot_dot_segment_is_a_clear_4xx(srv: MockServerThread) -> None:
    status, headers, body = get(srv, PATH + "../../x")
    assert status in (403, 404)
    envelope(status, headers, body, status)
    healthy(srv)


@pytest.mark.parametrize("query", [
    "year=2025&year=2026", "month=1&month=2", "month=%2B7", "month=%207", "month=7.0",
    "month=%D9%A1%D9%A2", "year=" + "9" * 40, "month=-1", "month=1e1", "year=0x7E9", "month=%zz",
    "month=%ff", "month=", "year=20%00", "month=true",
])
def test_bad_integer_forms_are_400(srv: MockServerThread, query: str) -> None:
    err = envelope(*get(srv, PATH + "org_abc123?" + query), 400)
    assert err["code"] == "INVALID_REQUEST"
    healthy(srv)


def test_leading_zero_is_an_accepted_form(srv: MockServerThread) -> None:
    status, _, body = get(srv, PATH + "org_abc123?year=2025&month=07")
    assert status == 200 and b'"month":7' in body
    healthy(srv)


def test_long_query_string_under_the_limit_is_fine(srv: MockServerThread) -> None:
    status, _, _ = get(srv, PATH + "org_abc123?year=2025&month=3&pad=" + "x" * 7000)
    assert status == 200
    healthy(srv)


def test_long_header_value_is_431_and_not_echoed(srv: MockServerThread) -> None:
    status, headers, body = get(srv, PATH + "org_abc123", {"X-API-Key": "secret" * 3000})
    envelope(status, headers, body, 431)
    assert b"secret" not in body
    healthy(srv)


def test_long_key_is_401(srv: MockServerThread) -> None:
    envelope(*get(srv, PATH + "org_abc123", {"X-API-Key": "k" * 8000}), 401)
    healthy(srv)


def test_hundreds_of_headers_is_431(srv: MockServerThread) -> None:
    many = {f"X-H{i}": "v" for i in range(300)}
    envelope(*get(srv, PATH + "org_abc123", many), 431)
    healthy(srv)


def test_non_ascii_key_bytes_are_401(srv: MockServerThread) -> None:
    envelope(*get(srv, PATH + "org_abc123", {"X-API-Key": "mock-key-\udcff\udcfe"}), 401)
    healthy(srv)


def test_raw_invalid_utf8_in_target_is_a_clear_4xx(srv: MockServerThread) -> None:
    status, headers, body = parse(raw(srv, b"GET " + PATH.encode() + b"org\xff\xfe HTTP/1.1\r\n"
                                      b"Host: 127.0.0.1\r\nX-API-Key: " + KEY.encode() +
                                      b"\r\nConnection: close\r\n\r\n"))
    assert 400 <= status < 500
    envelope(status, headers, body, status)
    healthy(srv)


def test_body_on_get_is_400(srv: MockServerThread) -> None:
    err = envelope(*get(srv, PATH + "org_abc123", {"Content-Length": "5"}, b"hello"), 400)
    assert "body" in err["system_message"]
    healthy(srv)


def test_chunked_body_on_get_is_400(srv: MockServerThread) -> None:
    envelope(*get(srv, PATH + "org_abc123", {"Transfer-Encoding": "chunked"},
                  b"5\r\nhello\r\n0\r\n\r\n"), 400)
    healthy(srv)


def test_garbage_request_line_is_400(srv: MockServerThread) -> None:
    status, headers, body = parse(raw(srv, b"\x16\x03\x01 garbage\r\n\r\n"))
    envelope(status, headers, body, 400)
    healthy(srv)


def test_known_method_is_405_unknown_token_is_400(srv: MockServerThread) -> None:
    for method, expected in (("PROPFIND", 405), ("FOO", 400)):
        status, headers, body = parse(raw(srv, f"{method} {PATH}org_abc123 HTTP/1.1\r\n"
                                               "Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                               .encode()))
        envelope(status, headers, body, expected)
    healthy(srv)


def test_http_10(srv: MockServerThread) -> None:
    data = raw(srv, f"GET {PATH}org_abc123?year=2025&month=11 HTTP/1.0\r\n"
                    f"X-API-Key: {KEY}\r\n\r\n".encode())
    status, _, body = parse(data)
    assert status == 200 and b"25000" in body
    healthy(srv)


def test_pipelined_requests_are_answered_in_order(srv: MockServerThread) -> None:
    one = f"GET {PATH}org_abc123?year=2025&month=11 HTTP/1.1\r\nHost: 127.0.0.1\r\n" \
          f"X-API-Key: {KEY}\r\n\r\n"
    two = f"GET {PATH}org_abc123?month=13 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY}\r\n" \
          "Connection: close\r\n\r\n"
    data = raw(srv, (one + two).encode())
    first, second = data.split(b"HTTP/1.1 ")[1:3]
    assert first.startswith(b"200") and second.startswith(b"400")
    healthy(srv)


def test_client_that_disconnects_mid_request(srv: MockServerThread) -> None:
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.sendall(f"GET {PATH}org_abc123 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-".encode())
    healthy(srv)


def test_slow_loris_does_not_block_others(srv: MockServerThread) -> None:
    held = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(20)]
    try:
        for sock in held:
            sock.sendall(f"GET {PATH}org_abc123 HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        healthy(srv)  # answered while 20 connections sit on half-sent headers
    finally:
        for sock in held:
            sock.close()
    healthy(srv)


@pytest.mark.parametrize("parser", ["C", "pure Python"])
def test_414_and_431_do_not_depend_on_which_parser_aiohttp_uses(parser: str) -> None:
    """A long request line is 414 and a long header 431 under both of aiohttp's parsers.
    d7d8f84 told them apart by the exception's text: AIOHTTP_NO_EXTENSIONS=1 (the pure
    Python parser, as on a platform without aiohttp's C extension) answered 431 for both.
    Fails loudly if aiohttp stops passing the broken limit in LineTooLong's arguments."""
    from helpers import raw_get, running

    env = {"AIOHTTP_NO_EXTENSIONS": "1"} if parser == "pure Python" else {}
    with running("--now", "2025-11-20T12:34:56Z", env=env) as (_, base):
        origin = base.removesuffix("/v1")
        line, _, line_body = raw_get(origin, PATH + "o" * 9000,
                                     [("X-API-Key", "mock-key-abc123")])
        field, _, field_body = raw_get(origin, PATH + "org_abc123",
                                       [("X-API-Key", "mock-key-abc123"), ("X-Pad", "p" * 9000)])
    assert (line, field) == (414, 431), (line_body[:200], field_body[:200])
