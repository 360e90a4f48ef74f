"""The pytest plugin pointed at a running mock (``--freddy-url``): each test in a session of
its own, so two pytest-xdist workers switching scenarios on one mock never see each
other's switches. The mock is a real ``freddy-mock --admin`` process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from helpers import running

# Two tests with opposite switches. Each waits (bounded) until the other's switch is on,
# so both are switched at the same time, on two workers, and then checks its own answers,
# its journal, and that a request without its session sees neither switch.
XDIST_TESTS = """
import os
import time

import requests


def wait_for_other(freddy_mock, other):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        doc = requests.get(freddy_mock.origin + "/__mock/sessions", timeout=10).json()
        if any(a["name"] == other for s in doc["sessions"] for a in s["active"]):
            return
        time.sleep(0.01)
    raise AssertionError("the other worker's switch never came")


def check(freddy_mock, mine, other, expect):
    assert os.environ["PYTEST_XDIST_WORKER"]
    with freddy_mock.scenario(mine):
        wait_for_other(freddy_mock, other)
        for _ in range(20):
            resp = freddy_mock.client.get(freddy_mock.url(), params={"year": 2025, "month": 3},
                                          headers={"X-API-Key": freddy_mock.key})
            assert expect(resp), resp.text
        plain = requests.get(freddy_mock.url(), params={"year": 2025, "month": 3},
                             headers={"X-API-Key": freddy_mock.key}, timeout=10)
        assert plain.status_code == 200 and plain.json()["totalApiKeyRequests"] > 0
        journal = freddy_mock.journal
        assert len(journal) == 20 and {e.session for e in journal} == {freddy_mock.session}
        assert {e.status for e in journal} == {expect.status}


def rate_limited(resp):
    return resp.status_code == 429
rate_limited.status = 429


def empty(resp):
    return resp.status_code == 200 and resp.json()["totalApiKeyRequests"] == 0
empty.status = 200


def test_left(freddy_mock):
    check(freddy_mock, "rate-limited", "empty-org", rate_limited)


def test_right(freddy_mock):
    check(freddy_mock, "empty-org", "rate-limited", empty)
"""

ONE_TEST = """
import requests


def test_remote(freddy_mock):
    assert freddy_mock.session.startswith("test_remote-")
    assert freddy_mock.headers == {"X-Mock-Session": freddy_mock.session}
    assert freddy_mock.base_url.endswith("/v1") and freddy_mock.key == "mock-key-abc123"
    assert "flaky" in freddy_mock.scenarios
    with freddy_mock.scenario("empty-org", org="org_abc123"):
        r = freddy_mock.client.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key})
        assert r.json()["totalApiKeyRequests"] == 0
        assert r.headers["X-Mock-Session"] == freddy_mock.session
    freddy_mock.settings(error=500)
    assert freddy_mock.client.get(freddy_mock.url(),
                                  headers={"X-API-Key": freddy_mock.key}).status_code == 500
    assert [e.status for e in freddy_mock.requests(status=500)] == [500]
    freddy_mock.reset()
    assert freddy_mock.journal == []
"""


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with running("--admin") as (_proc, base):
        yield base.rsplit("/v1", 1)[0]


def sessions(origin: str) -> int:
    return requests.get(origin + "/__mock/sessions", timeout=10).json()["count"]


def test_each_test_has_a_session_of_its_own(pytester: pytest.Pytester, origin: str) -> None:
    pytester.makepyfile(test_user=ONE_TEST)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider",
                                           "--freddy-url", origin)
    result.assert_outcomes(passed=1)
    assert sessions(origin) == 0  # ended after the test
    assert requests.get(origin + "/__mock/requests", timeout=10).json()["requests"] == []


def test_xdist_workers_on_one_mock_do_not_cross_talk(pytester: pytest.Pytester,
                                                     origin: str) -> None:
    pytester.makepyfile(test_user=XDIST_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-p", "xdist",
                                           "-n", "2", "--freddy-url", origin)
    result.assert_outcomes(passed=2)
    assert sessions(origin) == 0


def test_the_url_can_come_from_the_environment(pytester: pytest.Pytester, origin: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREDDY_MOCK_URL", origin)
    pytester.makepyfile(test_user=ONE_TEST)
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_mock_with_an_admin_token(pytester: pytest.Pytester) -> None:
    with running("--admin", "--admin-token", "team-token-0123") as (_proc, base):
        origin = base.rsplit("/v1", 1)[0]
        pytester.makepyfile(test_user=ONE_TEST)
        refused = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider",
                                                "--freddy-url", origin)
        refused.assert_outcomes(errors=1)  # the fixture's first admin call: 401, said plainly
        refused.stdout.fnmatch_lines(["*RemoteError: GET /__mock/health: 401*"])
        ok = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--freddy-url",
                                           origin, "--freddy-admin-token", "team-token-0123")
        ok.assert_outcomes(passed=1)
