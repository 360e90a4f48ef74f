"""Auth order, parameter rules, and the envelope of every documented error."""

from __future__ import annotations

import pytest

from conftest import KEY_XYZ, Client


def error_of(resp, status: int, code: str, kind: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/json"
    err = resp.json()["error"]
    assert resp.json()["success"] is False
    assert (err["code"], err["type"], err["status"]) == (code, kind, status)
    assert err["trace_id"] == resp.headers["X-Request-ID"]
    return err


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": ""}, {"Api-Key": ""}])
def test_missing_or_empty_key_is_401(client: Client, headers: dict) -> None:
    err = error_of(client.summary(key=None, headers=headers), 401, "AUTHENTICATION_REQUIRED",
                   "client_error")
    assert err["system_message"] == "No API key provided"


def test_unknown_key_is_401_and_not_echoed(client: Client) -> None:
    resp = client.summary(key="sk-live-supersecret-999")
    err = error_of(resp, 401, "AUTHENTICATION_REQUIRED", "client_error")
    assert err["system_message"] == "Invalid API key"
    assert "supersecret" not in resp.text
    assert not any("supersecret" in v for v in resp.headers.values())


@pytest.mark.parametrize("org", ["org_xyz789", "org_does_not_exist"])
def test_foreign_or_nonexistent_org_is_403(client: Client, org: str) -> None:
    err = error_of(client.summary(org), 403, "ORGANIZATION_ACCESS_DENIED", "authorization_error")
    assert err["system_message"] == "API key doesn't belong to organization"


def test_auth_runs_before_parameter_validation(client: Client) -> None:
    bad = {"month": "13"}
    error_of(client.summary(key=None, params=bad), 401, "AUTHENTICATION_REQUIRED", "client_error")
    error_of(client.summary(key="nope", params=bad), 401, "AUTHENTICATION_REQUIRED",
             "client_error")
    error_of(client.summary("org_xyz789", params=bad), 403, "ORGANIZATION_ACCESS_DENIED",
             "authorization_error")
    error_of(client.summary(params=bad), 400, "INVALID_REQUEST", "validation_error")


def test_both_key_headers_must_agree(client: Client) -> None:
    same = client.summary("org_xyz789", key=KEY_XYZ, headers={"Api-Key": KEY_XYZ})
    assert same.status_code == 200
    for other in ("mock-key-abc123", "garbage"):
        resp = client.summary("org_xyz789", key=KEY_XYZ, headers={"Api-Key": other})
        err = error_of(resp, 401, "AUTHENTICATION_REQUIRED", "client_error")
        assert err["system_message"] == "Conflicting API keys in X-API-Key and Api-Key"


BAD = [
    ("year", "2019", "an integer from 2020 to 2030"),
    ("year", "2031", "an integer from 2020 to 2030"),
    ("month", "0", "an integer from 1 to 12"),
    ("month", "13", "an integer from 1 to 12"),
    ("month", "abc", "an integer from 1 to 12"),
    ("month", "1.5", "an integer from 1 to 12"),
    ("month", "", "an integer from 1 to 12"),
    ("year", "20x5", "an integer from 2020 to 2030"),
    ("year", "-2025", "an integer from 2020 to 2030"),
    ("month", "+7", "an integer from 1 to 12"),
    ("month", "7.0", "an integer from 1 to 12"),
    ("month", "١٢", "an integer from 1 to 12"),
    ("month", " 7", "an integer from 1 to 12"),
    ("year", "99999999999999999999", "an integer from 2020 to 2030"),
]


@pytest.mark.parametrize(("name", "value", "rule"), BAD)
def test_bad_parameter_is_400_naming_it(client: Client, name: str, value: str, rule: str) -> None:
    err = error_of(client.summary(params={name: value}), 400, "INVALID_REQUEST",
                   "validation_error")
    assert err["message"] == "Invalid query parameters"
    assert err["system_message"].startswith(f"{name} must be {rule}")


def test_repeated_parameter_is_400(client: Client) -> None:
    err = error_of(client.summary(params=[("month", "3"), ("month", "4")]), 400,
                   "INVALID_REQUEST", "validation_error")
    assert "month must be given at most once" in err["system_message"]


def test_leading_zero_is_accepted(client: Client) -> None:
    assert client.summary(params={"year": "2025", "month": "07"}).json()["month"] == 7


def test_unknown_query_parameters_are_ignored(client: Client) -> None:
    assert client.summary(params={"year": 2025, "month": 11, "foo": "bar"}).status_code == 200


def test_trace_ids_are_fresh(client: Client) -> None:
    ids = {client.summary(key=None).json()["error"]["trace_id"] for _ in range(3)}
    assert len(ids) == 3


def test_the_query_memo_keeps_only_complete_valid_queries() -> None:
    """QueryParser remembers a raw query string's values (never ones defaulted from the
    clock: they would go stale) and its failure (raised afresh each time)."""
    from yarl import URL

    from api_contract.contract import load_contract
    from api_contract.resources import default_spec_path
    from mock_server.foundation.clock import Clock, parse_instant
    from mock_server.foundation.errors import ApiError
    from mock_server.stages.params import QueryParser

    parser = QueryParser(load_contract(default_spec_path()).query_params, size=2)
    then, later = Clock(parse_instant("2025-11-20T00:00:00Z")), Clock(
        parse_instant("2026-02-01T00:00:00Z"))
    assert parser.parse(URL("/x?month=3"), then) == {"year": 2025, "month": 3}
    assert parser.parse(URL("/x?month=3"), later) == {"year": 2026, "month": 3}
    assert parser.parse(URL("/x?year=2024&month=07"), then) == {"year": 2024, "month": 7}
    assert parser.parse(URL("/x?year=2024&month=07"), later) == {"year": 2024, "month": 7}
    failures = []
    for _ in range(2):
        with pytest.raises(ApiError) as caught:
            parser.parse(URL("/x?year=2024&month=13"), then)
        failures.append(caught.value)
    assert failures[0] is not failures[1]  # a remembered failure is raised afresh
    assert str(failures[0]) == str(failures[1]) == (
        "400 month must be an integer from 1 to 12 (got 13)")
    for month in (1, 2, 3):  # bounded: the oldest entry goes
        parser.parse(URL(f"/x?year=2024&month={month}"), then)
    assert len(parser._memo) == 2
