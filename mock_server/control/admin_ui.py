"""``/__mock/ui``: a small QA control page over the admin API (only with ``--admin``).

One HTML page, one script and one stylesheet from ``admin_static/``, served from memory; no
build step, no inline script, no request to another origin (a strict Content-Security-
Policy holds the page to its own origin). The page itself carries nothing secret and needs
no token; every action it takes is a call of the public admin API (``/__mock/...``), with
``Authorization: Bearer`` from the token the user types in (kept in ``sessionStorage``).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from mock_server.control.admin import PREFIX
from mock_server.control.admin_guard import admin_route
from mock_server.engine import routing

UI_PATH = PREFIX + "ui"
STATIC = Path(__file__).resolve().parent / "admin_static"
_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
FILES: dict[str, str] = {  # the page's files and their types; anything else is a 404
    name: _TYPES[Path(name).suffix] + "; charset=utf-8"
    for name in ("ui.html", "ui.js", "ui.css", "coverage.js")
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors 'none', for browsers without CSP 2
}

ADMIN_UI: web.AppKey[dict[str, bytes]] = web.AppKey("freddy_mock_admin_ui", dict)


def _serve(name: str) -> web.Handler:
    content_type = FILES[name]

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=request.app[ADMIN_UI][name],
                            headers={**HEADERS, "Content-Type": content_type})

    return handler


async def _to_page(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": UI_PATH})


def setup_admin_ui(app: web.Application) -> None:
    """Add ``/__mock/ui`` and its two files (call only when the admin API is on)."""
    app[ADMIN_UI] = {name: (STATIC / name).read_bytes() for name in FILES}
    # Behind the admin edge (no CORS for other origins), without the token: nothing secret.
    routing.add(app, "GET", UI_PATH, admin_route(_serve("ui.html"), token=False))
    routing.add(app, "GET", UI_PATH + "/", admin_route(_to_page, token=False))
    routing.add(app, "GET", UI_PATH + "/ui.js", admin_route(_serve("ui.js"), token=False))
    routing.add(app, "GET", UI_PATH + "/ui.css", admin_route(_serve("ui.css"), token=False))
    routing.add(app, "GET", UI_PATH + "/coverage.js",
                admin_route(_serve("coverage.js"), token=False))
