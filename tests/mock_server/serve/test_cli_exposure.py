"""The flags that open the mock up: --expose, --allowed-host, --admin-cors."""

from __future__ import annotations

import http.client
import signal

import pytest
import requests
from cli_refusals import refused

from helpers import running


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--host", "0.0.0.0", "--expose"], "needs --allowed-host NAME"),
        (["--allowed-host", "mock.test:8080"], "not a host name"),
        (["--allowed-host", "http://mock.test"], "not a host name"),
        (["--allowed-host", "bad name"], "not a host name"),
        (["--admin", "--admin-cors", "localhost:3000"], "not an origin"),
        (["--admin", "--admin-cors", "*"], "not an origin"),
        (["--admin", "--admin-cors", "http://localhost:3000/app"], "not an origin"),
        (["--admin-cors", "http://localhost:3000"], "--admin-cors needs --admin"),
    ],
)
def test_bad_exposure_flags_one_line_exit_2(args: list[str], needle: str) -> None:
    assert needle in refused(*args)


def host_status(base: str, host: str) -> int:
    port = int(base.split(":")[2].split("/")[0])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/openapi.json", headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


def test_allowed_host_and_admin_cors_from_the_command_line() -> None:
    args = ("--admin", "--allowed-host", "Mock.Test", "--allowed-host", ".corp.example",
            "--admin-cors", "http://localhost:3000/")
    with running(*args) as (proc, base):
        assert [host_status(base, h) for h in ("mock.test:1", "x.corp.example", "localhost",
                                               "attacker.example")] == [200, 200, 200, 421]
        origin = base.rsplit("/v1", 1)[0]
        with requests.Session() as s:
            named = s.post(origin + "/__mock/reset", json={},
                           headers={"Origin": "http://localhost:3000"}, timeout=10)
            other = s.post(origin + "/__mock/reset", json={},
                           headers={"Origin": "http://localhost:3001"}, timeout=10)
        assert named.status_code == 200
        assert named.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        assert other.status_code == 403
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert "WARNING" not in err


def test_allowed_host_star_says_what_it_opens() -> None:
    with running("--allowed-host", "*") as (proc, base):
        assert host_status(base, "attacker.example") == 200
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "WARNING" in err and "DNS rebinding" in err


def test_the_rule_is_one_function_a_config_built_in_code_can_use() -> None:
    """exposure_problem() is what MockConfig.validate() (issue 17) calls."""
    from mock_server.config import MockConfig, QaConfig, exposure_problem

    assert exposure_problem(MockConfig()) is None
    assert "--allowed-host" in (exposure_problem(MockConfig(host="0.0.0.0", expose=True)) or "")
    assert exposure_problem(MockConfig(host="0.0.0.0", expose=True,
                                       allowed_hosts=("mock.test",))) is None
    assert "not a host name" in (exposure_problem(MockConfig(allowed_hosts=("a:1",))) or "")
    assert "not an origin" in (exposure_problem(
        MockConfig(qa=QaConfig(admin=True, admin_cors=("x",)))) or "")
    assert "needs --admin" in (exposure_problem(
        MockConfig(qa=QaConfig(admin_cors=("http://x",)))) or "")
