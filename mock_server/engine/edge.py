"""The request edge, written once: what every route does around its handler.

    Host allowed (stages/hosts: 421, the defence against DNS rebinding)
      -> the route's own checks, if any (the admin API's: origin, token, body type)
      -> the handler
      -> any failure rendered in the API's envelope: an :class:`ApiError`, an aiohttp
         ``HTTPException``, or an unexpected exception as a 500 that is logged
      -> the headers every answer gets: ``nosniff``, and the API's CORS headers when the
         request has an ``Origin`` (none under the control prefix); the admin API adds its
         own instead (control/admin_guard.py)

:func:`behind_edge` wraps a handler in it when the route is added (engine/routing.py), for
the API's other routes, the proxy's summary route, ``/docs`` and the admin API alike.

Why not an aiohttp middleware: with any app middleware, aiohttp runs every request through
two more coroutine layers (the middleware and its own ``_fix_request_current_app``, a
context manager); on the summary route that was 17,000 of 241,000 CPU instructions per
request (callgrind), about 7% of throughput. Wrapping at registration costs one layer.

The one exception is the summary route without ``--proxy``: its handler is the mock's
**fast path** (engine/pipeline.get_summary, marked with :func:`fast_path`), which does the
same steps in the same order inline, with the same pieces (``HostGate``, the renderer,
``Cors``), because a wrapper layer is a measurable share of a plain answer's cost.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from multidict import istr

from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import NOSNIFF, ApiError
from mock_server.stages.hosts import HOST

log = logging.getLogger("freddy_mock")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Finish = Callable[[web.Request, web.StreamResponse], web.StreamResponse]
ORIGIN = istr("Origin")
CONTROL_PREFIX = "/__mock/"  # the control surface (control/admin.py): never the API's CORS
BEHIND_EDGE = "__freddy_behind_edge__"  # marks a handler the edge is around (or inlined in)


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


def check_host(request: web.Request) -> None:
    """The 421 for a Host the mock does not answer (a set lookup once a value is known)."""
    host = request.headers.get(HOST)
    hosts = request.app[PARTS].hosts
    if host not in hosts.admitted:
        hosts.admit(host)


def add_cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The API's CORS headers (none under the control prefix, even on its 404s and 405s);
    ``nosniff`` on every response (one already sent, such as a stalled fault, has its own)."""
    if not response.prepared:
        response.headers.update(NOSNIFF)
    origin = request.headers.get(ORIGIN)
    if origin is not None and not request.path.startswith(CONTROL_PREFIX):
        request.app[PARTS].cors.decorate(response.headers, origin)
    return response


def behind_edge(handler: Handler, *, checks: Callable[[web.Request], None] | None = None,
                finish: Finish = add_cors) -> Handler:
    """``handler`` behind the edge: the Host check, then ``checks`` (raising an
    :class:`ApiError` to refuse), the handler, failures in the envelope, then ``finish``
    (default: ``nosniff`` and the API's CORS headers). A handler already behind it (or a
    fast path) is returned as it is."""
    if getattr(handler, BEHIND_EDGE, False):
        return handler

    @functools.wraps(handler)
    async def edge(request: web.Request) -> web.StreamResponse:
        try:
            check_host(request)
            if checks is not None:
                checks(request)
            response = await handler(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            response = render_failure(request, exc)
        return finish(request, response)

    setattr(edge, BEHIND_EDGE, True)
    return edge


def fast_path(handler: Handler) -> Handler:
    """Mark the summary route's fast path: a handler that does the edge's steps inline (see
    the module's docstring), so no wrapper is put around it."""
    setattr(handler, BEHIND_EDGE, True)
    return handler
