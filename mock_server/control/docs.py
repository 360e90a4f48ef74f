"""``/docs``: interactive API docs (Swagger UI) served entirely by the mock itself.

Swagger UI's files come from the installed ``swagger-ui-py`` package; the page makes no
request to any other origin, and its Content-Security-Policy forbids the browser to.
"Try it out" calls this mock: the page loads a copy of the spec whose ``servers`` is the
mock's own base path (relative, so it follows whatever host and port the page came from)
and whose operation gains an optional ``Prefer`` header. ``spec/openapi.yaml`` and
``/openapi.json`` stay the contract, unchanged.

The page lists the keys of the fixtures file in full (they are public mock keys, also in
the README), and so the keys of ``--tenants N`` (generated from the seed, nothing secret);
keys added at run time with ``--key`` are listed masked, never in full.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from api_contract.contract import Contract
from api_contract.keys import mask_key
from mock_server.control.guides import GUIDE_PATH, setup_guides, title_of
from mock_server.engine import routing
from mock_server.engine.parts import PARTS, MockParts
from mock_server.foundation.fixtures import FixtureError, read_keys
from mock_server.foundation.tenants import Tenant

DOCS_PATH = "/docs"
ASSETS_PATH = DOCS_PATH + "/assets"
SPEC_PATH = DOCS_PATH + "/openapi.json"
ASSET_PACKAGE = "swagger_ui"  # PyPI: swagger-ui-py (Swagger UI 5, which reads OpenAPI 3.1)
_OWN_STATIC = Path(__file__).resolve().parent / "docs_static"

# Files a browser may fetch, and their types; anything else under /docs answers 404.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain",
}
OWN_ASSETS: dict[str, str] = {"docs.js": "text/javascript", "docs.css": "text/css"}

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True, slots=True)
class DocsSite:
    html: bytes
    spec_json: bytes
    files: dict[str, tuple[Path, str]]  # asset name -> (file, content type)


DOCS: web.AppKey[DocsSite] = web.AppKey("freddy_mock_docs", DocsSite)


def swagger_ui_dir() -> Path | None:
    """Swagger UI's static files inside the installed package, without importing it."""
    spec = importlib.util.find_spec(ASSET_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        static = Path(location) / "static"
        if (static / "swagger-ui-bundle.js").is_file():
            return static
    return None


def docs_spec(contract: Contract) -> dict[str, Any]:
    """The spec as the docs page shows it: servers -> this mock, plus a ``Prefer`` header.

    ``jsonSchemaDialect`` is left out: Swagger UI warns about any value but OpenAPI's own
    default, and the schemas read the same under both.
    """
    spec = copy.deepcopy(dict(contract.raw))
    spec.pop("jsonSchemaDialect", None)
    spec["servers"] = [{"url": contract.base_path or "/",
                        "description": "This mock (the origin this page came from)"}]
    operation = spec["paths"][contract.path_template]["get"]
    choices = [f"code={s}" for s in contract.statuses]
    choices += [f"example={name}" for name in contract.examples]
    operation["parameters"] = [*operation.get("parameters", []), {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": "Mock only, not part of the Freddy API: ask for a documented answer. "
                       "The key and the parameters are still checked first.",
        "schema": {"type": "string", "enum": choices},
    }]
    return spec


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _code(text: object) -> str:
    return f"<code>{escape(str(text))}</code>"


def render_page(contract: Contract, fixture_keys: list[dict[str, str]],
                runtime_keys: tuple[tuple[str, str], ...], have_assets: bool,
                admin_ui: bool = False, tenants: tuple[Tenant, ...] = (),
                guides: dict[str, bytes] | None = None) -> str:
    keys = [_row(_code(k["key"]), _code(k["org"]), escape(k.get("label", "")))
            for k in fixture_keys]
    keys += [_row(_code(mask_key(key)), _code(org), "added with <code>--key</code> (masked)")
             for key, org in runtime_keys]
    # Generated mock keys, stable for the seed: in full, like the fixtures' public keys.
    keys += [_row(_code(t.key), _code(t.org), f"{escape(t.name)} (generated tenant {t.index})")
             for t in tenants]
    prefer = []
    for status in contract.statuses:
        names = [ex.name for ex in contract.examples.values() if ex.status == status]
        prefer.append(_row(str(status), _code(f"code={status}"),
                           " ".join(_code(f"example={name}") for name in names)))
    missing = "" if have_assets else (
        '<p class="warn">Swagger UI\'s files are missing: <code>pip install swagger-ui-py</code>.'
        "</p>")
    control = ('<p id="mock-control">QA control page (admin API on): '
               '<a href="/__mock/ui">/__mock/ui</a>: scenario switches, documented errors, '
               "latency, the live request journal.</p>") if admin_ui else ""
    pages = [f'<a href="{GUIDE_PATH}/{escape(name)}">{escape(title_of(text))}</a>'
             for name, text in (guides or {}).items() if name != "source-document"]
    reference = ('<p id="mock-guides">Reference pages: ' + " · ".join(pages) + "</p>"
                 if pages else "")
    title = escape(contract.raw.get("info", {}).get("title", "API"))
    header = escape(contract.key_headers[0])
    # The summary's fields as the spec names them, by meaning (x-meaning: api_contract.fields).
    fields = [_row(_code(name), escape(meaning or "(none)"), escape(says))
              for name, meaning, says in contract.fields.rows()]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · freddy-mock docs</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
<link rel="stylesheet" href="{DOCS_PATH}/docs.css">
</head>
<body>
<header id="mock-intro">
<h1>freddy-mock · {title}</h1>
<p>Served by the mock itself, with no request to any other site. <b>Try it out</b> calls
this mock: click <b>Authorize</b>, paste a key below into <code>{header}</code>, then open
the operation, press <b>Try it out</b> and <b>Execute</b>. The contract as written:
<a href="/openapi.yaml">/openapi.yaml</a>, <a href="/openapi.json">/openapi.json</a>.</p>
{missing}{control}{reference}
<div class="tables">
<section><h2>API keys</h2>
<table id="mock-keys"><thead><tr><th>{header}</th><th>organization</th><th></th></tr></thead>
<tbody>{"".join(keys)}</tbody></table>
<p>A key reads only its own organization; any other <code>org_id</code> answers 403.</p>
</section>
<section><h2>Errors on demand: <code>Prefer</code></h2>
<table id="mock-prefer"><thead><tr><th>status</th><th>Prefer: …</th><th>or</th></tr>
</thead><tbody>{"".join(prefer)}</tbody></table>
<p><code>code=200</code> is the normal answer; <code>code=</code> of an error gives the
document's body for it. Set the optional <code>Prefer</code> field of the operation (mock
only), or send the header from your own client; <code>?__code=</code> and
<code>?__example=</code> do the same. The answer carries <code>Preference-Applied</code>.</p>
</section>
<section><h2>The summary's fields</h2>
<table id="mock-fields"><thead><tr><th>field</th><th>x-meaning</th><th>what it holds</th></tr>
</thead><tbody>{"".join(fields)}</tbody></table>
<p>The spec names the fields; the mock finds each by its meaning, so a renamed field is a
change of the spec alone.</p>
</section>
</div>
</header>
<main id="swagger-ui" data-spec-url="{SPEC_PATH}"></main>
<footer>Swagger UI from the <code>swagger-ui-py</code> package, served by this mock
(<a href="{ASSETS_PATH}/LICENSE">license</a>).</footer>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/docs.js"></script>
</body>
</html>
"""


def build_site(st: MockParts, guides: dict[str, bytes]) -> DocsSite:
    """The page, its spec and its files, built once (no route is added here)."""
    try:
        fixture_keys = read_keys(st.config.fixtures_dir)
    except FixtureError:  # a state built by hand without a keys file: show runtime keys only
        fixture_keys = []
    static = swagger_ui_dir()
    files = {name: (_OWN_STATIC / name, ctype) for name, ctype in OWN_ASSETS.items()}
    if static is not None:
        files.update({name: (static / name, ctype) for name, ctype in ASSETS.items()})
    html = render_page(st.contract, fixture_keys, st.config.keys, static is not None,
                       admin_ui=st.config.qa.admin, tenants=st.tenants,
                       guides=guides)
    spec = json.dumps(docs_spec(st.contract), indent=2).encode()
    return DocsSite(html=html.encode(), spec_json=spec, files=files)


async def page(request: web.Request) -> web.Response:
    return web.Response(body=request.app[DOCS].html, content_type="text/html",
                        charset="utf-8", headers=PAGE_HEADERS)


async def spec_json(request: web.Request) -> web.Response:
    return web.Response(body=request.app[DOCS].spec_json, content_type="application/json",
                        headers={"Cache-Control": "no-cache"})


async def asset(request: web.Request) -> web.StreamResponse:
    found = request.app[DOCS].files.get(request.match_info["name"])
    if found is None or not found[0].is_file():
        raise web.HTTPNotFound()
    path, ctype = found
    return web.FileResponse(path, headers={"Content-Type": ctype,
                                           "Cache-Control": "public, max-age=3600",
                                           "X-Content-Type-Options": "nosniff"})


async def to_docs(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": DOCS_PATH})


def setup_docs(app: web.Application) -> None:
    """Add ``/docs`` and its files to an app whose PARTS is set."""
    guides = setup_guides(app)  # /docs/guide/NAME, and the pages the docs link to
    app[DOCS] = build_site(app[PARTS], guides)
    routing.add(app, "GET", DOCS_PATH, page)
    routing.add(app, "GET", DOCS_PATH + "/", to_docs)
    routing.add(app, "GET", SPEC_PATH, spec_json)
    routing.add(app, "GET", DOCS_PATH + "/{name:docs\\.(?:js|css)}", asset)
    routing.add(app, "GET", ASSETS_PATH + "/{name}", asset)
