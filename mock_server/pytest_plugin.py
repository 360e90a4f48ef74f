"""pytest plugin (entry point ``pytest11``): test your own client code against the mock.

    def test_my_client(freddy_mock):
        assert MyClient(freddy_mock.base_url, freddy_mock.key).total() == 25000

One mock per test session (``freddy_mock_server``), in-process on a free 127.0.0.1 port;
``freddy_mock`` resets it before each test (scenarios, counters, journal). Override the
session fixture ``freddy_mock_config`` to change the :class:`MockConfig` (e.g. a frozen
clock, a rate limit, or ``tenants=20`` for generated organizations, listed by
``freddy_mock.tenants``). Heavy imports happen only when a fixture is used.

Pointed at a running mock instead (``--freddy-url URL`` or ``$FREDDY_MOCK_URL``; the mock
started with ``--admin``), no mock is started: ``freddy_mock`` is a
:class:`~mock_server.remote.RemoteMock` in a session of the test's own (``X-Mock-Session``),
so tests of many runs and xdist workers share one mock without cross-talk.

``--freddy-coverage-require NAME,...`` (or ``all``) fails the session at its end, naming
the contract's outcomes (``status:429``, ``fault:reset``, ``data:no-usage``, ...) that no
test's requests met; ``freddy_mock.coverage`` is the report of the running test so far.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from mock_server.offer import Offer
from mock_server.pytest_coverage import (  # noqa: F401 (the coverage hooks, registered here)
    REQUIRE,
    every,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
    session_met,
)

if TYPE_CHECKING:
    from mock_server.config import MockConfig
    from mock_server.foundation.tenants import Tenant
    from mock_server.remote import RemoteMock
    from mock_server.runtime.journal import Entry
    from mock_server.testing import MockServerThread


URL_ENV = "FREDDY_MOCK_URL"
TOKEN_ENV = "FREDDY_MOCK_ADMIN_TOKEN"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("freddy-mock")
    group.addoption("--freddy-url", default=os.environ.get(URL_ENV), metavar="URL",
                    help="use the freddy-mock running at URL (started with --admin), each "
                         f"test in a session of its own (default ${URL_ENV})")
    group.addoption("--freddy-admin-token", default=os.environ.get(TOKEN_ENV),
                    metavar="TOKEN", help=f"its admin token (default ${TOKEN_ENV})")
    group.addoption("--freddy-coverage-require", dest=REQUIRE, default=None,
                    metavar="NAME,...|all",
                    help="fail the session unless its requests to the freddy_mock met these "
                         "outcomes of the contract (e.g. status:429,fault:reset; or all)")


class FreddyMock(Offer):
    """What a test gets: where the mock is, its keys (the fixtures' ``org_abc123`` and
    ``org_xyz789``, those of ``MockConfig.keys`` and of the generated tenants), a
    ``client``, scenarios and the journal."""

    session: str | None = None  # the in-process mock is the test's own: no session

    def __init__(self, server: MockServerThread, keys: dict[str, str],
                 met: Counter[str] | None = None) -> None:
        self.server = server
        self._keys = keys
        self._met = Counter[str]() if met is None else met  # the session's, before resets

    @property  # type: ignore[override]
    def base_url(self) -> str:
        """e.g. ``http://127.0.0.1:PORT/v1``, the API's base URL on the mock."""
        return self.server.base_url

    @property
    def origin(self) -> str:
        return self.server.origin

    @property
    def tenants(self) -> list[Tenant]:
        """The generated organizations (``MockConfig(tenants=N)``), each with ``org``,
        ``name`` and ``key``; the same for the same seed in every run."""
        return list(self.server.parts.tenants)

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

    @property
    def coverage(self) -> dict[str, Any]:
        """Which of the contract's outcomes this test's requests met so far (the report of
        ``GET /__mock/coverage``)."""
        qa = self.server.state.qa
        return self.server.call(qa.coverage.report(qa.catalog.scenarios, every()))

    def reset(self) -> None:
        qa = self.server.parts.qa
        self._met.update(self.server.call(qa.coverage.take()))  # kept for the run's end
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
def freddy_mock_server(freddy_mock_config: MockConfig,
                       request: pytest.FixtureRequest) -> Iterator[MockServerThread]:
    from mock_server.testing import MockServerThread

    # A copy: the user's object is theirs (it may be shared, or checked by their tests).
    user = freddy_mock_config
    config = replace(user, port=0, host="127.0.0.1", qa=replace(user.qa, admin=True))
    config.validate()  # the CLI's own check: a bad config is one clear ConfigError
    with MockServerThread(config) as server:
        yield server
        qa = server.state.qa
        met, catalogues = session_met(request.config)
        met.update(server.call(qa.coverage.counts(every())))
        catalogues.append(qa.coverage.names(qa.catalog.scenarios))


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
def freddy_mock(request: pytest.FixtureRequest) -> Iterator[FreddyMock | RemoteMock]:
    """The session's mock, reset for this test; or, with ``--freddy-url``, the running
    mock in a session of this test's own (ended after it)."""
    url = request.config.getoption("freddy_url")
    met, catalogues = session_met(request.config)
    if url:
        remote = _remote(url, request)
        yield remote
        if request.config.getoption(REQUIRE):  # this test's session, kept for the run's end
            report = remote.coverage
            met.update(report["outcomes"])
            catalogues[:] = [tuple(report["outcomes"])]
        remote.end()
        return
    mock = FreddyMock(request.getfixturevalue("freddy_mock_server"),
                      request.getfixturevalue("_freddy_mock_keys"), met)
    mock.reset()
    yield mock
    mock.reset()
    mock.close()


@functools.cache
def _bundled() -> tuple[dict[str, str], str]:
    """The bundled fixtures' keys (org -> key) and the API's base path, read once."""
    from api_contract.contract import load_contract
    from api_contract.resources import default_fixtures_dir, default_spec_path
    from mock_server.foundation.fixtures import load_fixtures

    contract = load_contract(default_spec_path())
    keys: dict[str, str] = {}
    for key, org in load_fixtures(default_fixtures_dir(), contract).keys:
        keys.setdefault(org, key)
    return keys, contract.base_path


def _remote(url: str, request: pytest.FixtureRequest) -> RemoteMock:
    from mock_server.remote import RemoteMock, session_for

    keys, base_path = _bundled()
    token = request.config.getoption("freddy_admin_token")
    remote = RemoteMock(url, session_for(request.node.name), keys, token=token,
                        base_path=base_path)
    if (url, token) not in _REACHED:  # once per run: a wrong URL or token, said plainly
        remote.admin("GET", "health")
        _REACHED.add((url, token))
    return remote


_REACHED: set[tuple[str, str | None]] = set()
