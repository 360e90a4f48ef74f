"""The connection level: HTTP errors in the API's envelope, and bounded connections.

aiohttp answers unparsable requests itself, in text/plain, quoting the offending bytes
(which may hold a key). This swaps in a request handler whose ``handle_error`` renders the
envelope instead, with a fixed message and nothing of the request echoed:

- request target over 8,192 bytes -> 414 ``URI_TOO_LONG``
- a header line over 8,190 bytes, or more than 128 headers -> 431 ``REQUEST_HEADERS_TOO_LARGE``

Which limit a ``LineTooLong`` broke is told by the limit it carries (both of aiohttp's
parsers, C and pure Python, pass ``max_line_size`` for the request line and
``max_field_size`` for a header): the two limits differ by two bytes for that reason.
This reading of aiohttp's exception is the only one in the mock, tested under both
parsers (tests/mock_server/engine/test_hostile.py).
- anything else unparsable (bad request line, unknown method token, bad bytes) -> 400

and bounds what one client can hold (``MockConfig``; docs/hostile-input.md):

- a request head that has started but is not complete after ``header_timeout`` -> 408
  ``REQUEST_TIMEOUT``, connection closed (slow loris);
- a connection idle for ``idle_timeout`` (new, or keep-alive between requests) is closed;
- beyond ``max_connections`` open connections, a new one gets its request answered with
  503 ``SERVICE_UNAVAILABLE`` (``Retry-After: 1``) and is closed; one that sends nothing
  is closed after ``OVER_CAP_GRACE`` seconds;
- a client that goes away cancels its request (a delayed answer stops holding a slot).

aiohttp's internals this needs are read here and nowhere else in the mock, each named in
``INTERNALS`` below; tests/mock_server/engine/test_aiohttp_internals.py fails, naming the
one that moved, when an aiohttp release changes any of them.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Callable
from http import HTTPStatus

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from mock_server.config import MockConfig
from mock_server.engine.edge import CONTROL_PREFIX
from mock_server.foundation.errors import ApiError
from mock_server.foundation.renderer import ErrorRenderer, new_trace_id

log = logging.getLogger("freddy_mock")
MAX_LINE = 8192  # request line (the target, for the C parser), bytes: 414 beyond
MAX_FIELD = 8190  # one header line, bytes: 431 beyond (differs from MAX_LINE: see above)
MAX_HEADERS = 128  # header count: 431 beyond
# Every private attribute of aiohttp the mock uses (all in this module), by owner.
INTERNALS = {
    "RequestHandler": ("_manager", "_messages", "_current_request", "_force_close", "_close",
                       "_request_handler", "_loop"),
    "Server": ("_connections", "_loop", "_kwargs"),
    "AppRunner": ("_kwargs", "_make_server"),
    "TCPSite": ("_server",),
    "LineTooLong": ("args[1]: the limit broken",),
}
OVER_CAP_GRACE = 1.0  # seconds a connection over the cap has to send its request
FD_RESERVE = 64  # descriptors kept for files, listening sockets, the loop


def _limit_of(exc: LineTooLong) -> object:
    """The limit a ``LineTooLong`` says was broken (its second argument in aiohttp 3.14)."""
    return exc.args[1] if len(exc.args) > 1 else None


def classify(status: int, exc: BaseException | None) -> ApiError:
    if isinstance(exc, LineTooLong):
        if _limit_of(exc) == MAX_LINE:
            return ApiError(414, f"The request line is longer than {MAX_LINE} bytes")
        return ApiError(431, f"A header line is longer than {MAX_FIELD} bytes")
    if isinstance(exc, BadHttpMessage) and "Too many headers" in str(exc):
        return ApiError(431, f"More than {MAX_HEADERS} headers")
    if status < 500:
        return ApiError(400, "Malformed HTTP request")
    return ApiError(status, None)


def raw_response(renderer: ErrorRenderer, err: ApiError) -> bytes:
    """A whole HTTP/1.1 answer, for a connection no request handler is answering."""
    trace_id = new_trace_id()
    body = renderer.body(err, trace_id)
    reason = HTTPStatus(err.status).phrase
    head = (f"HTTP/1.1 {err.status} {reason}\r\nContent-Type: application/json\r\n"
            f"X-Request-ID: {trace_id}\r\nX-Content-Type-Options: nosniff\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


_base_data_received = RequestHandler.data_received


class EnvelopeRequestHandler(RequestHandler):
    __slots__ = ("_head_timer",)
    renderer: ErrorRenderer
    max_connections: int
    config: MockConfig  # header_timeout is read when a head starts (tests may lower it)
    met: Callable[[int], None]  # counts a status for coverage (qa/coverage.py)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert self._manager is not None
        over = len(self._manager._connections) >= self.max_connections
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        if over:
            self._request_handler = self._at_capacity
            self._head_timer = self._loop.call_later(OVER_CAP_GRACE, self._head_timed_out)

    async def _at_capacity(self, request: BaseRequest) -> web.StreamResponse:
        if not request.path.startswith(CONTROL_PREFIX):  # (the control page's own calls)
            self.met(503)
        response = self.renderer.response(ApiError(
            503, f"More than {self.max_connections} open connections; retry later",
            headers={"Retry-After": "1"}))
        response.force_close()
        return response

    def data_received(self, data: bytes) -> None:
        """aiohttp's, then the head timer. Runs per request, so lean: no ``super()``, one
        attribute test in the common case (a whole head arrived at once). With this and
        ``nosniff``, the plain 200 costs about 1% more instructions than before them
        (33,000 a request above bare aiohttp against 31,200; benchmarks/instructions.py)."""
        _base_data_received(self, data)
        busy = self._messages or self._current_request is not None or self._force_close
        if self._head_timer is None:
            if not busy:  # the first bytes of a head: it has this long
                self._head_timer = self._loop.call_later(self.config.header_timeout,
                                                         self._head_timed_out)
        elif busy:  # a whole head arrived, or it is being answered
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        transport = self.transport
        if self._messages or self._current_request is not None or transport is None:
            return
        if not self._force_close and not self._close:
            self.met(408)
            transport.write(raw_response(self.renderer, ApiError(
                408, "The request head did not arrive within "
                     f"{self.config.header_timeout:g} s")))
        self.force_close()
        transport.close()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            raise ConnectionError("response already started; cannot send the error")
        err = classify(status, exc)
        self.met(err.status)
        if err.status >= 500:
            self.log_exception("Error handling request", exc_info=exc)
        response = self.renderer.response(err)
        response.force_close()
        return response


def connection_cap(config: MockConfig) -> int:
    """``max_connections``, lowered to what the file-descriptor limit leaves room for."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return config.max_connections
    room = max(16, soft - FD_RESERVE)
    if room < config.max_connections:
        log.warning("connection cap lowered to %d by the open-file limit (%d)", room, soft)
    return min(config.max_connections, room)


def install(server: web.Server, renderer: ErrorRenderer, config: MockConfig,
            met: Callable[[int], None]) -> None:
    """Make ``server`` build connections with :class:`EnvelopeRequestHandler`; ``met``
    counts each status it answers."""
    handler_cls = type("BoundEnvelopeRequestHandler", (EnvelopeRequestHandler,), {
        "__slots__": (),
        "renderer": renderer,
        "max_connections": connection_cap(config),
        "config": config,
        "met": staticmethod(met),
    })

    def make_handler(self: web.Server) -> RequestHandler:
        return handler_cls(self, loop=self._loop, **self._kwargs)

    server.__class__ = type("EnvelopeServer", (type(server),), {"__call__": make_handler})


def bound_port(site: web.TCPSite) -> int:
    """The port ``site`` listens on (port 0 asks the kernel for one)."""
    return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]


class MockRunner(web.AppRunner):
    """An AppRunner whose protocol-level errors come out in the API's envelope, whose
    connections are bounded, and whose access log (when on) redacts secrets."""

    async def _make_server(self) -> web.Server:
        from mock_server.engine import access_log
        from mock_server.engine.parts import PARTS

        parts = self.app.get(PARTS)
        if parts is not None:
            self._kwargs["access_log_class"] = access_log.bind(parts.redact)
            self._kwargs["keepalive_timeout"] = parts.config.idle_timeout
            self._kwargs["handler_cancellation"] = True  # a client gone: its request too
        server = await super()._make_server()
        if parts is not None:  # any other app served this way keeps aiohttp's answers
            install(server, parts.errors, parts.config, parts.qa.coverage.status)
        return server
