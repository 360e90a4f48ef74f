"""HTTP surface: 404/405 in the envelope, CORS, the spec served, request ids."""

from __future__ import annotations

import re

import pytest
import requests
import yaml

from conftest import Client, start


def test_unknown_path_is_404_in_the_envelope(client: Client) -> None:
    resp = client.request("GET", "/analytics/nothing")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json()["error"]["status"] == 404
    assert resp.json()["error"]["trace_id"] == resp.headers["X-Request-ID"]


def test_other_methods_are_405_with_allow(client: Client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "HEAD"):
        resp = client.request(method, "/analytics/api-keys/summary/org_abc123")
        assert resp.status_code == 405, method
        assert resp.headers["Allow"] == "GET, OPTIONS"
        if method != "HEAD":
            assert resp.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_cors_preflight(client: Client) -> None:
    resp = client.request("OPTIONS", "/analytics/api-keys/summary/org_abc123", headers={
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key, prefer",
    })
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"x-api-key", "prefer"} <= allowed
    assert "GET" in resp.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize(("asked", "granted"), [
    ("x-api-key, traceparent, tracestate", {"x-api-key", "traceparent", "tracestate"}),
    ("sentry-trace,baggage", {"sentry-trace", "baggage"}),
    ("bad header, x-api-key, \u00e9t\u00e9", {"x-api-key"}),  # only well-formed names
    ("", {"x-api-key", "api-key", "prefer", "x-mock-session", "content-type"}),
])
def test_cors_preflight_grants_the_requested_headers(client: Client, asked: str,
                                                     granted: set[str]) -> None:
    resp = client.request("OPTIONS", "/analytics/api-keys/summary/org_abc123", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": asked,
    })
    assert resp.status_code == 204
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == granted
    assert "Access-Control-Request-Headers" in resp.headers["Vary"]


def test_cors_allow_header_flag_fixes_the_list() -> None:
    srv = start(cors_allow_headers=("traceparent",))
    try:
        resp = requests.options(srv.base_url + "/analytics/api-keys/summary/org_abc123", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key, baggage"}, timeout=10)
    finally:
        srv.stop()
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"x-api-key", "api-key", "prefer", "x-mock-session", "content-type",
                       "traceparent"}


def test_cors_on_answers_and_errors(client: Client) -> None:
    for key in ("mock-key-abc123", None):
        resp = client.summary(key=key, headers={"Origin": "http://app.test"})
        assert resp.headers["Access-Control-Allow-Origin"] == "http://app.test"
        exposed = {h.strip() for h in resp.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"X-Request-ID", "Preference-Applied", "Retry-After"} <= exposed
        assert "Origin" in resp.headers["Vary"]


def test_no_cors_headers_without_origin(client: Client) -> None:
    assert "Access-Control-Allow-Origin" not in client.summary().headers


def test_the_spec_is_served(client: Client) -> None:
    as_yaml = client.request("GET", "/openapi.yaml", base=client.server.origin)
    as_json = client.request("GET", "/openapi.json", base=client.server.origin)
    assert as_yaml.status_code == as_json.status_code == 200
    assert yaml.safe_load(as_yaml.text) == as_json.json()
    assert as_json.json()["paths"]["/analytics/api-keys/summary/{org_id}"]["get"][
        "operationId"] == "getApiKeyUsageSummary"


def test_request_ids_are_prefix_and_fixed_width_hex(client: Client) -> None:
    ids = [client.summary().headers["X-Request-ID"] for _ in range(3)]
    ids.append(client.summary(key=None).json()["error"]["trace_id"])
    assert all(re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]{11}", i) for i in ids), ids
    assert len(set(ids)) == 4 and len({i.split("-")[0] for i in ids}) == 1


def test_every_route_is_behind_the_edge() -> None:
    """No middleware renders failures (engine/edge.py): each route's handler must be wrapped,
    or a new route would answer aiohttp's plain-text errors and tracebacks. The only
    middleware is the journal's, and only with --admin."""
    from mock_server.config import MockConfig, QaConfig
    from mock_server.control.recording import record
    from mock_server.engine.edge import BEHIND_EDGE
    from mock_server.serve.app import create_app

    assert list(create_app(MockConfig()).middlewares) == []
    app = create_app(MockConfig(qa=QaConfig(admin=True)))
    assert list(app.middlewares) == [record]
    routes = list(app.router.routes())
    assert len(routes) > 20
    bare = [(r.method, r.resource.canonical) for r in routes if not getattr(r.handler, BEHIND_EDGE,
                                                                              False)]
    assert bare == []


def test_a_failing_handler_answers_in_the_envelope() -> None:
    from aiohttp import web

    from mock_server.config import MockConfig
    from mock_server.engine import routing
    from mock_server.serve.app import create_app
    from mock_server.testing import AppThread

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    async def too_big(request: web.Request) -> web.Response:
        raise web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2)

    app = create_app(MockConfig())
    routing.add(app, "GET", "/boom", boom)
    routing.add(app, "GET", "/too-big", too_big)
    with AppThread(app) as site, requests.Session() as s:
        resp = s.get(site.origin + "/boom", headers={"Origin": "http://app.test"}, timeout=10)
        assert resp.status_code == 500
        assert resp.json()["error"]["status"] == 500
        assert "secret internals" not in resp.text
        assert resp.headers["Access-Control-Allow-Origin"] == "http://app.test"
        resp = s.get(site.origin + "/too-big", timeout=10)
        assert (resp.status_code, resp.json()["error"]["status"]) == (413, 413)
