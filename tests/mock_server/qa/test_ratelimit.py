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


def test_headers_on_every_answer_of_the_route(limited: Client) -> None:
    for resp in (limited.summary(key=None), limited.summary(key=KEY_XYZ),
                 limited.summary(params={"month": 13}),
                 limited.summary(headers={"Prefer": "code=500"})):
        assert resp.status_code in (400, 401, 403, 500)
        for name in LIMIT_HEADERS:
            assert name in resp.headers, (resp.status_code, name)
    # unauthenticated requests do not use up the org's budget; the 400 and 500 do
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
