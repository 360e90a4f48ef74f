"""The one renderer of the API's error envelope, and the request ids it carries.

:class:`ErrorRenderer` turns an :class:`~mock_server.foundation.errors.ApiError` into the
wire format, with the templates (code, type, message) of the spec's rows.
"""

from __future__ import annotations

import itertools
import os

import orjson
from aiohttp import web

from api_contract.contract import Contract, ErrorTemplate
from mock_server.foundation.bounded import keep
from mock_server.foundation.clock import Clock
from mock_server.foundation.errors import JSON_HEADERS, UNDECLARED_TEMPLATES, ApiError

_TRACE_PREFIX = ""
_TRACE_COUNTER = itertools.count()


def _new_trace_source() -> None:
    """A fresh random prefix and counter: at import, and again in every forked child
    (``--workers N``), so no two processes hand out the same ids."""
    global _TRACE_PREFIX, _TRACE_COUNTER
    _TRACE_PREFIX = os.urandom(6).hex() + "-"
    # From 16**10 the counter's hex has a fixed 11 digits (for the next 16**11 - 16**10 ids).
    _TRACE_COUNTER = itertools.count(16**10)


_new_trace_source()
os.register_at_fork(after_in_child=_new_trace_source)


def new_trace_id() -> str:
    """A unique request id: a random per-process prefix and a counter (cheaper than uuid4),
    e.g. ``3fa2c1d09b7e-1000000002a``. Only ``[0-9a-f-]``: it goes into JSON bodies without
    escaping. ``hex()`` and a slice: a third of the instructions of an f-string format."""
    return _TRACE_PREFIX + hex(next(_TRACE_COUNTER))[2:]


PREFIXES = 1024  # rendered envelope prefixes kept, by (status, message)


class ErrorRenderer:
    def __init__(self, contract: Contract, clock: Clock) -> None:
        # The vendor's rows, and the spec's mock-only ones (404, 405, 413, 414, 421, 431, 503: the
        # statuses a server answers before the endpoint's rules run), all from the spec.
        self._templates = {**UNDECLARED_TEMPLATES, **contract.mock_errors, **contract.errors}
        self._clock = clock
        self._prefixes: dict[tuple[int, str | None], bytes] = {}
        self._suffix_text = ""
        self._suffix_bytes = b""

    def template(self, status: int) -> ErrorTemplate:
        tpl = self._templates.get(status)
        if tpl is None:
            tpl = ErrorTemplate(status, "ERROR", "client_error" if status < 500 else "server_error",
                                "Error", "Error")
        return tpl

    def _prefix(self, status: int, system_message: str | None) -> bytes:
        """The body up to ``"trace_id":"``, cached: only the id and time change per request."""
        key = (status, system_message)
        cached = self._prefixes.get(key)
        if cached is None:
            tpl = self.template(status)
            fields = {
                "code": tpl.code,
                "message": tpl.message,
                "system_message": system_message or tpl.system_message,
                "type": tpl.type,
                "status": status,
            }
            cached = b'{"success":false,"error":' + orjson.dumps(fields)[:-1] + b',"trace_id":"'
            # Bounded, the oldest first out: messages quoting client input come and go, the
            # fixed ones (no key, unknown key, other org) come back at once when evicted.
            keep(self._prefixes, key, cached, PREFIXES)
        return cached

    def body(self, err: ApiError, trace_id: str) -> bytes:
        if err.body is not None:
            doc = orjson.loads(orjson.dumps(err.body))
            doc["error"]["trace_id"] = trace_id
            doc["error"]["timestamp"] = self._clock.now_text()
            return orjson.dumps(doc)
        text = self._clock.now_text()  # the same str object all second
        if text is not self._suffix_text:  # ``","timestamp":"…"}}``, made once per second
            self._suffix_text = text
            self._suffix_bytes = b'","timestamp":"' + text.encode() + b'"}}'
        return self._prefix(err.status, err.system_message) + trace_id.encode() + \
            self._suffix_bytes

    def response(self, err: ApiError) -> web.Response:
        trace_id = new_trace_id()
        headers = JSON_HEADERS.copy()  # Content-Type and nosniff (see JSON_HEADERS)
        if err.headers:  # (even an empty update costs)
            headers.update(err.headers)
        headers["X-Request-ID"] = trace_id
        return web.Response(status=err.status, body=self.body(err, trace_id), headers=headers)
