"""pytest plugin (entry point ``pytest11``): test your own client code against the mock.

    def test_my_client(freddy_mock):
        assert MyClient(freddy_mock.base_url, freddy_mock.key).total() == 25000

One mock per test session (``freddy_mock_server``), in-process on a free 127.0.0.1 port;
``freddy_mock`` resets it before each test (scenarios, counters, journal). Override the
session fixture ``freddy_mock_config`` to change the :class:`MockConfig` (e.g. a frozen
clock, a rate limit, or ``tenants=20`` for generated organizations, listed by
``freddy_mock.tenants``). Heavy imports happen only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_server.config import MockConfig
    from mock_server.foundation.tenants import Tenant
    from mock_server.runtime.journal import Entry
    from mock_server.testing import MockServerThread


class FreddyMock:
    """What a test gets: where the mock is, its keys, scenarios and the journal."""

    def __init__(self, server: MockServerThread, keys: dict[str, str]) -> None:
        self.server = server
        self._keys = keys

    @property
    def base_url(self) -> str:
        """e.g. ``http://127.0.0.1:PORT/v1``, the API's base URL on the mock."""
        return self.server.base_url

    @property
    def origin(self) -> str:
        return self.server.origin

    @property
    def keys(self) -> dict[str, str]:
        """Organization -> API key: the fixtures' (``org_abc123`` and ``org_xyz789``), those
        of ``MockConfig.keys`` and of the generated tenants."""
        return dict(self._keys)

    @property
    def tenants(self) -> list[Tenant]:
        """The generated organizations (``MockConfig(tenants=N)``), each with ``org``,
        ``name`` and ``key``; the same for the same seed in every run."""
        return list(self.server.parts.tenants)

    @property
    def org(self) -> str:
        return "org_abc123"

    @property
    def key(self) -> str:
        """The key of ``org_abc123`` (whose November 2025 is the document's example)."""
        return self.keys[self.org]

    def url(self, org: str | None = None) -> str:
        """The summary URL of ``org`` (default ``org_abc123``)."""
        return f"{self.base_url}/analytics/api-keys/summary/{org or self.org}"

    @property
    def scenarios(self) -> list[str]:
        return sorted(self.server.parts.qa.catalog.scenarios)

    @contextmanager
    def scenario(self, name: str, org: str | None = None) -> Iterator[FreddyMock]:
        """Apply a scenario (for every org, or only ``org``) for the duration of the block."""
        if name not in self.server.parts.qa.catalog:
            raise KeyError(f"no scenario {name!r}; known: {', '.join(self.scenarios)}")
        runtime = self.server.parts.qa.runtime
        self.server.call(runtime.activate(name, org))
        try:
            yield self
        finally:
            self.server.call(runtime.deactivate(name, org))

    @property
    def journal(self) -> list[Entry]:
        """The requests received so far in this test, oldest first (keys masked)."""
        journal = self.server.parts.qa.journal
        return [] if journal is None else self.server.call(journal.entries())

    def requests(self, **filters: Any) -> list[Entry]:
        """The journal filtered by ``org=``, ``status=`` or ``since=`` (a datetime)."""
        journal = self.server.parts.qa.journal
        return [] if journal is None else self.server.call(journal.entries(**filters))

    def reset(self) -> None:
        qa = self.server.parts.qa
        self.server.call(qa.runtime.reset())  # scenarios, settings (latency, errors), counters
        if qa.journal is not None:
            self.server.call(qa.journal.clear())


@pytest.fixture(scope="session")
def freddy_mock_config() -> MockConfig:
    """Override to configure the session's mock. The plugin serves a copy of it, on a free
    127.0.0.1 port with the admin API (and so the journal) on; yours is left as it is."""
    from mock_server.config import MockConfig

    return MockConfig(port=0)


@pytest.fixture(scope="session")
def freddy_mock_server(freddy_mock_config: MockConfig) -> Iterator[MockServerThread]:
    from mock_server.testing import MockServerThread

    # A copy: the user's object is theirs (it may be shared, or checked by their tests).
    user = freddy_mock_config
    config = replace(user, port=0, host="127.0.0.1", qa=replace(user.qa, admin=True))
    config.validate()  # the CLI's own check: a bad config is one clear ConfigError
    with MockServerThread(config) as server:
        yield server


@pytest.fixture(scope="session")
def _freddy_mock_keys(freddy_mock_server: MockServerThread) -> dict[str, str]:
    from mock_server.foundation.fixtures import load_fixtures

    config = freddy_mock_server.config
    pairs = (*load_fixtures(config.fixtures_dir, freddy_mock_server.parts.contract).keys,
             *config.keys, *((t.key, t.org) for t in freddy_mock_server.parts.tenants))
    keys: dict[str, str] = {}
    for key, org in pairs:
        keys.setdefault(org, key)
    return keys


@pytest.fixture
def freddy_mock(
    freddy_mock_server: MockServerThread, _freddy_mock_keys: dict[str, str]
) -> Iterator[FreddyMock]:
    """The session's mock, reset for this test."""
    mock = FreddyMock(freddy_mock_server, _freddy_mock_keys)
    mock.reset()
    yield mock
    mock.reset()
