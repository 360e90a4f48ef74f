"""``--access-log`` without secrets: aiohttp's access log line, redacted.

The request line's target and the ``Referer`` are redacted (foundation/redact: query parameters
named like a secret, any value or path segment equal to a known key, URL user-info); any
other logged header is redacted when it is a known key. The key headers themselves are
never in the format.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp.web_log import AccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from mock_server.foundation.redact import Redactor

Field = tuple[str | tuple[str, str], str]


class RedactingAccessLogger(AccessLogger):
    redact: Redactor  # bound by :func:`bind`

    def _format_line(self, request: BaseRequest, response: StreamResponse,
                     time: float) -> Iterable[Field]:
        return [(key, self._clean(key, value))
                for key, value in super()._format_line(request, response, time)]

    def _clean(self, key: str | tuple[str, str], value: object) -> object:
        if not isinstance(value, str):
            return value
        if key == "first_request_line":
            method, sep, rest = value.partition(" ")
            target, space, version = rest.rpartition(" ")
            return method + sep + self.redact.target(target) + space + version
        if isinstance(key, tuple) and key[0] == "request_header":
            if key[1].lower() == "referer":
                return self.redact.url(value)
            return self.redact.value(value)
        return value


def bind(redact: Redactor) -> type[RedactingAccessLogger]:
    return type("BoundRedactingAccessLogger", (RedactingAccessLogger,), {"redact": redact})
