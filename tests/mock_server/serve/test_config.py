"""One check of a :class:`MockConfig`, whoever built it: the CLI, the pytest plugin and
``create_app`` all refuse the same configurations with the same one-line message."""

from __future__ import annotations

from typing import Any

import pytest
from cli_refusals import refused

from mock_server.config import ConfigError, MockConfig, QaConfig
from mock_server.serve.app import create_app

BAD: list[tuple[dict[str, Any], str]] = [
    ({"host": "0.0.0.0"}, "pass --expose"),
    ({"host": "192.168.1.10"}, "pass --expose"),
    ({"host": "0.0.0.0", "expose": True, "qa": QaConfig(admin=True)}, "--admin-token"),
    ({"host": "0.0.0.0", "expose": True}, "--allowed-host"),  # issue 11's exposure rule
    ({"tenants": 10_001}, "tenant count"),
    ({"max_connections": 0}, "connection cap"),
    ({"max_delayed": 0}, "delayed requests"),
    ({"header_timeout": 0}, "--header-timeout"),
    ({"idle_timeout": -1}, "--idle-timeout"),
    ({"port": -1}, "port"),
    ({"port": 65536}, "port"),
    ({"workers": 0}, "worker count"),
    ({"workers": 65}, "worker count"),
    ({"keys": (("", "org_a"),)}, "KEY=ORG"),
    ({"keys": (("k-123456789", " "),)}, "KEY=ORG"),
    ({"cors_allow_headers": ("X-Ok", "bad header")}, "not a header name"),
    ({"qa": QaConfig(journal_size=-1)}, "journal size"),
    ({"qa": QaConfig(journal_size=1_000_001)}, "journal size"),
    ({"qa": QaConfig(rate_limit="lots")}, "--rate-limit"),
    ({"qa": QaConfig(watch=True)}, "--watch needs"),
    ({"qa": QaConfig(watch=True, scenarios=("x.yaml",), watch_interval=0)}, "watch interval"),
]


@pytest.mark.parametrize(("fields", "needle"), BAD, ids=[n for _, n in BAD])
def test_validate_refuses_with_one_line(fields: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        MockConfig(**fields).validate()
    message = str(info.value)
    assert needle in message and "\n" not in message


@pytest.mark.parametrize(("fields", "needle"), BAD[:3], ids=[n for _, n in BAD[:3]])
def test_create_app_validates(fields: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace("-", r"\-")):
        create_app(MockConfig(**fields))


def test_good_configurations_pass() -> None:
    MockConfig().validate()
    MockConfig(host="::1", port=0, workers=64).validate()
    MockConfig(host="0.0.0.0", expose=True, allowed_hosts=("mock.example",),
               qa=QaConfig(admin=True, admin_token="t0ken-long-enough")).validate()
    MockConfig(qa=QaConfig(rate_limit="100/min", journal_size=0)).validate()


@pytest.mark.parametrize(("args", "needle"), [
    (["--admin", "--host", "0.0.0.0", "--expose"], "--admin-token"),
    (["--watch"], "--watch needs"),
    (["--rate-limit", "lots"], "--rate-limit"),
    (["--journal-size", "1000001"], "journal size"),
])
def test_the_cli_gives_the_same_one_line_and_exit_2(args: list[str], needle: str) -> None:
    assert needle in refused(*args)


PLUGIN_CONFTEST = """
import pytest
from mock_server.config import MockConfig, QaConfig

CONFIG = MockConfig(port=8999, qa=QaConfig(journal_size=5))

@pytest.fixture(scope="session")
def freddy_mock_config():
    return CONFIG
"""


def test_the_plugin_copies_the_users_config(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PLUGIN_CONFTEST)
    pytester.makepyfile(test_user="""
from conftest import CONFIG

def test_served(freddy_mock):
    assert freddy_mock.server.parts.config.qa.admin  # the plugin's copy has admin on
    assert freddy_mock.server.port != 8999

def test_untouched(freddy_mock):
    assert CONFIG.port == 8999 and CONFIG.qa.admin is False and CONFIG.qa.journal_size == 5
""")
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_plugin_refuses_a_bad_config_clearly(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PLUGIN_CONFTEST.replace("journal_size=5", "rate_limit='lots'"))
    pytester.makepyfile(test_user="def test_x(freddy_mock):\n    pass\n")
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ConfigError: --rate-limit*"])
