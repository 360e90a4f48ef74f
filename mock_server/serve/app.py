"""The application factory: ``create_app(config)``, used by the CLI and by tests alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from api_contract.contract import load_contract
from mock_server.config import MockConfig
from mock_server.control.admin import setup_admin
from mock_server.control.admin_coverage import setup_admin_coverage
from mock_server.control.admin_guard import setup_admin_guard
from mock_server.control.admin_ui import setup_admin_ui
from mock_server.control.docs import setup_docs
from mock_server.control.proxy_status import setup_proxy_status
from mock_server.control.recording import record
from mock_server.engine import routing
from mock_server.engine.parts import PARTS, MockParts
from mock_server.engine.pipeline import get_summary, options
from mock_server.foundation.clock import Clock
from mock_server.foundation.fixtures import load_fixtures
from mock_server.foundation.redact import Redactor
from mock_server.foundation.renderer import ErrorRenderer
from mock_server.foundation.tenants import make_tenants
from mock_server.proxy.handler import proxy_summary
from mock_server.proxy.parts import PROXY, build_proxy, setup_proxy
from mock_server.proxy.report import VIOLATIONS_HEADER
from mock_server.qa.parts import build_qa
from mock_server.serve.coverage_stop import coverage_ctx
from mock_server.serve.watch import watcher
from mock_server.stages.auth import Authenticator, KeyStore
from mock_server.stages.cors import Cors
from mock_server.stages.data import Calibration, SummarySource
from mock_server.stages.hosts import HostGate
from mock_server.stages.params import QueryParser

MAX_BODY = 64 * 1024  # request bodies (only the admin API reads any): 413 beyond


def build_parts(config: MockConfig) -> MockParts:
    """Check the config, load and compile everything once; raises ConfigError,
    ContractError, FixtureError or ScenarioError."""
    config.validate()
    # Files the user brings are validated now (a bad one: one line, exit 2); the loaders
    # skip the bundled ones, which the test suite checks (resources.is_bundled).
    contract = load_contract(config.spec_path)
    fixtures = load_fixtures(config.fixtures_dir, contract)
    clock = Clock(config.now)
    reserved = {org for _, org in (*fixtures.keys, *config.keys)}
    tenants = make_tenants(config.tenants, config.seed, reserved)
    keys = KeyStore((*fixtures.keys, *config.keys, *((t.key, t.org) for t in tenants)))
    return MockParts(
        config=config,
        contract=contract,
        clock=clock,
        auth=Authenticator(keys, contract.key_headers),
        params=QueryParser(contract.query_params),
        summaries=SummarySource(
            config.seed,
            Calibration.from_contract(contract),
            fixtures.canned,
        ),
        errors=ErrorRenderer(contract, clock),
        cors=Cors(contract.key_headers, config.cors_allow_headers,
                  exposed=(VIOLATIONS_HEADER,) if config.proxy else (),
                  origins=config.proxy.cors_origins if config.proxy else None),
        hosts=HostGate(config.allowed_hosts),
        spec_yaml=Path(config.spec_path).read_bytes(),
        qa=build_qa(config, contract),
        redact=Redactor(keys.is_key),
        tenants=tenants,
    )


async def spec_yaml(request: web.Request) -> web.Response:
    return web.Response(body=request.app[PARTS].spec_yaml, content_type="application/yaml")


async def spec_json(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PARTS].contract.json_text, content_type="application/json")


def setup_routes(app: web.Application) -> None:
    contract = app[PARTS].contract
    # --proxy: the route forwards and checks (the mock's own handler is not involved).
    routing.add(app, "GET", contract.route, proxy_summary if PROXY in app else get_summary)
    routing.add(app, "OPTIONS", contract.route, options)
    routing.add(app, "GET", "/openapi.yaml", spec_yaml)
    routing.add(app, "GET", "/openapi.json", spec_json)


def create_app(config: MockConfig | None = None, parts: MockParts | None = None) -> web.Application:
    parts = parts or build_parts(config or MockConfig())
    # No middleware unless the journal is on: the edge is in each route (engine/edge.py).
    middlewares = [record] if parts.qa.journal is not None else []
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[PARTS] = parts
    if parts.config.proxy is not None:
        setup_proxy(app, build_proxy(parts.config.proxy, parts.contract))
    setup_routes(app)
    setup_docs(app)
    setup_qa(app)
    routing.add_fallback(app)  # last: 404 and 405 for whatever no route took
    return app


async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
    """The runtime state's connections live as long as the application, in its event loop
    (with ``--workers N``: in each worker, after the fork)."""
    runtime = app[PARTS].qa.runtime
    await runtime.start()
    yield
    await runtime.close()


def setup_qa(app: web.Application) -> None:
    """The opt-in QA features: admin API (``--admin``) and scenario reloads (``--watch``)."""
    app.cleanup_ctx.append(runtime_ctx)
    app.cleanup_ctx.append(coverage_ctx)  # after: its end runs before the runtime closes
    qa_config = app[PARTS].config.qa
    if qa_config.admin:
        setup_admin_guard(app)
        setup_admin(app)
        setup_admin_coverage(app)
        setup_admin_ui(app)
        setup_proxy_status(app)
    if qa_config.watch and app[PARTS].qa.catalog.files:
        app.cleanup_ctx.append(watcher(qa_config.watch_interval))
