"""The mock's parts, built once at start-up (config, compiled contract, clock, stages, QA
features), under one typed key: ``request.app[PARTS]``. What changes while the mock runs is
not here but in ``qa.runtime`` (mock_server.runtime)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from api_contract.contract import Contract
from mock_server.config import MockConfig
from mock_server.foundation.clock import Clock
from mock_server.foundation.redact import Redactor
from mock_server.foundation.renderer import ErrorRenderer
from mock_server.foundation.tenants import Tenant
from mock_server.qa.parts import QaParts
from mock_server.stages.auth import Authenticator
from mock_server.stages.cors import Cors
from mock_server.stages.data import SummarySource
from mock_server.stages.hosts import HostGate
from mock_server.stages.params import QueryParser


@dataclass(slots=True)
class MockParts:
    config: MockConfig
    contract: Contract
    clock: Clock
    auth: Authenticator
    params: QueryParser
    summaries: SummarySource
    errors: ErrorRenderer
    cors: Cors
    hosts: HostGate
    spec_yaml: bytes
    qa: QaParts
    redact: Redactor  # secrets outside the key headers, for the journal and the access log
    tenants: tuple[Tenant, ...] = field(default=())  # --tenants N


PARTS: web.AppKey[MockParts] = web.AppKey("freddy_mock_state", MockParts)
