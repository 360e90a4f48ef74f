"""CORS for browser apps served from another origin.

The request's origin is echoed (never ``*`` together with credentials; credentials are not
allowed at all: the API authenticates with a header, not cookies).

Request headers: by default a preflight is granted every header it asks for, the way
browser-facing mocks do (Prism echoes them too): apps with tracing send ``traceparent``,
``tracestate``, ``sentry-trace`` or ``baggage``, and a fixed list would block their calls.
Only well-formed header names are echoed (RFC 9110 tokens, at most ``MAX_NAMES`` of at
most ``config.MAX_HEADER_NAME`` characters); ``allow_headers`` (``--cors-allow-header``)
replaces the echo with a fixed list: the API's own headers plus the ones named.
"""

from __future__ import annotations

from collections.abc import Iterable

from multidict import CIMultiDict

from mock_server.foundation.syntax import is_header_name  # the config's rule too

EXPOSED = (
    "X-Request-ID",
    "Preference-Applied",
    "Retry-After",
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
)
METHODS = "GET, OPTIONS"
MAX_AGE = "600"
MAX_NAMES = 64


class Cors:
    def __init__(self, key_headers: Iterable[str],
                 allow_headers: Iterable[str] | None = None,
                 exposed: Iterable[str] = ()) -> None:
        own = [*key_headers, "Prefer", "Content-Type"]
        self.own_headers = ", ".join(own)
        self.echo = allow_headers is None
        self.allow_headers = ", ".join(dict.fromkeys([*own, *(allow_headers or ())]))
        self.expose_headers = ", ".join([*EXPOSED, *exposed])

    def decorate(self, headers: CIMultiDict[str], origin: str) -> None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = self.expose_headers
        headers.add("Vary", "Origin")

    def preflight(self, headers: CIMultiDict[str], requested: str | None = None) -> None:
        headers["Access-Control-Allow-Methods"] = METHODS
        headers["Access-Control-Allow-Headers"] = (
            self.granted(requested) if self.echo else self.allow_headers)
        headers["Access-Control-Max-Age"] = MAX_AGE
        if self.echo:
            headers.add("Vary", "Access-Control-Request-Headers")

    def granted(self, requested: str | None) -> str:
        """The well-formed names of ``Access-Control-Request-Headers``, else the API's own."""
        if not requested:
            return self.own_headers
        names = [n.strip() for n in requested.split(",", MAX_NAMES)[:MAX_NAMES]]
        valid = [n for n in names if is_header_name(n)]
        return ", ".join(valid) if valid else self.own_headers
