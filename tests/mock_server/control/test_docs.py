"""``/docs`` over plain HTTP: the page, its spec copy, its files (the browser tests drive it
in Chromium, under tests/browser)."""

from __future__ import annotations

import re

import requests
import yaml

from api_contract.resources import default_spec_path

from conftest import KEY_ABC, KEY_XYZ, Client, start


def test_docs_page_lists_fixture_keys_and_prefer_choices(client: Client) -> None:
    resp = client.request("GET", "/docs", base=client.server.origin)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = resp.text
    for key, org in ((KEY_ABC, "org_abc123"), (KEY_XYZ, "org_xyz789")):
        assert f"<code>{key}</code></td><td><code>{org}</code>" in page
    for status in client.contract.statuses:
        assert f"<code>code={status}</code>" in page
    for name in client.contract.examples:
        assert f"<code>example={name}</code>" in page
    # Every script and stylesheet the page names is on this server (relative URLs).
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs


def test_docs_page_forbids_other_origins_by_csp(client: Client) -> None:
    resp = client.request("GET", "/docs", base=client.server.origin)
    csp = dict(d.strip().split(" ", 1) for d in resp.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == csp["connect-src"] == "'self'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_runtime_keys_are_listed_masked_never_in_full() -> None:
    secret = "runtime-secret-key-4711"
    server = start(keys=((secret, "org_runtime"),))
    try:
        page = requests.get(server.origin + "/docs", timeout=10).text
    finally:
        server.stop()
    assert secret not in page
    assert "…4711" in page and "org_runtime" in page


def test_docs_spec_points_try_it_out_at_the_mock(client: Client) -> None:
    resp = client.request("GET", "/docs/openapi.json", base=client.server.origin)
    assert resp.status_code == 200
    spec = resp.json()
    assert [s["url"] for s in spec["servers"]] == [client.contract.base_path]
    op = spec["paths"][client.contract.path_template]["get"]
    prefer = [p for p in op["parameters"] if p["name"] == "Prefer"]
    assert len(prefer) == 1 and prefer[0]["in"] == "header" and not prefer[0]["required"]
    assert "code=500" in prefer[0]["schema"]["enum"]
    # The contract itself is untouched: the file and /openapi.json keep production.
    original = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    served = client.request("GET", "/openapi.json", base=client.server.origin).json()
    assert served["servers"] == original["servers"] != spec["servers"]
    assert not any(p["name"] == "Prefer" for p in
                   served["paths"][client.contract.path_template]["get"]["parameters"])


def test_swagger_ui_files_come_from_the_installed_package(client: Client) -> None:
    origin = client.server.origin
    for path, ctype in (("/docs/assets/swagger-ui-bundle.js", "text/javascript"),
                        ("/docs/assets/swagger-ui.css", "text/css"),
                        ("/docs/docs.js", "text/javascript"),
                        ("/docs/docs.css", "text/css")):
        resp = client.request("GET", path, base=origin)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Type"].startswith(ctype), path
    bundle = client.request("GET", "/docs/assets/swagger-ui-bundle.js", base=origin)
    assert "SwaggerUIBundle" in bundle.text[:2000]


def test_only_listed_files_are_served(client: Client) -> None:
    origin = client.server.origin
    for path in ("/docs/assets/index.html", "/docs/assets/swagger-editor.js",
                 "/docs/assets/..%2f..%2fdocs.py", "/docs/../mock_server/docs.py",
                 "/docs/other.js"):
        resp = client.request("GET", path, base=origin)
        assert resp.status_code == 404, path
        assert resp.json()["error"]["status"] == 404


def test_docs_slash_redirects_to_docs(client: Client) -> None:
    resp = client.request("GET", "/docs/", base=client.server.origin, allow_redirects=False)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/docs"


def test_docs_page_links_the_reference_pages(client: Client) -> None:
    html = client.request("GET", "/docs", base=client.server.origin).text
    links = re.findall(r'<a href="/docs/guide/([a-z-]+)">', html)
    assert {"architecture", "mock-reference", "qa", "contract-kit", "security"} <= set(links)
    for name in links:
        page = client.session.get(f"{client.server.origin}/docs/guide/{name}", timeout=10)
        assert page.status_code == 200 and page.text.startswith("# ")
        assert page.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_reference_pages_are_served(client: Client) -> None:
    for name in ("nothing", "..%2FREADME", "architecture.md", "%2e%2e%2fpyproject"):
        resp = client.session.get(f"{client.server.origin}/docs/guide/{name}", timeout=10)
        assert resp.status_code == 404, name
        assert resp.json()["error"]["code"] == "NOT_FOUND"
