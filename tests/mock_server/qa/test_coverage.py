"""Coverage of the contract's outcomes (issue 27): each outcome driven by real requests to a
mock on a loopback port, and counted once per request in ``GET /__mock/coverage``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import requests

from mock_server.config import MockConfig, QaConfig
from mock_server.foundation.clock import parse_instant
from mock_server.qa.coverage import EVERY
from mock_server.qa.outcomes import catalogue
from mock_server.testing import MockServerThread

from conftest import FROZEN_NOW, KEY_ABC, KEY_XYZ, start
from coverage_helpers import DRIVE, FAULTS_FILE, coverage, faulted, get, reset
from specs import SNAKE_CASE


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServerThread]:
    path = tmp_path_factory.mktemp("cov") / "faults.yaml"
    path.write_text(FAULTS_FILE)
    server = start(qa=QaConfig(admin=True, scenarios=(str(path),)), header_timeout=0.3)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def capped() -> Iterator[MockServerThread]:
    """A mock of its own for the connection cap (its held connections would slow others)."""
    server = start(qa=QaConfig(admin=True), max_connections=3)
    yield server
    server.stop()


def test_the_catalogue_follows_the_spec_and_the_scenarios(srv: MockServerThread) -> None:
    doc = coverage(srv)
    names = list(doc["outcomes"])
    assert names == list(catalogue(srv.state.contract, srv.state.qa.catalog.scenarios))
    assert set(names) == set(DRIVE)  # every outcome has a way to meet it, tested below
    assert doc["total"] == len(names) and doc["covered"] + len(doc["missing"]) == len(names)
    # every numbered response row of the operation, the mock-only ones too
    rows = srv.state.contract.raw["paths"][srv.state.contract.path_template]["get"]
    assert {n for n in names if n.startswith("status:")} == {
        f"status:{s}" for s in rows["responses"] if s.isdigit()}


@pytest.mark.parametrize("outcome", list(DRIVE))
def test_each_outcome_is_counted_once_per_request(request: pytest.FixtureRequest,
                                                  outcome: str) -> None:
    srv = request.getfixturevalue("capped" if outcome == "status:503" else "srv")
    reset(srv)
    assert coverage(srv)["covered"] == 0
    DRIVE[outcome](srv)
    DRIVE[outcome](srv)
    doc = coverage(srv)
    assert doc["outcomes"][outcome] == 2, {k: v for k, v in doc["outcomes"].items() if v}
    assert outcome not in doc["missing"]


def test_one_plain_request_counts_exactly_what_it_met(srv: MockServerThread) -> None:
    reset(srv)
    for _ in range(3):
        get(srv, {"year": 2024, "month": 2}, key=None, Api_Key=KEY_ABC)
    met = {k: v for k, v in coverage(srv)["outcomes"].items() if v}
    assert met == {"status:200": 3, "header:Api-Key": 3, "data:leap-february": 3}


def test_a_steered_answer_counts_its_scenario_status_and_data(srv: MockServerThread) -> None:
    reset(srv)
    get(srv, {"year": 2030}, Prefer="scenario=empty-org")
    met = {k: v for k, v in coverage(srv)["outcomes"].items() if v}
    assert met == {"status:200": 1, "scenario:empty-org": 1, "data:no-usage": 1,
                   "data:future-month": 1, "data:default-period": 1}
    reset(srv)
    faulted(srv, "malformed")  # a body cut in half is no 200 the client could read
    met = {k: v for k, v in coverage(srv)["outcomes"].items() if v}
    assert met == {"fault:malformed": 1, "scenario:faults": 1}


def test_a_forced_error_beats_the_scenario_and_counts_as_the_status(
        srv: MockServerThread) -> None:
    reset(srv)
    requests.post(srv.origin + "/__mock/settings", json={"error": 403},
                  timeout=10).raise_for_status()
    assert get(srv, Prefer="scenario=empty-org").status_code == 403
    met = {k: v for k, v in coverage(srv)["outcomes"].items() if v}
    assert met == {"status:403": 1}


def test_a_reset_clears_the_counts(srv: MockServerThread) -> None:
    reset(srv)
    get(srv)
    assert coverage(srv)["outcomes"]["status:200"] == 1
    reset(srv)
    assert coverage(srv)["covered"] == 0
    get(srv, key=KEY_XYZ, org="org_xyz789")
    assert coverage(srv)["outcomes"]["status:200"] == 1


def test_the_control_surface_itself_is_not_counted(srv: MockServerThread) -> None:
    reset(srv)
    for path in ("health", "nope", "ui"):
        requests.get(srv.origin + "/__mock/" + path, timeout=10)
    requests.get(srv.origin + "/docs", timeout=10)
    assert coverage(srv)["covered"] == 0


def test_the_plain_path_counts_in_memory_until_read(srv: MockServerThread) -> None:
    reset(srv)
    for _ in range(5):
        get(srv)
    cov = srv.state.qa.coverage
    assert not cov.tally.empty  # nothing was sorted or stored per request
    assert srv.call(cov.counts(EVERY))["status:200"] == 5
    assert cov.tally.empty


def test_coverage_needs_the_admin_api(client: object, server: MockServerThread) -> None:
    assert requests.get(server.origin + "/__mock/coverage", timeout=10).status_code == 404


def test_the_body_and_parameter_names_come_from_the_spec() -> None:
    """A second contract (every field renamed): the same outcomes, read by meaning."""
    with MockServerThread(MockConfig(port=0, spec_path=SNAKE_CASE, now=parse_instant(
            FROZEN_NOW), qa=QaConfig(admin=True))) as other:
        assert other.parts.qa.coverage.classifier.requests_field != "totalApiKeyRequests"
        get(other, {"year": 2030, "month": 12})  # no usage yet
        get(other, {"year": 2025}, Prefer="scenario=enterprise-org")  # month defaulted
        met = {k: v for k, v in coverage(other)["outcomes"].items() if v}
    assert met == {"status:200": 2, "data:no-usage": 1, "data:future-month": 1,
                   "scenario:enterprise-org": 1, "data:enterprise-scale": 1,
                   "data:current-month": 1, "data:default-period": 1}


def next_answers(srv: MockServerThread, outcome: str) -> requests.Response:
    return requests.post(srv.origin + "/__mock/coverage/next", json={"outcome": outcome},
                         timeout=10)


@pytest.mark.parametrize("outcome", ["status:400", "status:401", "status:403", "status:429",
                                     "status:500", "fault:reset", "fault:empty",
                                     "fault:malformed", "scenario:documented-errors",
                                     "scenario:empty-org", "scenario:enterprise-org",
                                     "scenario:flaky", "scenario:new-org",
                                     "scenario:rate-limited", "scenario:faults",
                                     "data:no-usage", "data:enterprise-scale"])
def test_one_switch_makes_the_next_request_meet_the_outcome(srv: MockServerThread,
                                                            outcome: str) -> None:
    reset(srv)
    assert outcome in coverage(srv)["switches"]
    assert next_answers(srv, outcome).json() == {"next": [outcome], "session": None}
    assert coverage(srv)["next"] == [outcome]
    with contextlib.suppress(requests.ConnectionError, ValueError):  # (the faults)
        get(srv, {"year": 2025, "month": 10}).json()
    assert coverage(srv)["outcomes"][outcome] == 1
    assert coverage(srv)["next"] == []
    assert get(srv).status_code == 200  # one click, one answer


def test_outcomes_the_client_must_bring_have_no_switch_but_a_hint(srv: MockServerThread) -> None:
    doc = coverage(srv)
    for outcome in ("status:404", "status:408", "header:Api-Key", "data:leap-february",
                    "data:default-period"):
        assert outcome not in doc["switches"] and doc["hints"][outcome]
        resp = next_answers(srv, outcome)
        assert resp.status_code == 400 and "No switch" in resp.json()["error"]["system_message"]
    assert set(doc["switches"]) | set(doc["hints"]) >= set(doc["missing"])


def test_queued_answers_are_taken_once_each_in_order(srv: MockServerThread) -> None:
    reset(srv)
    for outcome in ("status:500", "status:403", "status:500"):
        next_answers(srv, outcome).raise_for_status()
    assert [get(srv).status_code for _ in range(4)] == [500, 403, 500, 200]
    next_answers(srv, "status:401").raise_for_status()
    reset(srv)  # a reset drops what waits
    assert coverage(srv)["next"] == [] and get(srv).status_code == 200


def test_a_bad_next_body_is_a_400(srv: MockServerThread) -> None:
    for body in (b"nope", b"[]", b'{"outcome": 5}'):
        resp = requests.post(srv.origin + "/__mock/coverage/next", data=body, timeout=10,
                             headers={"Content-Type": "application/json"})
        assert resp.status_code == 400, body


def in_session(srv: MockServerThread, session: str, **kwargs: object) -> requests.Response:
    return get(srv, X_Mock_Session=session, **kwargs)  # type: ignore[arg-type]


def test_counts_are_kept_per_session(srv: MockServerThread) -> None:
    reset(srv)
    for name in ("cov-a", "cov-b"):
        requests.post(srv.origin + "/__mock/reset", params={"session": name},
                      timeout=10).raise_for_status()
    in_session(srv, "cov-a", key=None)  # a 401 in session a
    in_session(srv, "cov-b")  # a plain 200 in session b
    in_session(srv, "cov-b", params={"year": 2024, "month": 2})
    get(srv, Prefer="code=500")  # without a session
    met = lambda **q: {k: v for k, v in coverage(srv, **q)["outcomes"].items() if v}  # noqa: E731
    assert met(session="cov-a") == {"status:401": 1}
    assert met(session="cov-b") == {"status:200": 2, "data:current-month": 1,
                                    "data:leap-february": 1}
    assert met() == {"status:500": 1}
    assert met(session="*") == {"status:200": 2, "status:401": 1, "status:500": 1,
                                "data:current-month": 1, "data:leap-february": 1}
    # a reset clears its own scope's counts only
    requests.post(srv.origin + "/__mock/reset", params={"session": "cov-b"},
                  timeout=10).raise_for_status()
    assert met(session="cov-b") == {} and met(session="cov-a") == {"status:401": 1}
    reset(srv)
    assert met() == {} and met(session="cov-a") == {"status:401": 1}


def test_one_click_answers_the_next_request_of_its_session_only(srv: MockServerThread) -> None:
    reset(srv)
    resp = requests.post(srv.origin + "/__mock/coverage/next", timeout=10,
                         json={"outcome": "status:403", "session": "cov-c"})
    assert resp.json() == {"next": ["status:403"], "session": "cov-c"}
    assert coverage(srv, session="cov-c")["next"] == ["status:403"]
    assert get(srv).status_code == 200  # no session: not this one's
    assert in_session(srv, "cov-d").status_code == 200  # another session: neither
    assert in_session(srv, "cov-c").status_code == 403
    assert in_session(srv, "cov-c").status_code == 200
    assert coverage(srv, session="cov-c")["outcomes"]["status:403"] == 1


def test_an_ended_sessions_counts_stay_in_the_total_only(srv: MockServerThread) -> None:
    reset(srv)
    total = lambda: coverage(srv, session="*")["outcomes"]["status:401"]  # noqa: E731
    before = total()  # (other tests' sessions may hold some)
    in_session(srv, "cov-e", key=None)
    assert coverage(srv, session="cov-e")["outcomes"]["status:401"] == 1
    requests.delete(srv.origin + "/__mock/sessions/cov-e", timeout=10).raise_for_status()
    assert coverage(srv, session="cov-e")["covered"] == 0  # nothing kept under its name
    assert total() == before + 1  # still in the total
    stored = srv.call(srv.parts.qa.runtime.outcomes())
    assert not [s for s, _ in stored if s == "cov-e"]
    reset(srv)  # a reset without a session clears the ended sessions' counts too
    assert total() == before
