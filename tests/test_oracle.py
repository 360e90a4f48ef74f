"""The oracle (tests/oracle.py) can fail: a server that answers as the mock would not, seen as
a mock, fails the test that asked; what a request asked for is judged as asked; and every
kind of mock the suite starts is judged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from aiohttp import web

from mock_server.config import MockConfig
from mock_server.foundation.clock import parse_instant
from mock_server.testing import AppThread

import oracle
from conftest import FROZEN_NOW, KEY_ABC, SUMMARY, Client
from helpers import raw_get, running

CONTRACT = oracle.load_contract(MockConfig().spec_path)
ROUTE = "/v1" + SUMMARY + "org_abc123"
Answer = Callable[[web.Request], tuple[int, Any]]


def envelope(status: int) -> dict[str, Any]:
    tpl = CONTRACT.errors.get(status) or CONTRACT.mock_errors[status]
    return {"success": False, "error": {
        "code": tpl.code, "message": tpl.message, "system_message": "x", "type": tpl.type,
        "status": status, "trace_id": "t-1", "timestamp": FROZEN_NOW}}


def summary(**change: Any) -> dict[str, Any]:
    doc = {**CONTRACT.examples["documented"].value, "year": 2025, "month": 11,
           "generatedAt": "2025-11-20T12:00:00Z", **change}
    return doc


@contextmanager
def impostor(answer: Answer) -> Iterator[str]:
    """A server on the route that answers ``answer(request)``, known to the oracle as a
    mock with the bundled fixtures and the suite's frozen clock."""

    async def handle(request: web.Request) -> web.Response:
        status, doc = answer(request)
        return web.json_response(doc, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    with AppThread(app) as server:
        oracle.register_config(server.port, MockConfig(port=0, now=parse_instant(FROZEN_NOW)))
        try:
            yield server.origin
        finally:
            oracle.forget(server.port)


WRONG: dict[str, tuple[Answer, dict[str, str], str]] = {
    "200 without a key": (lambda r: (200, summary()), {}, "missing_key_401"),
    "500 nobody asked for": (lambda r: (500, envelope(500)), {"X-API-Key": KEY_ABC},
                             "not_a_server_error"),
    "another month": (lambda r: (200, summary(month=10)), {"X-API-Key": KEY_ABC},
                      "echoes_request"),
    "the key echoed": (lambda r: (401, {**envelope(401), "hint": KEY_ABC}),
                       {"X-API-Key": KEY_ABC}, "key_never_echoed"),
    "a 404 on the route": (lambda r: (404, envelope(404)), {"X-API-Key": KEY_ABC},
                           "mock_only_row"),
    "403 to its own org": (lambda r: (403, envelope(403)), {"X-API-Key": KEY_ABC},
                           "explained_status"),
    "401 when 500 was asked": (lambda r: (401, envelope(401)),
                               {"Prefer": "code=500", "X-API-Key": KEY_ABC},
                               "explained_status"),
    "another example than asked": (lambda r: (200, summary()),
                                   {"Prefer": "example=no-usage", "X-API-Key": KEY_ABC},
                                   "asked_example"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_a_wrong_answer_fails_the_test_that_got_it(case: str) -> None:
    answer, headers, check = WRONG[case]
    with impostor(answer) as origin, pytest.raises(oracle.OracleFailure) as failed:
        requests.get(origin + ROUTE, params={"year": 2025, "month": 11}, headers=headers,
                     timeout=10)
    assert check in str(failed.value)


def test_conflicting_keys_answered_200_fail() -> None:
    with impostor(lambda r: (200, summary())) as origin, \
            pytest.raises(oracle.OracleFailure, match="conflicting_keys_refused"):
        raw_get(origin, ROUTE + "?year=2025&month=11",
                [("X-API-Key", KEY_ABC), ("X-API-Key", "bogus-key-000000")])


def test_what_was_asked_for_is_judged_as_asked() -> None:
    """A 500 asked for is the answer wanted; the same 500 unasked is a failure (above)."""
    with impostor(lambda r: (500, envelope(500))) as origin:
        for asked in ({"Prefer": "code=500"}, {}):
            params = {"month": 11, **({} if asked else {"__code": 500})}
            resp = requests.get(origin + ROUTE, params=params,
                                headers={"X-API-Key": KEY_ABC, **asked}, timeout=10)
            assert resp.status_code == 500


def test_every_answer_of_the_client_fixture_is_judged(client: Client) -> None:
    before = oracle.judged[0]
    client.summary(key=None)
    client.summary(params={"month": 13})
    client.request("DELETE", SUMMARY + "org_abc123")
    assert oracle.judged[0] == before + 3


def test_a_subprocess_mocks_answers_are_judged() -> None:
    before = oracle.judged[0]
    with running("--now", FROZEN_NOW, "--rate-limit", "2/min") as (_, base):
        for _ in range(3):
            requests.get(base + SUMMARY + "org_abc123", params={"month": 13},
                         headers={"X-API-Key": KEY_ABC}, timeout=10)
    assert oracle.judged[0] == before + 3
