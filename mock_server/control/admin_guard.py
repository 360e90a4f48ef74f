"""The admin API's edge: same-origin only, JSON only for changes, the token, its limit.

Every ``/__mock/`` route (the API and the control page) is behind :func:`admin_route`: the
edge every route has (engine/edge.py), with these checks, in this order:

1. ``Host`` on the allow-list (stages/hosts.py), as on every route: 421.
2. A request that changes state (POST, DELETE) carrying an ``Origin`` other than the mock's
   own (``http://`` + its ``Host``) or an ``--admin-cors`` one, or no ``Origin`` but
   ``Sec-Fetch-Site: cross-site``/``same-site``: 403. This comes before the token, so a
   page elsewhere can neither try tokens nor use up the limit below.
3. With ``--admin-token``: ``Authorization: Bearer TOKEN`` (SHA-256 digests compared with
   :func:`hmac.compare_digest`, so neither the content nor the length leaks through
   timing): 401. After :data:`BAD_TOKEN_LIMIT` bad tokens from one client address within
   :data:`BAD_TOKEN_WINDOW` seconds, every call from it is a 429 with ``Retry-After``
   until the window ends (good token or not, so a guess cannot be confirmed). A missing
   header is a 401 that does not count: a page elsewhere can send a request without one
   (an ``<img>``), never one with it, so it cannot lock the user out.
4. A change must be ``Content-Type: application/json`` (or carry no body at all): 415. A
   form or a ``text/plain`` body, which a browser sends cross-origin without a preflight,
   never changes anything.

No response carries ``Access-Control-Allow-Origin`` unless the request's ``Origin`` was
named with ``--admin-cors``; a preflight from any other origin is a 403. The control page
needs none of this: it is same-origin. The token is never logged, echoed or journaled.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Iterable

from aiohttp import web
from cachetools import TTLCache
from multidict import istr

from api_contract.keys import digest
from mock_server.engine.edge import ORIGIN, Handler, behind_edge
from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import NOSNIFF, ApiError
from mock_server.stages.hosts import HOST

TOKEN_HEADER = "Authorization"
METHODS = "GET, POST, DELETE, OPTIONS"
CHANGES = frozenset({"POST", "DELETE", "PUT", "PATCH"})
CROSS_SITE = frozenset({"cross-site", "same-site"})
SEC_FETCH_SITE = istr("Sec-Fetch-Site")
CONTENT_TYPE = istr("Content-Type")
BAD_TOKEN_LIMIT = 10  # bad tokens per client address ...
BAD_TOKEN_WINDOW = 60.0  # ... per this many seconds
MAX_CLIENTS = 1024  # client addresses tracked


def _refused(status: int, code: str, message: str, detail: str) -> ApiError:
    return ApiError(status, detail, body={"success": False, "error": {
        "code": code, "message": message, "system_message": detail,
        "type": "authorization_error", "status": status}})


class BadTokens:
    """Bad admin tokens per client address, in fixed windows. Kept in a
    ``cachetools.TTLCache`` on the same clock: an address is forgotten a window after its
    last bad token, and beyond ``MAX_CLIENTS`` addresses the least recently seen goes."""

    def __init__(self, limit: int = BAD_TOKEN_LIMIT, window: float = BAD_TOKEN_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        # address -> (window start, count)
        self._seen: TTLCache[str, tuple[float, int]] = TTLCache(MAX_CLIENTS, window, clock)

    def retry_after(self, who: str) -> int:
        """Seconds until ``who`` may try again (0: now)."""
        start, count = self._seen.get(who, (0.0, 0))
        left = start + self.window - self.clock()
        return math.ceil(left) if count >= self.limit and left > 0 else 0

    def failed(self, who: str) -> None:
        now = self.clock()
        start, count = self._seen.get(who, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        self._seen[who] = (start, count + 1)


class AdminGuard:
    def __init__(self, token: str | None, origins: Iterable[str] = ()) -> None:
        self._token = digest(token) if token else None
        self.origins = frozenset(origins)
        self.bad_tokens = BadTokens()

    def allowed_origin(self, request: web.Request, origin: str) -> bool:
        """The mock's own origin (its Host already passed the allow-list) or a named one."""
        origin = origin.lower()
        if origin in self.origins:
            return True
        host = request.headers.get(HOST)
        return host is not None and origin == "http://" + host.lower()

    def check_origin(self, request: web.Request, origin: str | None) -> None:
        if request.method not in CHANGES:
            return
        if origin is not None:
            if not self.allowed_origin(request, origin):
                raise _refused(403, "CROSS_ORIGIN_REFUSED", "Cross-origin request refused",
                               f"Origin {origin[:80]!r} may not change this mock (start it "
                               "with --admin-cors ORIGIN to allow one)")
        elif request.headers.get(SEC_FETCH_SITE) in CROSS_SITE:
            raise _refused(403, "CROSS_ORIGIN_REFUSED", "Cross-origin request refused",
                           "A request from another site may not change this mock")

    def check_token(self, request: web.Request) -> None:
        if self._token is None:
            return
        who = request.remote or "?"
        wait = self.bad_tokens.retry_after(who)
        if wait:
            raise ApiError(429, f"Too many bad admin tokens from this address; retry in "
                                f"{wait} s", headers={"Retry-After": str(wait)})
        presented = request.headers.get(TOKEN_HEADER)
        scheme, _, value = (presented or "").partition(" ")
        given = digest(value.strip())
        if not hmac.compare_digest(given, self._token) or scheme.lower() != "bearer":
            if presented is not None:  # a page elsewhere cannot send one: no lock-out by it
                self.bad_tokens.failed(who)
            raise ApiError(401, "The admin API needs Authorization: Bearer <admin token>")

    @staticmethod
    def check_body(request: web.Request) -> None:
        if request.method not in CHANGES:
            return
        ctype = request.headers.get(CONTENT_TYPE)
        if ctype is None and not request.body_exists:
            return
        mime = (ctype or "").partition(";")[0].strip().lower()
        if mime != "application/json":
            raise ApiError(415, f"Admin requests that change the mock take Content-Type: "
                                f"application/json (got {mime[:40] or 'none'!r})")

    def decorate(self, response: web.StreamResponse, origin: str | None) -> None:
        """``nosniff`` (as on every response); CORS headers, only for an origin named with
        ``--admin-cors``."""
        response.headers.update(NOSNIFF)
        if origin is not None and origin.lower() in self.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Vary", "Origin")


ADMIN_GUARD: web.AppKey[AdminGuard] = web.AppKey("freddy_mock_admin_guard", AdminGuard)


def setup_admin_guard(app: web.Application) -> None:
    qa = app[PARTS].config.qa
    app[ADMIN_GUARD] = AdminGuard(qa.admin_token, qa.admin_cors)


def _admin_checks(token: bool) -> Callable[[web.Request], None]:
    def checks(request: web.Request) -> None:
        guard = request.app[ADMIN_GUARD]
        guard.check_origin(request, request.headers.get(ORIGIN))
        if token:
            guard.check_token(request)
        guard.check_body(request)

    return checks


def _admin_finish(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    request.app[ADMIN_GUARD].decorate(response, request.headers.get(ORIGIN))
    return response


def admin_route(handler: Handler, *, token: bool = True) -> Handler:
    """``handler`` behind the edge (engine/edge.py) with the admin API's checks and
    headers (``token=False``: the control page's files, which hold nothing secret, and the
    preflight)."""
    return behind_edge(handler, checks=_admin_checks(token), finish=_admin_finish)


def guarded(handler: Handler) -> Handler:
    """An admin API route: the whole edge, token included."""
    return admin_route(handler)


async def _preflight(request: web.Request) -> web.Response:
    response = web.Response(status=204, headers={"Allow": METHODS})
    origin = request.headers.get(ORIGIN)
    if origin is None or "Access-Control-Request-Method" not in request.headers:
        return response  # not a CORS preflight: the methods, as any OPTIONS
    if not request.app[ADMIN_GUARD].allowed_origin(request, origin):
        raise _refused(403, "CROSS_ORIGIN_REFUSED", "Cross-origin request refused",
                       f"Origin {origin[:80]!r} may not call this mock's admin API (start it "
                       "with --admin-cors ORIGIN to allow one)")
    response.headers["Access-Control-Allow-Methods"] = METHODS
    response.headers["Access-Control-Allow-Headers"] = f"{TOKEN_HEADER}, Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


preflight = admin_route(_preflight, token=False)
