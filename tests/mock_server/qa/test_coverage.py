"""Coverage of the contract's outcomes (issue 27): each outcome driven by real requests to a
mock on a loopback port, and counted once per request in ``GET /__mock/coverage``."""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable, Iterator

import pytest
import requests

from api_contract.contract import compile_contract, load_contract
from api_contract.resources import default_spec_path
from mock_server.config import QaConfig
from mock_server.qa.coverage import EVERY
from mock_server.qa.outcomes import MEANING, catalogue, requests_field
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, KEY_XYZ, SUMMARY, start
from helpers import eventually

FAULTS_FILE = """
name: faults
description: one fault per X-Fault header
rules:
  - match: {header: {X-Fault: reset}}
    fault: reset
  - match: {header: {X-Fault: empty}}
    fault: empty
  - match: {header: {X-Fault: malformed}}
    fault: malformed
  - match: {header: {X-Fault: stall}}
    fault: {type: stall, stall_ms: 50}
"""
NOV = {"year": 2025, "month": 11}  # the frozen clock's month (conftest: 2025-11-20)


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


def url(srv: MockServerThread, org: str = "org_abc123") -> str:
    return srv.base_url + SUMMARY + org


def get(srv: MockServerThread, params: object = None, key: str | None = KEY_ABC,
        org: str = "org_abc123", **headers: str) -> requests.Response:
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if key is not None:
        h.setdefault("X-API-Key", key)
    with requests.Session() as s:
        return s.get(url(srv, org), params=params or NOV, headers=h, timeout=10)


def raw(srv: MockServerThread, data: bytes) -> bytes:
    """Send ``data`` on a connection of its own; what came back until the server closed."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(data)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
        return got


def faulted(srv: MockServerThread, kind: str) -> None:
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        ValueError)):
        get(srv, X_Fault=kind, Prefer="scenario=faults").json()


def at_capacity(srv: MockServerThread) -> None:
    """Three connections held open; the fourth gets the 503 of the connection cap."""
    held = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(3)]
    try:
        answer = raw(srv, b"GET /v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503"), answer[:60]
    finally:
        for sock in held:
            sock.close()


# outcome -> one request (or the few a scenario needs) that meets it exactly once
DRIVE: dict[str, Callable[[MockServerThread], object]] = {
    "status:200": lambda s: get(s),
    "status:400": lambda s: get(s, {"year": 2025, "month": 13}),
    "status:401": lambda s: get(s, key=None),
    "status:403": lambda s: get(s, org="org_xyz789"),
    "status:404": lambda s: requests.get(s.base_url + "/analytics/nope", timeout=10),
    "status:405": lambda s: requests.post(url(s), timeout=10),
    "status:408": lambda s: raw(s, b"GET /v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
    "status:414": lambda s: raw(s, b"GET /v1/" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"),
    "status:421": lambda s: get(s, Host="evil.example"),
    "status:429": lambda s: get(s, Prefer="code=429"),
    "status:431": lambda s: raw(s, b"GET /v1/ HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"),
    "status:500": lambda s: get(s, Prefer="code=500"),
    "status:503": at_capacity,
    "fault:reset": lambda s: faulted(s, "reset"),
    "fault:empty": lambda s: faulted(s, "empty"),
    "fault:malformed": lambda s: faulted(s, "malformed"),
    "fault:stall": lambda s: faulted(s, "stall"),
    "scenario:documented-errors": lambda s: get(s, Prefer="scenario=documented-errors"),
    "scenario:empty-org": lambda s: get(s, Prefer="scenario=empty-org"),
    "scenario:enterprise-org": lambda s: get(s, Prefer="scenario=enterprise-org"),
    "scenario:flaky": lambda s: [get(s, Prefer="scenario=flaky") for _ in range(3)],
    "scenario:new-org": lambda s: get(s, Prefer="scenario=new-org"),
    "scenario:rate-limited": lambda s: get(s, Prefer="scenario=rate-limited"),
    "scenario:slow": lambda s: get(s, Prefer="scenario=slow, delay=0"),
    "scenario:faults": lambda s: faulted(s, "reset"),
    "header:Api-Key": lambda s: get(s, key=None, Api_Key=KEY_ABC),
    "data:no-usage": lambda s: get(s, {"year": 2030, "month": 12}),  # none yet
    "data:current-month": lambda s: get(s),
    "data:future-month": lambda s: get(s, {"year": 2026, "month": 1}),
    "data:default-period": lambda s: get(s, {"year": 2025}),
    "data:leap-february": lambda s: get(s, {"year": 2024, "month": 2}),
    "data:enterprise-scale": lambda s: get(s, {"year": 2025, "month": 10},
                                          Prefer="scenario=enterprise-org"),
}


def coverage(srv: MockServerThread, **params: str) -> dict:
    def read() -> requests.Response | None:  # (503 while closed connections are counted)
        resp = requests.get(srv.origin + "/__mock/coverage", params=params, timeout=10)
        return resp if resp.status_code != 503 else None

    resp = eventually(read, what="a connection under the cap")
    assert resp.status_code == 200, resp.text
    return resp.json()


def reset(srv: MockServerThread) -> None:
    eventually(lambda: requests.post(srv.origin + "/__mock/reset", timeout=10).ok,
               what="reset")


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


def test_the_requests_field_comes_from_the_spec() -> None:
    contract = load_contract(default_spec_path())
    assert requests_field(contract) == "totalApiKeyRequests"
    raw = copy.deepcopy(dict(contract.raw))  # renamed, with its meaning declared
    props = raw["components"]["schemas"]["ApiKeyUsageSummary"]["properties"]
    props["request_count"] = {**props.pop("totalApiKeyRequests"), MEANING: "requests"}
    props["retries"] = {"type": "integer"}  # a second integer: the meaning decides
    assert requests_field(compile_contract(raw, validate=False)) == "request_count"
