"""The built-in scenarios, switched on globally, per organization or per request."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest
import requests

from mock_server.config import QaConfig
from mock_server.qa.scenarios import Request, choose
from mock_server.runtime.memory import MemoryBackend
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, KEY_XYZ, Client, start
from helpers import DOCUMENTED_ERRORS

NOV = {"year": 2025, "month": 11}


@pytest.fixture(scope="module")
def qa_server() -> Iterator[MockServerThread]:
    srv = start(qa=QaConfig(admin=True))
    yield srv
    srv.stop()


@pytest.fixture
def qa(qa_server: MockServerThread) -> Iterator[Client]:
    qa_server.call(qa_server.parts.qa.runtime.reset())
    with requests.Session() as session:
        yield Client(qa_server, session)
    qa_server.call(qa_server.parts.qa.runtime.reset())


def activate(c: Client, name: str, org: str | None = None) -> None:
    resp = c.request("POST", f"/__mock/scenarios/{name}/activate",
                     base=c.server.origin, params={"org": org} if org else None)
    assert resp.status_code == 200, resp.text


def test_builtins_are_listed_with_a_description(qa: Client) -> None:
    listed = qa.request("GET", "/__mock/scenarios", base=qa.server.origin).json()["scenarios"]
    by_name = {s["name"]: s for s in listed}
    assert set(by_name) >= {"documented-errors", "slow", "flaky", "rate-limited", "empty-org",
                            "enterprise-org", "new-org"}
    assert all(s["description"] and not s["active"] for s in by_name.values())


def test_documented_errors_cycle_through_the_four(qa: Client) -> None:
    activate(qa, "documented-errors")
    statuses = [qa.summary(params=NOV).status_code for _ in range(8)]
    assert statuses == [400, 401, 403, 500] * 2
    resp = qa.summary(params=NOV)
    assert resp.json()["error"]["code"] == DOCUMENTED_ERRORS[400][0]
    assert resp.json()["error"]["system_message"] == "year and month are required"


def test_flaky_fails_every_third_request_with_the_documented_500(qa: Client) -> None:
    activate(qa, "flaky")
    answers = [qa.summary(params=NOV) for _ in range(6)]
    assert [r.status_code for r in answers] == [200, 200, 500, 200, 200, 500]
    assert answers[2].json()["error"]["code"] == "INTERNAL_ERROR"
    assert answers[0].json()["totalApiKeyRequests"] == 25000


def test_rate_limited_answers_429_with_retry_after(qa: Client) -> None:
    activate(qa, "rate-limited")
    resp = qa.summary(params=NOV)
    assert resp.status_code == 429
    err = resp.json()["error"]
    assert (err["code"], err["type"], err["status"]) == ("RATE_LIMIT_EXCEEDED",
                                                         "rate_limit_error", 429)
    # The frozen clock is 12:34:56, so the minute window resets in 4 s.
    assert resp.headers["Retry-After"] == "4"
    assert resp.headers["x-ratelimit-limit-requests"] == "100"
    assert resp.headers["x-ratelimit-remaining-requests"] == "0"
    assert resp.headers["x-ratelimit-reset-requests"] == "4s"


@pytest.mark.parametrize("month", [1, 6, 10, 11])
def test_empty_org_has_zero_usage_every_month(qa: Client, month: int) -> None:
    activate(qa, "empty-org")
    body = qa.summary(params={"year": 2025, "month": month}).json()
    assert body["month"] == month
    assert body["totalApiKeyRequests"] == 0
    assert body["totalApiKeyCost"] == body["averageCostPerRequest"] == 0.0
    assert body["totalNeurons"] == body["total_synapses"] == 0.0


@pytest.mark.parametrize(("org", "key"), [("org_abc123", KEY_ABC), ("org_xyz789", KEY_XYZ)])
def test_enterprise_org_has_huge_but_consistent_numbers(qa: Client, org: str, key: str) -> None:
    normal = qa.summary(org, key, params=NOV).json()
    activate(qa, "enterprise-org")
    big = qa.summary(org, key, params=NOV).json()  # schema-checked by the client
    assert big["totalApiKeyRequests"] == normal["totalApiKeyRequests"] * 100_000
    assert big["totalApiKeyRequests"] > 100_000_000
    assert big["totalApiKeyRequests"] < 2**53  # still exact in JavaScript
    assert big["averageCostPerRequest"] == pytest.approx(
        big["totalApiKeyCost"] / big["totalApiKeyRequests"], abs=5e-5)
    assert big["averageCostPerRequest"] == pytest.approx(normal["averageCostPerRequest"],
                                                         abs=1e-4)


def test_new_org_has_no_usage_before_its_creation(qa: Client) -> None:
    normal = qa.summary("org_xyz789", KEY_XYZ, params=NOV).json()
    activate(qa, "new-org")
    before = qa.summary("org_xyz789", KEY_XYZ, params={"year": 2025, "month": 10}).json()
    assert before["totalApiKeyRequests"] == 0 and before["totalApiKeyCost"] == 0.0
    now = qa.summary("org_xyz789", KEY_XYZ, params=NOV).json()
    # Created on the 15th, seen on the 20th at 12:00: 5.5 of 19.5 days of the month's usage.
    expected = round(normal["totalApiKeyRequests"] * 5.5 / 19.5)
    assert now["totalApiKeyRequests"] == expected > 0
    assert now["averageCostPerRequest"] == pytest.approx(
        now["totalApiKeyCost"] / now["totalApiKeyRequests"], abs=5e-5)


def test_slow_draws_its_delay_from_its_range(qa_server: MockServerThread) -> None:
    """The built-in's range, without waiting it out (the decision, not the sleep)."""
    catalog = qa_server.parts.qa.catalog
    req = Request("org_abc123", KEY_ABC, 2025, 11, {})  # type: ignore[arg-type]
    delays = {asyncio.run(choose(req, "slow", catalog, MemoryBackend(), random.Random(i)))
              .delay_ms for i in range(50)}
    assert min(delays) >= 800 and max(delays) <= 2500 and len(delays) > 10


def test_prefer_scenario_applies_to_one_request(qa: Client) -> None:
    resp = qa.summary(params=NOV, headers={"Prefer": "scenario=empty-org"})
    assert resp.json()["totalApiKeyRequests"] == 0
    assert resp.headers["Preference-Applied"] == "scenario=empty-org"
    assert qa.summary(params=NOV).json()["totalApiKeyRequests"] == 25000
    resp = qa.summary(params={**NOV, "__scenario": "rate-limited"})
    assert resp.status_code == 429 and resp.headers["Preference-Applied"] == "scenario=rate-limited"


def test_prefer_delay_and_scenario_combine_with_code(qa: Client) -> None:
    resp = qa.summary(params=NOV, headers={"Prefer": "code=403, scenario=slow, delay=1"})
    assert resp.status_code == 403
    assert resp.headers["Preference-Applied"] == "code=403, delay=1, scenario=slow"
    entry = qa.server.call(qa.server.parts.qa.journal.entries())[-1]  # type: ignore[union-attr]
    assert entry.applied["scenario"] == "slow" and entry.applied["delay_ms"] == 1
    # code= beats the scenario's own answer
    resp = qa.summary(params=NOV, headers={"Prefer": "scenario=rate-limited, code=200"})
    assert resp.status_code == 200


@pytest.mark.parametrize("prefer", ["delay=-1", "delay=60001", "delay=1.5", "scenario=nope"])
def test_bad_delay_or_scenario_preference_is_a_400(qa: Client, prefer: str) -> None:
    resp = qa.summary(params=NOV, headers={"Prefer": prefer})
    assert resp.status_code == 400
    assert prefer.split("=")[0] in resp.json()["error"]["system_message"]


def test_scenario_for_one_org_leaves_the_others_alone(qa: Client) -> None:
    activate(qa, "empty-org", org="org_xyz789")
    assert qa.summary("org_xyz789", KEY_XYZ, params=NOV).json()["totalApiKeyRequests"] == 0
    assert qa.summary(params=NOV).json()["totalApiKeyRequests"] == 25000


def test_scenarios_apply_only_to_valid_requests(qa: Client) -> None:
    activate(qa, "enterprise-org")
    assert qa.summary(key=None, params=NOV).status_code == 401
    assert qa.summary(params={"month": 13}).status_code == 400


def test_control_indexes_activations_by_org() -> None:
    """Activations are kept in a set and indexed by organization (issue 19): a request reads
    its own names and everyone's, and re-activating or removing one never walks the list."""
    from mock_server.runtime.control import Control

    c = Control()
    for i in range(1000):
        c = c.activated("slow", f"org_{i}")
    c = c.activated("flaky").activated("empty-org", "org_7")
    assert c.names_for("org_7") == ("slow", "empty-org", "flaky")
    assert c.names_for("org_x") == ("flaky",)
    assert c.activated("slow", "org_3") is c  # already active: the same Control
    assert c.deactivated("nothing", "org_3") is c
    smaller = c.deactivated("slow", "org_3")
    assert len(smaller.active) == len(c.active) - 1 and "slow" not in smaller.names_for("org_3")
