"""The API's error envelope: one place renders every error in the wire format.

Stages raise :class:`ApiError` with a status and a detail; the templates (code, type,
message) come from the spec's documented examples, so nothing here re-types them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import orjson
from aiohttp import web

from mock_server.clock import Clock, rfc3339
from mock_server.contract import Contract, ErrorTemplate

JSON = "application/json"

# Statuses the document does not cover but a server still answers (routing, rate limits).
# Same envelope; their code/type follow the document's naming style.
EXTRA_TEMPLATES = {
    404: ErrorTemplate(404, "NOT_FOUND", "client_error", "Resource not found", "No such route"),
    405: ErrorTemplate(
        405, "METHOD_NOT_ALLOWED", "client_error", "Method not allowed", "Method not allowed"
    ),
}


class ApiError(Exception):
    """Raised by a stage; rendered by :class:`ErrorRenderer` in the API's envelope."""

    def __init__(
        self,
        status: int,
        system_message: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(status, system_message)
        self.status = status
        self.system_message = system_message
        self.headers = dict(headers or {})
        self.body = body  # a whole example body to send instead of the template


def new_trace_id() -> str:
    return str(uuid.uuid4())


class ErrorRenderer:
    def __init__(self, contract: Contract, clock: Clock) -> None:
        self._templates = {**EXTRA_TEMPLATES, **contract.errors}
        self._clock = clock

    def template(self, status: int) -> ErrorTemplate:
        tpl = self._templates.get(status)
        if tpl is None:
            tpl = ErrorTemplate(status, "ERROR", "client_error" if status < 500 else "server_error",
                                "Error", "Error")
        return tpl

    def body(self, err: ApiError, trace_id: str) -> bytes:
        timestamp = rfc3339(self._clock.now())
        if err.body is not None:
            doc = orjson.loads(orjson.dumps(err.body))
            doc["error"]["trace_id"] = trace_id
            doc["error"]["timestamp"] = timestamp
            return orjson.dumps(doc)
        tpl = self.template(err.status)
        return orjson.dumps(
            {
                "success": False,
                "error": {
                    "code": tpl.code,
                    "message": tpl.message,
                    "system_message": err.system_message or tpl.system_message,
                    "type": tpl.type,
                    "status": err.status,
                    "trace_id": trace_id,
                    "timestamp": timestamp,
                },
            }
        )

    def response(self, err: ApiError) -> web.Response:
        trace_id = new_trace_id()
        headers = {**err.headers, "X-Request-ID": trace_id}
        return web.Response(
            status=err.status, body=self.body(err, trace_id), content_type=JSON, headers=headers
        )
