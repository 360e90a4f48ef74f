"""The ceiling of our own stack: bare aiohttp answering fixed bytes (no routing work, no
middleware). The mock is measured as a ratio of this, in the same run."""

from __future__ import annotations

import sys

from aiohttp import web

BODY = (
    b'{"organization_id":"org_abc123","month":11,"year":2025,"totalApiKeyRequests":25000,'
    b'"totalApiKeyCost":6250.0,"averageCostPerRequest":0.25,"total_synapses":12500000.0,'
    b'"totalNeurons":250000.0,"generatedAt":"2025-11-15T10:30:00Z"}'
)


async def handler(request: web.Request) -> web.Response:
    return web.Response(body=BODY, content_type="application/json")


def main() -> None:
    port = int(sys.argv[1])
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
