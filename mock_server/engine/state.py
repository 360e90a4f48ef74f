"""The application's state, under one typed key."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from api_contract.contract import Contract
from mock_server.config import MockConfig
from mock_server.qa.state import QaState
from mock_server.stages.auth import Authenticator
from mock_server.stages.clock import Clock
from mock_server.stages.cors import Cors
from mock_server.stages.data import SummarySource
from mock_server.stages.errors import ErrorRenderer
from mock_server.stages.hosts import HostGate
from mock_server.stages.params import QueryParser
from mock_server.stages.redact import Redactor
from mock_server.stages.tenants import Tenant


@dataclass(slots=True)
class MockState:
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
    qa: QaState
    redact: Redactor  # secrets outside the key headers, for the journal and the access log
    tenants: tuple[Tenant, ...] = field(default=())  # --tenants N


STATE: web.AppKey[MockState] = web.AppKey("freddy_mock_state", MockState)
