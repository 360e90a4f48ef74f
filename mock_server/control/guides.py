"""``/docs/guide/NAME``: the reference pages of ``docs/`` (Markdown), served by the mock.

The README links them on GitHub; a developer with only the installed package (and the mock
running) reads the same pages from ``/docs``. Only the ``.md`` files found at start-up are
served, by name from that fixed set (nothing from the request reaches a path), as text.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from api_contract.resources import bundled
from mock_server.engine import routing

GUIDE_PATH = "/docs/guide"
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}

GUIDES: web.AppKey[dict[str, bytes]] = web.AppKey("freddy_mock_guides", dict)


def read_guides() -> dict[str, bytes]:
    """Page name (file name without ``.md``) -> its text; empty without a docs folder."""
    try:
        folder = bundled("docs")
    except FileNotFoundError:
        return {}
    return {p.stem: p.read_bytes() for p in sorted(Path(folder).glob("*.md"))}


def title_of(text: bytes) -> str:
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("# ").strip()
    return first[:120]


async def guide(request: web.Request) -> web.Response:
    body = request.app[GUIDES].get(request.match_info["name"])
    if body is None:
        raise web.HTTPNotFound()
    return web.Response(body=body, content_type="text/plain", charset="utf-8",
                        headers=HEADERS)


def setup_guides(app: web.Application) -> dict[str, bytes]:
    app[GUIDES] = guides = read_guides()
    routing.add(app, "GET", GUIDE_PATH + "/{name}", guide)
    return guides
