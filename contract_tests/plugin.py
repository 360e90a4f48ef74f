"""The kit under pytest: ``pytest contract_tests --base-url URL --api-key KEY --org-id ORG``
from a checkout (``contract_tests/conftest.py`` loads this module), or
``pytest -p contract_tests.plugin --pyargs contract_tests --base-url ...`` from an installed
wheel (there the package's conftest is found too late to add options).

The options are the CLI's: the same table, environment variables and validation
(:func:`contract_tests.config.resolve`), except three names pytest or a popular plugin
already takes: pytest's own ``--junit-xml`` (one test case per check), and
``--contract-timeout`` / ``--contract-strict`` for ``--timeout`` / ``--strict``. Each check
is one test. Without a base URL (flag or ``FREDDY_BASE_URL``) the tests are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.config import OPTIONS, KitConfig, UsageError, from_getter
from contract_tests.context import Context
from contract_tests.runner import StartError, open_context

_PREFIX = "freddy_"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("freddy-contract", "Freddy contract kit")
    for opt in OPTIONS:
        if not opt.pytest_option:
            continue  # e.g. --junit-xml: pytest's own option writes one test case per check
        if opt.is_flag:
            group.addoption(opt.pytest_option, action="store_true", default=None,
                            dest=_PREFIX + opt.name, help=f"{opt.help} [env {opt.env}]")
        else:
            group.addoption(opt.pytest_option, metavar=opt.metavar, default=None,
                            dest=_PREFIX + opt.name, help=f"{opt.help} [env {opt.env}]")


@pytest.fixture(scope="session")
def kit_config(pytestconfig: pytest.Config) -> KitConfig:
    try:
        return from_getter(lambda name: pytestconfig.getoption(_PREFIX + name, None))
    except UsageError as exc:
        if pytestconfig.getoption(_PREFIX + "base_url") is None and "--base-url" in str(exc):
            pytest.skip("no --base-url (or FREDDY_BASE_URL) given")
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def kit_context(kit_config: KitConfig) -> Iterator[Context]:
    try:
        ctx = open_context(kit_config)
    except StartError as exc:
        pytest.exit(f"freddy-contract: {exc}", returncode=2)
    yield ctx
    ctx.client.close()
