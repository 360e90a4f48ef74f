"""The key is judged first: whatever else is wrong with a request (a bad preference,
``__code``, bad parameters, a body), a missing, unknown, conflicting or foreign key gets the
auth answer, as on the real server."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from conftest import KEY_XYZ, Client
from helpers import raw_get

SUMMARY_PATH = "/v1/analytics/api-keys/summary/org_abc123"

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
    # More digits than int() reads (4,300): a 500 and a traceback before the key was judged
    # on d7d8f84.
    "prefer-code-huge": ({"Prefer": "code=" + "4" * 5000}, {}),
    "prefer-delay-huge": ({"Prefer": "delay=" + "1" * 5000}, {}),
    "query-code-huge": ({}, {"__code": "5" * 5000}),
    "query-delay-huge": ({}, {"__delay": "1" * 5000}),
}
HUGE = [s for s in STEERS if s.endswith("-huge")]
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


@pytest.mark.parametrize("steer", HUGE)
def test_a_huge_number_is_a_400_once_the_key_passed(client: Client, steer: str) -> None:
    """d7d8f84 answered 500 (int() refuses more than 4,300 digits) with a traceback."""
    steer_headers, steer_query = STEERS[steer]
    resp = client.summary(headers=steer_headers, params={**steer_query, "month": 11})
    assert resp.status_code == 400, resp.text
    message = resp.json()["error"]["system_message"]
    assert "Prefer" in message and len(message) < 200


@pytest.mark.parametrize(("first", "second"), [("mock-key-abc123", "bogus-key-000000"),
                                               ("bogus-key-000000", "mock-key-abc123"),
                                               ("mock-key-abc123", KEY_XYZ)])
@pytest.mark.parametrize("header", ["X-API-Key", "Api-Key"])
def test_one_key_header_sent_twice_with_different_keys_is_refused(
        client: Client, header: str, first: str, second: str) -> None:
    """d7d8f84 read the first: valid then bogus was a 200, the reverse a 401."""
    status, _, body = raw_get(client.server.origin, SUMMARY_PATH + "?year=2025&month=11",
                              [(header, first), (header, second)])
    assert status == 401
    assert json.loads(body)["error"]["system_message"] == KEYS["conflicting"][2]


def test_the_same_key_sent_twice_is_one_key(client: Client) -> None:
    status, _, _ = raw_get(client.server.origin, SUMMARY_PATH + "?year=2025&month=11",
                           [("X-API-Key", "mock-key-abc123"), ("x-api-key", "mock-key-abc123"),
                            ("Api-Key", " mock-key-abc123 ")])
    assert status == 200
