"""The oracle (tests/oracle.py) driven over the combinations where d7d8f84's defects hid,
on every backend: rate limits with bad parameters, Prefer/__code/__delay with and without
keys (huge numbers too), repeated key headers. The oracle judges each answer; this module
only sends them and checks that the combinations were reached."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from mock_server.config import QaConfig

import oracle
from conftest import FROZEN_NOW, KEY_ABC, KEY_XYZ, SUMMARY, start
from helpers import raw_get, running
from redis_server import RedisServer

KEYS = {"none": {}, "own": {"X-API-Key": KEY_ABC}, "foreign": {"X-API-Key": KEY_XYZ},
        "unknown": {"X-API-Key": "sk-unknown-key-0042"}, "alias": {"Api-Key": KEY_ABC}}
STEERS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "plain": ({}, {}),
    "prefer-500": ({"Prefer": "code=500"}, {}),
    "query-500": ({}, {"__code": "500"}),
    "query-delay": ({}, {"__delay": "0"}),
    "prefer-example": ({"Prefer": "example=no-usage"}, {}),
    "prefer-huge-code": ({"Prefer": "code=" + "9" * 5000}, {}),
    "query-huge-code": ({}, {"__code": "4" * 5000}),
    "prefer-huge-delay": ({"Prefer": "delay=" + "1" * 5000}, {}),
}
PARAMS = {"good": {"year": "2025", "month": "11"}, "month-13": {"month": "13"},
          "year-abc": {"year": "abc"}, "omitted": {}}
LIMIT = "4/min"


@contextmanager
def backend(name: str) -> Iterator[str]:
    """The API's base URL of a mock with --rate-limit on the backend ``name``."""
    if name == "memory":
        server = start(qa=QaConfig(rate_limit=LIMIT))
        try:
            yield server.base_url
        finally:
            server.stop()
    elif name == "workers":
        with running("--workers", "2", "--rate-limit", LIMIT, "--now", FROZEN_NOW) as (_, url):
            yield url
    else:
        redis = RedisServer().start()
        try:
            with running("--state", redis.url, "--rate-limit", LIMIT,
                         "--now", FROZEN_NOW) as (_, url):
                yield url
        finally:
            redis.close()


@pytest.mark.parametrize("name", ["memory", "workers", "redis"])
def test_every_combination_keeps_the_contract(name: str) -> None:
    before = oracle.judged[0]
    statuses: set[int] = set()
    sent = 0
    with backend(name) as base, requests.Session() as session:
        for key, steer, params in itertools.product(KEYS, STEERS, PARAMS):
            headers, query = STEERS[steer]
            resp = session.get(base + SUMMARY + "org_abc123", params={**PARAMS[params], **query},
                               headers={**KEYS[key], **headers}, timeout=30)
            statuses.add(resp.status_code)
            sent += 1
        origin = base.removesuffix("/v1")
        target = "/v1" + SUMMARY + "org_abc123?year=2025&month=11"
        for pair in ((KEY_ABC, "bogus-key-000000"), ("bogus-key-000000", KEY_ABC),
                     (KEY_ABC, KEY_XYZ), (KEY_ABC, KEY_ABC)):
            for header in ("X-API-Key", "Api-Key"):
                status, _, _ = raw_get(origin, target, [(header, v) for v in pair])
                statuses.add(status)
                sent += 1
    assert oracle.judged[0] - before == sent  # every answer was judged (and kept the contract)
    assert {400, 401, 403, 429} <= statuses, statuses
