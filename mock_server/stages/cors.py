"""CORS for browser apps served from another origin.

The request's origin is echoed (never ``*`` together with credentials; credentials are not
allowed at all: the API authenticates with a header, not cookies).
"""

from __future__ import annotations

from collections.abc import Iterable

from multidict import CIMultiDict

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


class Cors:
    def __init__(self, key_headers: Iterable[str], exposed: Iterable[str] = ()) -> None:
        self.allow_headers = ", ".join([*key_headers, "Prefer", "Content-Type"])
        self.expose_headers = ", ".join([*EXPOSED, *exposed])

    def decorate(self, headers: CIMultiDict[str], origin: str) -> None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = self.expose_headers
        headers.add("Vary", "Origin")

    def preflight(self, headers: CIMultiDict[str]) -> None:
        headers["Access-Control-Allow-Methods"] = METHODS
        headers["Access-Control-Allow-Headers"] = self.allow_headers
        headers["Access-Control-Max-Age"] = MAX_AGE
