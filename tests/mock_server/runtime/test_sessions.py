"""Sessions (``X-Mock-Session``) on one in-process mock: each sees the start-up config and
its own switches only, never another's; names are checked; sessions expire on the mock's
clock (advanced, no sleeping) and are capped; the journal keeps them apart."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from mock_server.config import QaConfig

from conftest import KEY_ABC, KEY_XYZ, Client, start
from helpers import DOCUMENTED_ERRORS, NOV, call

TTL = 60.0


@pytest.fixture
def mock(request: pytest.FixtureRequest) -> Iterator[Client]:
    """An admin mock; indirect parametrization adds QaConfig fields."""
    qa = QaConfig(admin=True, session_ttl=TTL, **getattr(request, "param", {}))
    srv = start(qa=qa)
    with requests.Session() as session:
        yield Client(srv, session)
    srv.stop()


def get(c: Client, session: str | None = None, org: str = "org_abc123",
        key: str | None = KEY_ABC, **headers: str) -> requests.Response:
    h = dict(headers)
    if session is not None:
        h["X-Mock-Session"] = session
    return c.summary(org, key, params=NOV, headers=h)


def test_two_sessions_with_opposite_switches_and_none_sees_neither(mock: Client) -> None:
    call(mock, "POST", "scenarios/empty-org/activate", params={"session": "alice"})
    call(mock, "POST", "settings", json={"session": "bob", "error": 500, "delay_ms": 5})
    call(mock, "POST", "scenarios/enterprise-org/activate", json={"session": "bob",
                                                                  "org": "org_xyz789"})
    assert get(mock, "alice").json()["totalApiKeyRequests"] == 0
    assert get(mock, "alice", "org_xyz789", KEY_XYZ).json()["totalApiKeyRequests"] == 0
    assert get(mock, "bob").status_code == 500
    assert get(mock, "bob", "org_xyz789", KEY_XYZ).status_code == 500
    plain = get(mock)
    assert plain.status_code == 200 and plain.json()["totalApiKeyRequests"] == 25000
    assert "X-Mock-Session" not in plain.headers
    # the query parameter works as the header does, and the answer names its session
    resp = mock.summary(params={**NOV, "__session": "alice"})
    assert resp.json()["totalApiKeyRequests"] == 0 and resp.headers["X-Mock-Session"] == "alice"
    # what each scope reports of itself
    assert call(mock, "GET", "settings", params={"session": "bob"}).json()["errors"] == [
        {"org": None, "status": 500}]
    assert call(mock, "GET", "settings").json()["errors"] == []
    assert call(mock, "GET", "health").json()["active"] == []
    listed = call(mock, "GET", "scenarios", params={"session": "bob"}).json()
    assert listed["active"] == [{"name": "enterprise-org", "org": "org_xyz789"}]
    # switches without a session apply to the requests without one, as before
    call(mock, "POST", "scenarios/rate-limited/activate")
    assert get(mock).status_code == 429
    assert get(mock, "alice").status_code == 200 and get(mock, "carol").status_code == 200


@pytest.mark.parametrize("mock", [{"rate_limit": "3/min"}], indirect=True)
def test_rate_limit_windows_and_every_counters_are_per_session(mock: Client) -> None:
    seen = [(get(mock, "alice").status_code) for _ in range(4)]
    assert seen == [200, 200, 200, 429]
    resp = get(mock, "bob")
    assert resp.status_code == 200 and resp.headers["x-ratelimit-remaining-requests"] == "2"
    assert get(mock).headers["x-ratelimit-remaining-requests"] == "2"
    # every: counters (flaky: requests 3, 6, 9 fail) count each session's own requests
    for name in ("carol", "dave"):
        call(mock, "POST", "scenarios/flaky/activate", params={"session": name})
    codes = []
    for _ in range(3):
        codes += [get(mock, "carol", "org_xyz789", KEY_XYZ).status_code,
                  get(mock, "dave", "org_xyz789", KEY_XYZ).status_code]
    assert codes == [200, 200, 200, 200, 500, 500]


def test_the_journal_keeps_sessions_apart(mock: Client) -> None:
    call(mock, "POST", "scenarios/rate-limited/activate", params={"session": "alice"})
    get(mock, "alice")
    get(mock, "bob")
    get(mock, "bob", key="wrong-key-0000")  # a refused request is still bob's
    get(mock)

    def statuses(**params: str) -> list[tuple[str | None, int]]:
        doc = call(mock, "GET", "requests", params=params).json()
        return [(e["session"], e["status"]) for e in doc["requests"]]

    assert statuses(session="alice") == [("alice", 429)]
    assert statuses(session="bob") == [("bob", 200), ("bob", 401)]
    assert statuses() == [(None, 200)]
    assert statuses(session="*") == [("alice", 429), ("bob", 200), ("bob", 401), (None, 200)]
    assert statuses(session="bob", status="401") == [("bob", 401)]
    assert call(mock, "DELETE", "requests", params={"session": "bob"}).json()["cleared"] == 2
    doc = call(mock, "POST", "reset", json={"session": "alice"}).json()
    assert doc == {"reset": True, "journal_cleared": 1, "active": [], "session": "alice"}
    assert statuses(session="*") == [(None, 200)]
    assert get(mock, "alice").status_code == 200  # reset: alice's switches are gone


def test_sessions_are_listed_and_ended(mock: Client) -> None:
    call(mock, "POST", "scenarios/flaky/activate", params={"session": "alice"})
    get(mock, "bob")
    doc = call(mock, "GET", "sessions").json()
    assert (doc["count"], doc["limit"], doc["ttl_s"]) == (2, 10_000, TTL)
    by_name = {s["name"]: s for s in doc["sessions"]}
    assert by_name["alice"]["active"] == [{"name": "flaky", "org": None}]
    assert by_name["bob"]["active"] == [] and by_name["bob"]["last_seen"].endswith("Z")
    assert by_name["bob"]["settings"] == {"delay_ms": 0, "errors": []}
    assert call(mock, "DELETE", "sessions/alice").json() == {"ended": True, "session": "alice"}
    assert call(mock, "DELETE", "sessions/alice").json()["ended"] is False
    assert [s["name"] for s in call(mock, "GET", "sessions").json()["sessions"]] == ["bob"]
    assert call(mock, "GET", "scenarios", params={"session": "alice"}).json()["active"] == []


@pytest.mark.parametrize("name", ["", "bad name", "a/b", "x" * 65, "é", "a\tb"])
def test_a_bad_name_is_a_400_in_the_envelope(mock: Client, name: str) -> None:
    for resp in (get(mock, name), mock.summary(params={**NOV, "__session": name})):
        assert resp.status_code == 400, name
        error = resp.json()["error"]
        assert (error["code"], error["type"]) == DOCUMENTED_ERRORS[400]
        assert "Session name" in error["system_message"]
    assert get(mock, name, key=None).status_code == 401  # the key is judged first
    admin = call(mock, "POST", "scenarios/flaky/activate", params={"session": name or "-/"})
    assert admin.status_code == 400
    assert call(mock, "GET", "sessions").json()["count"] == 0


@pytest.mark.parametrize("name", ["a", "x" * 64, "CI-run_42.test-login"])
def test_good_names(mock: Client, name: str) -> None:
    resp = get(mock, name)
    assert resp.status_code == 200 and resp.headers["X-Mock-Session"] == name


def test_a_session_expires_after_the_ttl_unused(mock: Client) -> None:
    clock = mock.server.parts.clock
    call(mock, "POST", "scenarios/rate-limited/activate", params={"session": "alice"})
    clock.advance(TTL - 1)
    assert get(mock, "alice").status_code == 429  # used: idle again from now
    clock.advance(TTL - 1)
    assert get(mock, "alice").status_code == 429
    assert call(mock, "GET", "sessions").json()["count"] == 1
    clock.advance(TTL + 1)
    assert call(mock, "GET", "sessions").json()["count"] == 0
    assert get(mock, "alice").status_code == 200  # started again, with nothing switched


@pytest.mark.parametrize("mock", [{"max_sessions": 2}], indirect=True)
def test_beyond_the_cap_a_new_session_gets_503(mock: Client) -> None:
    clock = mock.server.parts.clock
    began = time.monotonic()  # idle time runs on the real clock too (plus the advance)
    assert get(mock, "alice").status_code == 200
    clock.advance(10)
    assert get(mock, "bob").status_code == 200
    resp = get(mock, "carol")
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "2 sessions" in resp.json()["error"]["system_message"]
    # when alice would expire: TTL - 10 s, less the real time the requests took (rounded up)
    waited = time.monotonic() - began
    assert int(TTL) - 10 - waited <= int(resp.headers["Retry-After"]) <= int(TTL) - 10
    admin = call(mock, "POST", "scenarios/flaky/activate", params={"session": "carol"})
    assert admin.status_code == 503
    assert get(mock, "alice").status_code == 200 and get(mock).status_code == 200
    call(mock, "DELETE", "sessions/bob")
    assert get(mock, "carol").status_code == 200
    clock.advance(TTL + 1)  # both idle too long: room for two new ones
    assert [get(mock, n).status_code for n in ("dave", "erin")] == [200, 200]


def test_cors_grants_and_exposes_the_header() -> None:
    srv = start(cors_allow_headers=())  # a fixed list: the API's own headers
    try:
        url = srv.base_url + "/analytics/api-keys/summary/org_abc123"
        pre = requests.options(url, timeout=10, headers={
            "Origin": "http://app.test", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key, x-mock-session"})
        resp = requests.get(url, timeout=10, headers={
            "Origin": "http://app.test", "X-API-Key": KEY_ABC, "X-Mock-Session": "s1"})
    finally:
        srv.stop()
    assert "x-mock-session" in pre.headers["Access-Control-Allow-Headers"].lower()
    assert "X-Mock-Session" in resp.headers["Access-Control-Expose-Headers"]
    assert resp.headers["X-Mock-Session"] == "s1"
