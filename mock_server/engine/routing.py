"""The routes, each behind the edge (engine/edge.py), and a catch-all resource added last
that answers 404 and 405 in the API's envelope. There is no aiohttp middleware unless the
journal is on: every route's handler is wrapped when it is added (see edge.py for why)."""

from __future__ import annotations

from aiohttp import web

from mock_server.engine.edge import CONTROL_PREFIX, Handler, behind_edge, method_not_allowed
from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import ApiError


def add(app: web.Application, method: str, path: str, handler: Handler) -> web.AbstractRoute:
    """Add a route whose handler is behind the edge (``GET`` routes answer no ``HEAD``)."""
    return app.router.add_route(method, path, behind_edge(handler))


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
