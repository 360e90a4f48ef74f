"""Shared fixtures: real mock servers on 127.0.0.1 ephemeral ports. Every answer a test gets
from a mock, through any ``requests`` session, is judged by the contract's registry of
checks with the request that produced it (tests/oracle.py, installed here)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from api_contract.contract import Contract
from mock_server.config import MockConfig
from mock_server.foundation.clock import parse_instant
from mock_server.testing import MockServerThread

import oracle

# tests/mock_server/serve/test_plugin.py runs the freddy_mock plugin as a user
pytest_plugins = ("pytester",)
oracle.install()

FROZEN_NOW = "2025-11-20T12:34:56Z"
KEY_ABC = "mock-key-abc123"
KEY_XYZ = "mock-key-xyz789"
SUMMARY = "/analytics/api-keys/summary/"


@dataclass
class Client:
    """A requests session bound to one server (the oracle judges each answer)."""

    server: MockServerThread
    session: requests.Session

    @property
    def contract(self) -> Contract:
        return self.server.parts.contract

    def request(self, method: str, path: str, *, base: str | None = None,
                **kwargs: Any) -> requests.Response:
        url = (self.server.base_url if base is None else base) + path
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, url, **kwargs)

    def summary(self, org: str = "org_abc123", key: str | None = KEY_ABC,
                params: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
        h = dict(headers or {})
        if key is not None:
            h.setdefault("X-API-Key", key)
        return self.request("GET", SUMMARY + org, params=params, headers=h)


def start(**overrides: Any) -> MockServerThread:
    config = MockConfig(port=0, now=parse_instant(FROZEN_NOW))
    for name, value in overrides.items():
        setattr(config, name, value)
    return MockServerThread(config).start()


@pytest.fixture(scope="session")
def server() -> Iterator[MockServerThread]:
    srv = start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: MockServerThread) -> Iterator[Client]:
    with requests.Session() as session:
        yield Client(server, session)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Any]:
    """A real redis-server on a free loopback port, one per test module that asks for it
    (started and stopped by the tests themselves; see redis_server.py)."""
    from redis_server import RedisServer  # (it imports helpers, which import this module)

    server = RedisServer().start()
    yield server
    server.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many of the mocks' answers the oracle judged in this run (tests/oracle.py)."""
    if oracle.judged[0]:
        terminalreporter.write_line(f"oracle: {oracle.judged[0]} answers of the mock judged "
                                    "by the contract's registry")
