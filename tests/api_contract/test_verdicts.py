"""The registry of exchange checks on hand-made exchanges: each rule fires on the exchange
that breaks it and on no other, a case check waits for the fact it needs, and the kit's
single-exchange checks are the registry's, by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from api_contract.contract import load_contract
from api_contract.exchange import Observed, Reply
from api_contract.resources import default_spec_path
from api_contract.verdicts import REGISTRY, REQUEST, verify
from contract_tests.checks import all_checks

CONTRACT = load_contract(default_spec_path())
KEY = "mock-key-abc123"
GOOD = CONTRACT.examples["documented"].value
NOW = datetime(2025, 11, 20, 12, tzinfo=UTC)
# The kit's checks that look across a whole run, not at one exchange (see docs/architecture.md):
# Schemathesis, the month sweep (each month's rules are the registry's), trace ids across
# answers, crafted look-alike org ids (live, any other org is foreign_org_403's).
KIT_ONLY = {"schemathesis_conformance", "reaches_2xx", "every_month_answers",
            "trace_id_unique", "near_miss_org_ids_403", "near_miss_keys_401",
            "hostile_encodings_handled", "repeated_parameters_handled", "other_methods_405"}


def reply(status: int, doc: object, content_type: str = "application/json") -> Reply:
    return Reply(status, {"content-type": content_type}, json.dumps(doc).encode())


def observed(status: int = 200, doc: object = GOOD, *, org: str = "org_abc123",
             query: str = "year=2025&month=11", key: str | None = KEY,
             header: str = "X-API-Key", **facts: object) -> Observed:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    headers = [] if key is None else [(header, key)]
    return Observed(org, pairs, headers, reply(status, doc), **facts)  # type: ignore[arg-type]


def names(o: Observed) -> set[str]:
    return {v.check for v in verify(CONTRACT, o)}


def envelope(http: int, **override: object) -> dict[str, object]:
    tpl = CONTRACT.errors[http]
    err = {"code": tpl.code, "message": tpl.message, "system_message": "x", "type": tpl.type,
           "status": http, "trace_id": "t-1", "timestamp": "2025-11-20T12:00:00Z"}
    return {"success": False, "error": {**err, **override}}


def test_the_kits_single_exchange_checks_are_the_registrys() -> None:
    """A kit check that judges one exchange is a registry check of the same name (so the
    proxy applies it live); one that looks across a run is listed in KIT_ONLY."""
    assert {c.name for c in all_checks()} - KIT_ONLY <= set(REGISTRY)


def test_a_good_exchange_breaks_nothing() -> None:
    assert names(observed(key_org="org_abc123", sent_between=(NOW, NOW))) == set()
    assert names(observed(403, envelope(403), org="org_xyz789", key_org="org_abc123")) == set()


@pytest.mark.parametrize(("o", "expected"), [
    (observed(query="year=2025&month=13"), {"request_parameters", "out_of_range_400"}),
    (observed(400, envelope(400), query="month=1.5"), {"request_parameters"}),
    (observed(401, envelope(401), key=None), {"request_api_key"}),
    (observed(403, envelope(403), key=None), {"request_api_key", "missing_key_401"}),
    (observed(doc={**GOOD, "month": 10}), {"echoes_request"}),
    (observed(doc={**GOOD, "averageCostPerRequest": 0.5}), {"average_cost"}),
    # JSON Schema takes 25000.0 for an integer; the contract's wire form does not
    (observed(doc={**GOOD, "totalApiKeyRequests": 25000.0}), {"counts_and_signs"}),
    # Python writes and reads NaN; JSON has no such number (and no comparison catches it)
    (observed(doc={**GOOD, "averageCostPerRequest": float("nan")}), {"json_numbers_only"}),
    (observed(doc={k: v for k, v in GOOD.items() if k != "generatedAt"}),
     {"summary_fields", "response_schema"}),
    (observed(400, envelope(400, status=401)), {"error_status_matches"}),
    (observed(400, envelope(400, code="BAD")), {"documented_error_code"}),
    (observed(401, envelope(401, code="INVALID_KEY")), set()),  # a key was sent: any code
    (observed(302, {}), {"documented_status"}),
    (observed(500, envelope(500)), {"not_a_server_error"}),
    (observed(200, GOOD, org="org_xyz789", key_org="org_abc123"),
     {"no_cross_tenant_read", "foreign_org_403", "echoes_request"}),
    (observed(401, envelope(401), header="Api-Key", key_org="org_abc123"),
     {"alias_key_header"}),
    (observed(401, envelope(401), header="x-api-key", key_org="org_abc123"),
     {"key_headers_any_case"}),
    (observed(doc={**GOOD, "generatedAt": "2025-10-01T00:00:00Z"}, sent_between=(NOW, NOW)),
     {"generated_at_in_period"}),
    (observed(400, envelope(400, timestamp="2025-11-15T10:30:00Z"), sent_between=(NOW, NOW)),
     {"error_timestamp_now"}),
    (observed(401, envelope(401, system_message=f"Invalid API key {KEY}")),
     {"key_never_echoed"}),
    (observed(403, envelope(403), key="unknown-key-0042", key_valid=False),
     {"unknown_key_401"}),
], ids=lambda v: "" if isinstance(v, set) else None)
def test_each_rule_fires_on_the_exchange_that_breaks_it(o: Observed, expected: set[str]) -> None:
    assert names(o) == expected


def test_a_case_check_waits_for_its_fact() -> None:
    leak = observed(200, GOOD, org="org_xyz789")  # nobody said whose key it is
    assert "no_cross_tenant_read" not in names(leak)
    default = observed(doc={**GOOD, "month": 10}, query="")
    assert "defaults_current_month" not in names(default)  # no clock readings
    default.sent_between = (NOW, NOW)
    assert "defaults_current_month" in names(default)


def test_no_answer_is_one_violation_and_request_checks_come_first() -> None:
    o = Observed("org_abc123", [("month", "13")], [], None, "no complete answer")
    found = verify(CONTRACT, o)
    assert [v.check for v in found] == ["request_parameters", "request_api_key",
                                        "complete_answer"]
    assert [v.side for v in found][:2] == [REQUEST, REQUEST]
    assert found[2].got == "no complete answer"


def test_a_remembered_schema_verdict_is_the_verdict() -> None:
    bad = observed(doc={**GOOD, "totalNeurons": -1.0})
    again = observed(doc={**GOOD, "totalNeurons": -1.0})
    assert names(bad) == names(again) == {"counts_and_signs", "response_schema"}
    assert "response_schema" not in names(observed())


@pytest.mark.parametrize("query", ["year=2025&month=13", "year=abc&month=1"])
def test_a_rate_limits_429_may_come_before_a_bad_parameter(query: str) -> None:
    """The rate limit is judged before the parameters: a 429 to the key's own org with a
    bad month is a documented first answer. d7d8f84 wanted the 400 (the kit's and --strict's
    false positive); a 429 without its documented code is still wrong."""
    limited = observed(429, {"success": False, "error": {
        **envelope(400)["error"], "code": CONTRACT.errors[429].code,  # type: ignore[dict-item]
        "type": CONTRACT.errors[429].type, "status": 429}}, query=query, key_org="org_abc123")
    assert names(limited) == {"request_parameters"}
    wrong = observed(429, envelope(400, status=429), query=query, key_org="org_abc123")
    assert {"out_of_range_400", "non_integer_400"} & names(wrong)
    assert names(observed(200, GOOD, query=query, key_org="org_abc123")) - {
        "request_parameters", "echoes_request"} in ({"out_of_range_400"}, {"non_integer_400"})
