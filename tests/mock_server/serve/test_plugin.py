"""The pytest plugin, used the way a team would use it to test its own client code."""

from __future__ import annotations

import pytest
import requests

from mock_server.pytest_plugin import FreddyMock


def my_client_total(base_url: str, key: str, org: str) -> int:
    """Stand-in for a user's client code (the document's Python snippet)."""
    response = requests.get(f"{base_url}/analytics/api-keys/summary/{org}",
                            params={"year": 2025, "month": 11},
                            headers={"X-API-Key": key}, timeout=10)
    response.raise_for_status()
    return response.json()["totalApiKeyRequests"]


def test_fixture_gives_base_url_and_keys(freddy_mock: FreddyMock) -> None:
    assert freddy_mock.base_url.startswith("http://127.0.0.1:")
    assert freddy_mock.keys == {"org_abc123": "mock-key-abc123",
                                "org_xyz789": "mock-key-xyz789"}
    assert my_client_total(freddy_mock.base_url, freddy_mock.key, freddy_mock.org) == 25000


def test_scenario_applies_for_the_block_only(freddy_mock: FreddyMock) -> None:
    with freddy_mock.scenario("rate-limited"), pytest.raises(requests.HTTPError) as info:
        my_client_total(freddy_mock.base_url, freddy_mock.key, freddy_mock.org)
    assert info.value.response.status_code == 429
    assert my_client_total(freddy_mock.base_url, freddy_mock.key, freddy_mock.org) == 25000
    with freddy_mock.scenario("empty-org", org="org_xyz789"):
        assert my_client_total(freddy_mock.base_url, freddy_mock.keys["org_xyz789"],
                               "org_xyz789") == 0
        assert my_client_total(freddy_mock.base_url, freddy_mock.key, freddy_mock.org) == 25000
    with pytest.raises(KeyError, match="known: documented-errors"):
        freddy_mock.scenario("nope").__enter__()


def test_journal_shows_what_the_client_sent(freddy_mock: FreddyMock) -> None:
    assert freddy_mock.journal == []  # reset between tests
    my_client_total(freddy_mock.base_url, freddy_mock.key, freddy_mock.org)
    [entry] = freddy_mock.journal
    assert (entry.org, entry.status, entry.query) == ("org_abc123", 200, "year=2025&month=11")
    assert entry.key == "…c123"
    # Also readable as a mapping, with the JSON journal's names (GET /__mock/requests).
    assert (entry["org"], entry["status"], entry["query"]) == ("org_abc123", 200,
                                                               "year=2025&month=11")
    assert dict(entry) == entry.to_json() and entry["at"].endswith("Z")
    assert freddy_mock.requests(status=429) == []


USER_TEST_FILE = """
import requests

def test_retry_on_flaky(freddy_mock):
    url = freddy_mock.url()
    with freddy_mock.scenario("flaky"):
        codes = [requests.get(url, headers={"X-API-Key": freddy_mock.key}).status_code
                 for _ in range(3)]
    assert codes == [200, 200, 500]
    assert [e.status for e in freddy_mock.journal] == [200, 200, 500]

def test_state_does_not_leak(freddy_mock):
    assert freddy_mock.journal == []
    r = requests.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key})
    assert r.status_code == 200
"""


def test_plugin_is_found_through_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST_FILE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_plugin_config_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
from datetime import UTC, datetime

import pytest
from mock_server import MockConfig, QaConfig

@pytest.fixture(scope="session")
def freddy_mock_config():
    return MockConfig(now=datetime(2025, 11, 20, 12, 34, 56, tzinfo=UTC),
                      qa=QaConfig(rate_limit="1/min"))
""")
    pytester.makepyfile(test_limit="""
import requests

def test_limit(freddy_mock):
    get = lambda: requests.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key})
    assert get().status_code == 200
    r = get()
    assert r.status_code == 429 and r.headers["Retry-After"] == "4"
""")
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
