"""The ceiling of our own stack: bare aiohttp answering fixed bytes (no routing work, no
middleware). The mock is measured as a ratio of this, in the same run."""

from __future__ import annotations

import json
import sys

from aiohttp import web

from api_contract.resources import default_spec_path
from api_contract.spec import load_spec

# The bundled spec's documented example, read once at start-up (the same bytes as the
# mock's canned answer for it).
BODY = json.dumps(
    load_spec(default_spec_path())["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]
    ["responses"]["200"]["content"]["application/json"]["examples"]["documented"]["value"],
    separators=(",", ":")).encode()


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
