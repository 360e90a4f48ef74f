"""HTTP-level failures (a request aiohttp cannot even parse) in the API's envelope.

aiohttp answers those itself, in text/plain, quoting the offending bytes (which may hold a
key). This swaps in a request handler whose ``handle_error`` renders the envelope instead,
with a fixed message and nothing of the request echoed:

- request line over 8,190 bytes -> 414 ``URI_TOO_LONG``
- a header line over 8,190 bytes, or more than 128 headers -> 431 ``REQUEST_HEADERS_TOO_LARGE``
- anything else unparsable (bad request line, unknown method token, bad bytes) -> 400
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from mock_server.stages.errors import ApiError, ErrorRenderer


def classify(status: int, exc: BaseException | None) -> ApiError:
    if isinstance(exc, LineTooLong):
        if "bytearray(" in str(exc):  # the request target is gathered in a bytearray
            return ApiError(414, "The request line is longer than 8190 bytes")
        return ApiError(431, "A header line is longer than 8190 bytes")
    if isinstance(exc, BadHttpMessage) and "Too many headers" in str(exc):
        return ApiError(431, "More than 128 headers")
    if status < 500:
        return ApiError(400, "Malformed HTTP request")
    return ApiError(status, None)


class EnvelopeRequestHandler(RequestHandler):
    renderer: ErrorRenderer

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
        if err.status >= 500:
            self.log_exception("Error handling request", exc_info=exc)
        response = self.renderer.response(err)
        response.force_close()
        return response


def install(server: web.Server, renderer: ErrorRenderer) -> None:
    """Make ``server`` build connections with :class:`EnvelopeRequestHandler`."""
    handler_cls = type("BoundEnvelopeRequestHandler", (EnvelopeRequestHandler,),
                       {"renderer": renderer})

    def make_handler(self: web.Server) -> RequestHandler:
        return handler_cls(self, loop=self._loop, **self._kwargs)

    server.__class__ = type("EnvelopeServer", (type(server),), {"__call__": make_handler})


class MockRunner(web.AppRunner):
    """An AppRunner whose protocol-level errors come out in the API's envelope."""

    async def _make_server(self) -> web.Server:
        from mock_server.engine.state import STATE

        server = await super()._make_server()
        if STATE in self.app:  # any other app served this way keeps aiohttp's answers
            install(server, self.app[STATE].errors)
        return server
