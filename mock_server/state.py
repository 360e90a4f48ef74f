"""The application's state, under one typed key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from mock_server.auth import Authenticator
from mock_server.clock import Clock
from mock_server.config import MockConfig
from mock_server.contract import Contract
from mock_server.cors import Cors
from mock_server.data import SummarySource
from mock_server.errors import ErrorRenderer
from mock_server.params import QueryParser
from mock_server.qa import QaState


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
    spec_yaml: bytes
    qa: QaState


STATE: web.AppKey[MockState] = web.AppKey("freddy_mock_state", MockState)
