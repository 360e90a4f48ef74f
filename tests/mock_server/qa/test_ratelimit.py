"""--rate-limit: the vendor's per-organization limit, 429 in the envelope, headers always."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mock_server.config import QaConfig
from mock_server.stages.cors import EXPOSED
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, KEY_XYZ, Client, start

LIMIT_HEADERS = ("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                 "x-ratelimit-reset-requests")


@pytest.fixture
def limited() -> Iterator[Client]:
    srv: MockServerThread = start(qa=QaConfig(rate_limit="3/min"))
    with requests.Session() as session:
        yield Client(srv, session)
    srv.stop()


def test_limit_per_org_then_429_with_headers(limited: Client) -> None:
    answers = [limited.summary() for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining-requests"] for r in answers] == ["2", "1", "0", "0"]
    for resp in answers:
        assert resp.headers["x-ratelimit-limit-requests"] == "3"
        assert resp.headers["x-ratelimit-reset-requests"] == "4s"  # clock frozen at :56
    assert "Retry-After" not in answers[0].headers
    over = answers[3]
    assert over.headers["Retry-After"] == "4"
    err = over.json()["error"]
    assert (err["code"], err["type"], err["status"]) == ("RATE_LIMIT_EXCEEDED",
                                                         "rate_limit_error", 429)
    assert err["trace_id"] == over.headers["X-Request-ID"]
    # another organization has its own budget
    other = limited.summary("org_xyz789", KEY_XYZ)
    assert other.status_code == 200
    assert other.headers["x-ratelimit-remaining-requests"] == "2"


def test_headers_on_every_authorised_answer_of_the_route(limited: Client) -> None:
    for resp in (limited.summary(params={"month": 13}),
                 limited.summary(headers={"Prefer": "code=500"}),
                 limited.summary(headers={"Prefer": "code=abc"}), limited.summary()):
        assert resp.status_code in (200, 400, 500)
        for name in LIMIT_HEADERS:
            assert name in resp.headers, (resp.status_code, name)
    # the 400s and the 500 used up the org's budget (the bad preference only reads it)
    assert limited.summary().headers["x-ratelimit-remaining-requests"] == "0"


def test_an_unauthorised_answer_reveals_no_tenants_counter(limited: Client) -> None:
    """d7d8f84: after calls by org_abc123, a 403 for org_xyz789's key (or a 401) on
    org_abc123's path carried org_abc123's remaining budget."""
    for _ in range(2):
        assert limited.summary().status_code == 200
    for resp in (limited.summary(key=KEY_XYZ), limited.summary(key=None),
                 limited.summary(key="sk-not-a-known-key-0"),
                 limited.summary(key=KEY_XYZ, params={"month": 13}),
                 limited.summary("org_xyz789", key=KEY_ABC)):
        assert resp.status_code in (401, 403)
        assert not [n for n in resp.headers if n.lower().startswith("x-ratelimit")], \
            dict(resp.headers)
    # and they used nothing up
    assert limited.summary().headers["x-ratelimit-remaining-requests"] == "0"


def test_no_limit_headers_when_rate_limiting_is_off(client: Client) -> None:
    resp = client.summary()
    assert not any(name in resp.headers for name in LIMIT_HEADERS)


def test_browsers_may_read_the_limit_headers(limited: Client) -> None:
    resp = limited.summary(headers={"Origin": "http://localhost:3000"})
    exposed = {h.strip().lower() for h in resp.headers["Access-Control-Expose-Headers"].split(",")}
    assert {*LIMIT_HEADERS, "retry-after"} <= exposed
    assert set(LIMIT_HEADERS) <= {h.lower() for h in EXPOSED}


def test_spec_documents_the_429_and_its_headers(client: Client) -> None:
    spec = client.contract.raw
    op = spec["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]
    declared = op["responses"]["429"]["headers"]
    assert set(declared) == {"X-Request-ID", "Retry-After", *LIMIT_HEADERS}
    assert client.contract.errors[429].code == "RATE_LIMIT_EXCEEDED"
    resp = client.summary(headers={"Prefer": "code=429"})  # documented, so it can be asked for
    assert resp.status_code == 429 and resp.headers["Retry-After"]


def test_bad_rate_flag_exits_2() -> None:
    from helpers import run

    proc = run("--rate-limit", "lots")
    assert proc.returncode == 2 and "N/min" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert KEY_ABC not in proc.stderr


def test_a_429_asked_for_reports_the_configured_window() -> None:
    """d7d8f84 computed Retry-After of Prefer: code=429 on a 60 s window whatever
    --rate-limit said: 4 s under 5/hour with the clock at 12:34:56."""
    srv = start(qa=QaConfig(rate_limit="5/hour"))
    try:
        with requests.Session() as session:
            resp = Client(srv, session).summary(headers={"Prefer": "code=429"})
    finally:
        srv.stop()
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == str(25 * 60 + 4)  # to 13:00:00
    assert resp.headers["x-ratelimit-reset-requests"] == f"{25 * 60 + 4}s"
    assert resp.headers["x-ratelimit-limit-requests"] == "5"


@pytest.mark.parametrize("backend", ["memory", "file"])
def test_a_frozen_windows_count_restarts_after_its_ttl(backend: str) -> None:
    """With --now every request falls in one window: its count restarts once the window
    has been left alone for its TTL, as Redis's EXPIRE does. d7d8f84's memory and SQLite
    backends ignored the TTL: the count never restarted."""
    import asyncio

    from mock_server.runtime.file import FileBackend
    from mock_server.runtime.memory import MemoryBackend

    runtime = MemoryBackend() if backend == "memory" else FileBackend()

    async def counts() -> list[int]:
        kept = [await runtime.hit("k", 7, 1, 3600) for _ in range(2)]
        expired = [await runtime.hit("x", 7, 1, 0) for _ in range(2)]
        return [*kept, *expired, await runtime.hit("x", 7, 0)]

    try:
        assert asyncio.run(counts()) == [1, 2, 1, 1, 0]
    finally:
        asyncio.run(runtime.close())
