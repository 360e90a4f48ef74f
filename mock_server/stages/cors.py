"""CORS for browser apps served from another origin.

The request's origin is echoed (never ``*`` together with credentials; credentials are not
allowed at all: the API authenticates with a header, not cookies).

Request headers: by default a preflight is granted every header it asks for, the way
browser-facing mocks do (Prism echoes them too): apps with tracing send ``traceparent``,
``tracestate``, ``sentry-trace`` or ``baggage``, and a fixed list would block their calls.
Only well-formed header names are echoed (RFC 9110 tokens, at most ``MAX_NAMES`` of at
most ``config.MAX_HEADER_NAME`` characters); ``allow_headers`` (``--cors-allow-header``)
replaces the echo with a fixed list: the API's own headers plus the ones named.

Origins: the mock grants every origin (it serves made-up data). With ``--proxy`` the answers
are a real server's, read with a developer's real key, so a page on any web site could use
the proxy as a relay: there ``origins`` is given and only loopback origins
(``http://localhost:3000``, ``http://127.0.0.1:5173``, ...) and those named with
``--proxy-cors ORIGIN`` get CORS headers; a browser then refuses to let any other page read
the answer (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from multidict import CIMultiDict

from mock_server.foundation.syntax import is_header_name, is_loopback  # the config's rules

EXPOSED = (
    "X-Request-ID",
    "Preference-Applied",
    "Retry-After",
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
    "X-Mock-Session",  # a session's answers name it (docs/qa.md, sharing one mock)
)
METHODS = "GET, OPTIONS"
MAX_AGE = "600"
MAX_NAMES = 64


class Cors:
    def __init__(self, key_headers: Iterable[str],
                 allow_headers: Iterable[str] | None = None,
                 exposed: Iterable[str] = (),
                 origins: Iterable[str] | None = None) -> None:
        """``origins``: None grants every origin; else loopback ones and these (normalized
        as ``syntax.origin`` does)."""
        self.origins = None if origins is None else frozenset(origins)
        own = [*key_headers, "Prefer", "X-Mock-Session", "Content-Type"]
        self.own_headers = ", ".join(own)
        self.echo = allow_headers is None
        self.allow_headers = ", ".join(dict.fromkeys([*own, *(allow_headers or ())]))
        self.expose_headers = ", ".join([*EXPOSED, *exposed])

    def allows(self, origin: str) -> bool:
        if self.origins is None or origin.lower() in self.origins:
            return True
        try:
            parts = urlsplit(origin)
            host = parts.hostname
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and host is not None and is_loopback(host)

    def decorate(self, headers: CIMultiDict[str], origin: str) -> None:
        headers.add("Vary", "Origin")
        if self.origins is not None and not self.allows(origin):
            return
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = self.expose_headers

    def preflight(self, headers: CIMultiDict[str], requested: str | None = None,
                  origin: str = "") -> None:
        if self.origins is not None and not self.allows(origin):
            return  # no grant: the browser does not send the request
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
