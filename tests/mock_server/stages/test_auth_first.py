"""The key is judged first: whatever else is wrong with a request (a bad preference,
``__code``, bad parameters, a body), a missing, unknown, conflicting or foreign key gets the
auth answer, as on the real server."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from conftest import KEY_XYZ, Client

KEYS: dict[str, tuple[dict[str, str], int, str]] = {
    "missing": ({}, 401, "No API key provided"),
    "unknown": ({"X-API-Key": "sk-not-a-known-key-0"}, 401, "Invalid API key"),
    "conflicting": ({"X-API-Key": "mock-key-abc123", "Api-Key": KEY_XYZ}, 401,
                    "Conflicting API keys in X-API-Key and Api-Key"),
    "foreign": ({"X-API-Key": KEY_XYZ}, 403, "API key doesn't belong to organization"),
}
STEERS: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "prefer-code-418": ({"Prefer": "code=418"}, {}),
    "prefer-code-abc": ({"Prefer": "code=abc"}, {}),
    "prefer-code-500": ({"Prefer": "code=500"}, {}),
    "prefer-example-nope": ({"Prefer": "example=nope"}, {}),
    "prefer-example-mismatch": ({"Prefer": "code=401, example=documented"}, {}),
    "prefer-delay-too-long": ({"Prefer": "delay=99999999"}, {}),
    "prefer-scenario-nope": ({"Prefer": "scenario=nope"}, {}),
    "query-code-418": ({}, {"__code": "418"}),
    "query-code-200": ({}, {"__code": "200"}),
    "query-example-nope": ({}, {"__example": "nope"}),
}
PARAMS: dict[str, dict[str, Any]] = {
    "good-params": {"year": 2025, "month": 11},
    "bad-month": {"year": 2025, "month": 13},
    "bad-year": {"year": "abc"},
}


@pytest.mark.parametrize(("key", "steer", "params"),
                         list(itertools.product(KEYS, STEERS, PARAMS)))
def test_the_auth_answer_wins(client: Client, key: str, steer: str, params: str) -> None:
    key_headers, status, message = KEYS[key]
    steer_headers, steer_query = STEERS[steer]
    resp = client.request("GET", "/analytics/api-keys/summary/org_abc123",
                          headers={**key_headers, **steer_headers},
                          params={**PARAMS[params], **steer_query})
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["system_message"] == message
    assert "Preference-Applied" not in resp.headers


@pytest.mark.parametrize("key", list(KEYS))
def test_the_auth_answer_wins_over_a_body_on_get(client: Client, key: str) -> None:
    key_headers, status, message = KEYS[key]
    resp = client.request("GET", "/analytics/api-keys/summary/org_abc123",
                          headers=key_headers, data=b"hello")
    assert resp.status_code == status
    assert resp.json()["error"]["system_message"] == message


def test_with_a_good_key_the_bad_preference_is_still_a_400(client: Client) -> None:
    resp = client.summary(headers={"Prefer": "code=418"}, params={"month": 13})
    assert resp.status_code == 400
    assert "Prefer" in resp.json()["error"]["system_message"]
