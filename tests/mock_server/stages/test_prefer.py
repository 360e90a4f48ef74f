"""Every documented error on demand: Prefer code=/example= and the __code query form."""

from __future__ import annotations

import pytest

from conftest import Client
from helpers import DOCUMENTED_ERRORS


@pytest.mark.parametrize("status", sorted(DOCUMENTED_ERRORS))
def test_prefer_code_returns_the_documented_error(client: Client, status: int) -> None:
    resp = client.summary(headers={"Prefer": f"code={status}"})
    assert resp.status_code == status
    example = client.contract.example_for(status).value["error"]
    err = resp.json()["error"]
    for field in ("code", "message", "system_message", "type", "status"):
        assert err[field] == example[field]
    assert err["trace_id"] != example["trace_id"]
    assert err["trace_id"] == resp.headers["X-Request-ID"]
    assert err["timestamp"] == "2025-11-20T12:34:56Z"
    assert resp.headers["Preference-Applied"] == f"code={status}"


@pytest.mark.parametrize("status", sorted(DOCUMENTED_ERRORS))
def test_query_code_does_the_same(client: Client, status: int) -> None:
    resp = client.summary(params={"__code": status})
    assert resp.status_code == status
    assert resp.json()["error"]["code"] == DOCUMENTED_ERRORS[status][0]
    assert resp.headers["Preference-Applied"] == f"code={status}"


def test_prefer_example_by_name(client: Client) -> None:
    resp = client.summary(headers={"Prefer": "example=organization-access-denied"})
    assert resp.status_code == 403
    assert resp.headers["Preference-Applied"] == "example=organization-access-denied"
    resp = client.summary(params={"year": 2024, "month": 2},
                          headers={"Prefer": 'code=200, example="no-usage"'})
    assert resp.status_code == 200
    assert resp.json() == client.contract.examples["no-usage"].value
    assert resp.headers["Preference-Applied"] == "code=200, example=no-usage"


def test_prefer_code_200_is_the_normal_answer(client: Client) -> None:
    resp = client.summary(params={"year": 2025, "month": 11}, headers={"Prefer": "code=200"})
    assert resp.status_code == 200 and resp.json()["totalApiKeyRequests"] == 25000


@pytest.mark.parametrize("prefer", ["code=418", "code=abc", "example=nope",
                                    "code=401, example=documented"])
def test_bad_preference_is_a_clear_400(client: Client, prefer: str) -> None:
    resp = client.summary(headers={"Prefer": prefer})
    assert resp.status_code == 400
    assert "Prefer" in resp.json()["error"]["system_message"]
    assert "Preference-Applied" not in resp.headers


def test_unknown_preferences_are_ignored(client: Client) -> None:
    resp = client.summary(params={"year": 2025, "month": 11},
                          headers={"Prefer": "respond-async, wait=5"})
    assert resp.status_code == 200 and "Preference-Applied" not in resp.headers


def test_preferences_apply_after_authentication(client: Client) -> None:
    resp = client.summary(key=None, headers={"Prefer": "code=500"})
    assert resp.status_code == 401
    assert "Preference-Applied" not in resp.headers
