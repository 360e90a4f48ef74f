"""The kit's transport over one kept-alive connection: a repeated answer header keeps every
value, and a request's deadline never reaches the pooled socket the next request reuses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from api_contract.contract import load_contract
from api_contract.resources import default_spec_path
from api_contract.verdicts import REGISTRY
from contract_tests import sessions, transport
from contract_tests.guard import Deadline, Unanswered
from contract_tests.observe import observed
from contract_tests.transport import Client, Request

KEY = "mock-key-abc123"


@contextmanager
def keep_alive_server(on_request: Callable[[str], None] = lambda path: None,
                      cookies: tuple[str, ...] = ()) -> Iterator[tuple[str, list[int]]]:
    """A loopback HTTP/1.1 server that keeps connections open and counts them; it calls
    ``on_request(path)`` before it answers."""
    connections: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            connections.append(1)
            super().setup()

        def do_GET(self) -> None:
            on_request(self.path)
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            for cookie in cookies:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", connections
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def late_timer(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], Callable[[str], None]]:
    """``late_timer(module)``: the deadlines ``module`` makes are recorded, and the callback
    it returns, given the server's request path, makes the first request's timer fire (as a
    late timer does) when the second request has come and waits for its answer."""

    def patch(module: Any) -> Callable[[str], None]:
        deadlines: list[Deadline] = []

        class Recorded(Deadline):
            def __enter__(self) -> Deadline:
                deadlines.append(self)
                return super().__enter__()

        monkeypatch.setattr(module, "Deadline", Recorded)

        def on_request(path: str) -> None:
            if path == "/second":
                deadlines[0]._expire()

        return on_request

    return patch


def test_a_deadline_firing_after_its_answer_spares_the_socket_the_next_request_reuses(
    late_timer: Callable[[Any], Callable[[str], None]],
) -> None:
    """The first request's timer fires late (after its body released the connection to the
    pool, before the timer was cancelled) while the second request, on the same pooled
    socket, waits for its answer: the second request is answered all the same."""
    with keep_alive_server(late_timer(transport)) as (url, connections):
        client = Client(url, timeout=30)
        first = client.send(Request("GET", url + "/first"))
        second = client.send(Request("GET", url + "/second"))
        client.close()
    assert first.reply is not None and first.reply.status == 200, first.error
    assert second.reply is not None and second.reply.status == 200, second.error
    assert len(connections) == 1  # the second request did reuse the pooled connection


def test_a_deadline_that_passed_before_the_release_closes_the_connection_instead() -> None:
    """A connection the deadline shut is not handed to the next request: that one opens a
    fresh connection and is answered."""
    with keep_alive_server() as (url, _):
        client = Client(url, timeout=30)
        pool = client._pool.connection_from_url(url)
        conn = pool._get_conn()
        conn.connect()
        with Deadline(30) as deadline:
            deadline.watch(conn)
            deadline._expire()
            pool._put_conn(conn)
        assert conn.sock is None  # closed, not pooled as it was
        again = client.send(Request("GET", url + "/after"))
        client.close()
    assert again.reply is not None and again.reply.status == 200, again.error


def test_every_value_of_a_repeated_header_is_kept_and_judged() -> None:
    """A key echoed in the first of two Set-Cookie headers is seen by key_never_echoed."""
    with keep_alive_server(cookies=(f"debug_key={KEY}", "session=abc")) as (url, _):
        client = Client(url, timeout=30)
        ex = client.send(Request("GET", url + "/x", (("X-API-Key", KEY),)))
        client.close()
    assert ex.reply is not None
    assert KEY in ex.reply.headers["set-cookie"] and "session=abc" in ex.reply.headers["set-cookie"]
    violation = REGISTRY["key_never_echoed"](load_contract(default_spec_path()), observed(ex))
    assert violation is not None and "set-cookie" in violation.got


def test_the_schemathesis_sessions_spare_the_reused_socket_too(
    late_timer: Callable[[Any], Callable[[str], None]],
) -> None:
    """The same late timer under the adapter Schemathesis' requests sessions get."""
    with (keep_alive_server(late_timer(sessions)) as (url, connections),
          requests.Session() as session):
        session.mount("http://", sessions.GuardedAdapter(30, Unanswered()))
        first = session.get(url + "/first", timeout=30)
        second = session.get(url + "/second", timeout=30)
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(connections) == 1
