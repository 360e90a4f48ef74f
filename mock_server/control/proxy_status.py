"""``GET /__mock/proxy`` (``--admin``): where the proxy forwards and what it has seen:
exchanges forwarded, answered locally, failed, and violations per check. Without
``--proxy``: ``{"enabled": false}`` (the control page asks, to know which panels to show)."""

from __future__ import annotations

import orjson
from aiohttp import web

from api_contract.verdicts import REGISTRY
from mock_server.control.admin import PREFIX
from mock_server.control.admin_guard import guarded
from mock_server.engine import routing
from mock_server.foundation.errors import JSON
from mock_server.proxy.parts import PROXY


async def proxy_status(request: web.Request) -> web.Response:
    if PROXY not in request.app:
        return web.Response(body=b'{"enabled":false}', content_type=JSON)
    px = request.app[PROXY]
    doc = {
        "enabled": True,
        "upstream": px.config.upstream,
        "timeout_s": px.config.timeout,
        "strict": px.config.strict,
        "record": None if px.recorder is None else px.recorder.stats(),
        **px.stats.to_json(),
        "checks": [{"name": c.name, "side": c.side, "summary": c.summary}
                   for c in REGISTRY.values()],
    }
    return web.Response(body=orjson.dumps(doc), content_type=JSON)


def setup_proxy_status(app: web.Application) -> None:
    """Call with the admin API on."""
    routing.add(app, "GET", PREFIX + "proxy", guarded(proxy_status))
