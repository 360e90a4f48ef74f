"""The edge, without middleware: every route's handler is wrapped when it is added, and a
catch-all resource added last answers 404 and 405 in the API's envelope.

The edge first refuses a ``Host`` the mock does not answer (421, stages/hosts.py: DNS
rebinding), renders every failure in the envelope (an :class:`ApiError`, an aiohttp
``HTTPException``, or an unexpected exception as a 500 that is logged) and adds the CORS
headers when the request has an ``Origin``. The admin API has an edge of its own
(control/admin_guard.py): same-origin only.

Why not an aiohttp middleware: with any app middleware, aiohttp runs every request through
two more coroutine layers (the middleware and its own ``_fix_request_current_app``, a
context manager); on the summary route that was 17,000 of 241,000 CPU instructions per
request (callgrind), about 7% of throughput. Wrapping at registration costs one layer, and
nothing at all on routes, like the summary, whose handler renders its own errors.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from aiohttp import web
from multidict import istr

from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import NOSNIFF, ApiError
from mock_server.stages.hosts import HOST

log = logging.getLogger("freddy_mock")

ENVELOPED = "__freddy_enveloped__"  # marks a handler whose failures come out in the envelope


def render_failure(request: web.Request, exc: Exception) -> web.StreamResponse:
    """The envelope for whatever a handler raised."""
    st = request.app[PARTS]
    if isinstance(exc, ApiError):
        return st.errors.response(exc)
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return method_not_allowed(request, exc.allowed_methods)
    if isinstance(exc, web.HTTPException):
        return st.errors.response(ApiError(exc.status, exc.reason))
    log.exception("unhandled error on %s %s", request.method, request.path[:200],
                  exc_info=exc)
    return st.errors.response(ApiError(500, "The mock failed unexpectedly"))


def method_not_allowed(request: web.Request, allowed: set[str]) -> web.StreamResponse:
    allow = ", ".join(sorted(allowed))
    return request.app[PARTS].errors.response(
        ApiError(405, f"{request.method[:16]} is not allowed; use {allow}",
                 headers={"Allow": allow})
    )


ORIGIN = istr("Origin")


def check_host(request: web.Request) -> None:
    """The 421 for a Host the mock does not answer (a set lookup once a value is known)."""
    host = request.headers.get(HOST)
    hosts = request.app[PARTS].hosts
    if host not in hosts.admitted:
        hosts.admit(host)


CONTROL_PREFIX = "/__mock/"  # the control surface (control/admin.py): never the API's CORS


def add_cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The API's CORS headers (none under the control prefix, even on its 404s and 405s);
    ``nosniff`` on every response (one already sent, such as a stalled fault, has its own)."""
    if not response.prepared:
        response.headers.update(NOSNIFF)
    origin = request.headers.get(ORIGIN)
    if origin is not None and not request.path.startswith(CONTROL_PREFIX):
        request.app[PARTS].cors.decorate(response.headers, origin)
    return response


def enveloped(handler: web.Handler) -> web.Handler:
    """``handler`` behind the edge. A handler already marked as enveloped (it renders its
    own failures and CORS headers, like the summary's) is returned as it is."""
    if getattr(handler, ENVELOPED, False):
        return handler

    @functools.wraps(handler)
    async def edge(request: web.Request) -> web.StreamResponse:
        try:
            check_host(request)
            response = await handler(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            response = render_failure(request, exc)
        return add_cors(request, response)

    setattr(edge, ENVELOPED, True)
    return edge


def self_enveloped(handler: web.Handler) -> web.Handler:
    """Mark a handler that checks the Host and renders its own failures and CORS headers
    (the hot path; the admin API's edge)."""
    setattr(handler, ENVELOPED, True)
    return handler


def add(app: web.Application, method: str, path: str, handler: web.Handler) -> web.AbstractRoute:
    """Add a route whose handler is behind the edge (``GET`` routes answer no ``HEAD``)."""
    return app.router.add_route(method, path, enveloped(handler))


async def _unrouted(request: web.Request) -> web.StreamResponse:
    """No route took the request: 405 when some resource has the path (with the methods it
    allows), else 404. A path only the admin API's preflight catch-all answers (OPTIONS
    alone) is not a resource: 404. Only the failure path pays for asking every resource."""
    own = request.match_info.route.resource
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not own:
            _, methods = await resource.resolve(request)
            allowed |= methods
    status = 405 if allowed - {"OPTIONS"} else 404
    if not request.path.startswith(CONTROL_PREFIX):  # a client of the API met it
        request.app[PARTS].qa.coverage.status(status)
    if status == 405:
        return method_not_allowed(request, allowed)
    raise ApiError(404, "Not Found")  # aiohttp's reason, as before


def add_fallback(app: web.Application) -> None:
    """Call last, once every other route is added."""
    add(app, "*", "/{tail:.*}", _unrouted)
