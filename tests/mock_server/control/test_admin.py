"""The admin API under /__mock/ and the request journal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import KEY_ABC, KEY_XYZ, Client
from helpers import NOV, admin_client, call


@pytest.fixture
def admin() -> Iterator[Client]:
    yield from admin_client()


@pytest.mark.parametrize(("method", "path"), [("GET", "health"), ("GET", "scenarios"),
                                              ("POST", "reset"), ("GET", "requests"),
                                              ("DELETE", "requests"),
                                              ("POST", "scenarios/flaky/activate")])
def test_admin_is_off_by_default(client: Client, method: str, path: str) -> None:
    resp = call(client, method, path)
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "NOT_FOUND"
    assert client.server.parts.qa.journal is None


def test_health(admin: Client) -> None:
    doc = call(admin, "GET", "health").json()
    assert doc["status"] == "ok" and doc["active"] == [] and doc["scenarios"] >= 7
    assert doc["journal"] == {"size": 1000, "entries": 0, "in_flight": 0}


def test_switch_scenarios_at_runtime(admin: Client) -> None:
    assert admin.summary(params=NOV).status_code == 200
    resp = call(admin, "POST", "scenarios/rate-limited/activate")
    assert resp.json()["active"] == [{"name": "rate-limited", "org": None}]
    assert admin.summary(params=NOV).status_code == 429
    assert admin.summary("org_xyz789", KEY_XYZ).status_code == 429
    resp = call(admin, "POST", "scenarios/rate-limited/deactivate")
    assert resp.json()["was_active"] is True and resp.json()["active"] == []
    assert admin.summary(params=NOV).status_code == 200
    # for one organization, via a JSON body
    call(admin, "POST", "scenarios/empty-org/activate", json={"org": "org_xyz789"})
    listed = {s["name"]: s for s in call(admin, "GET", "scenarios").json()["scenarios"]}
    assert listed["empty-org"]["active_orgs"] == ["org_xyz789"]
    assert listed["empty-org"]["active"] is False
    assert admin.summary("org_xyz789", KEY_XYZ).json()["totalApiKeyRequests"] == 0
    assert admin.summary(params=NOV).json()["totalApiKeyRequests"] == 25000
    # reset: nothing active, counters and journal cleared
    call(admin, "POST", "scenarios/flaky/activate")
    assert [admin.summary(params=NOV).status_code for _ in range(3)] == [200, 200, 500]
    assert call(admin, "POST", "reset").json()["active"] == []
    journal = admin.server.parts.qa.journal
    assert journal is not None and admin.server.call(journal.count()) == 0
    call(admin, "POST", "scenarios/flaky/activate")
    assert [admin.summary(params=NOV).status_code for _ in range(3)] == [200, 200, 500]


def test_unknown_scenario_and_bad_body(admin: Client) -> None:
    resp = call(admin, "POST", "scenarios/nope/activate")
    assert resp.status_code == 404 and "nope" in resp.json()["error"]["system_message"]
    resp = call(admin, "POST", "scenarios/flaky/activate", data=b"{not json",
                headers={"Content-Type": "application/json"})
    assert resp.status_code == 400


def test_startup_scenarios_survive_reset() -> None:
    for c in admin_client(scenarios=("flaky",)):
        assert call(c, "GET", "health").json()["active"] == [{"name": "flaky", "org": None}]
        call(c, "POST", "scenarios/flaky/deactivate")
        call(c, "POST", "reset")
        assert call(c, "GET", "health").json()["active"] == [{"name": "flaky", "org": None}]


def test_admin_token_is_required_when_set() -> None:
    for c in admin_client(admin_token="s3cret-admin-token"):
        assert call(c, "GET", "health").status_code == 401
        wrong = call(c, "GET", "health", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "s3cret" not in wrong.text
        ok = call(c, "GET", "health", headers={"Authorization": "Bearer s3cret-admin-token"})
        assert ok.status_code == 200
        assert c.summary(params=NOV).status_code == 200  # the API itself needs no admin token


def test_admin_off_loopback_needs_a_token() -> None:
    from helpers import run

    proc = run("--admin", "--host", "0.0.0.0", "--expose")
    assert proc.returncode == 2 and "--admin-token" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_journal_records_answers_with_keys_masked(admin: Client) -> None:
    admin.summary(params=NOV)
    admin.summary(key="a-very-secret-unknown-key")
    admin.summary("org_xyz789", KEY_ABC)
    admin.summary(params=NOV, headers={"Prefer": "scenario=empty-org, delay=1"})
    resp = call(admin, "GET", "requests")
    assert "mock-key-abc123" not in resp.text and "a-very-secret-unknown-key" not in resp.text
    entries = resp.json()["requests"]
    assert [(e["org"], e["status"], e["key"]) for e in entries] == [
        ("org_abc123", 200, "…c123"),
        ("org_abc123", 401, "…-key"),
        ("org_xyz789", 403, "…c123"),
        ("org_abc123", 200, "…c123"),
    ]
    assert entries[0]["query"] == "year=2025&month=11"
    assert entries[3]["applied"] == {"scenario": "empty-org", "rule": 0, "delay_ms": 1,
                                     "preference": "delay=1, scenario=empty-org"}
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    # filters
    only = call(admin, "GET", "requests", params={"status": 403}).json()["requests"]
    assert [e["org"] for e in only] == ["org_xyz789"]
    only = call(admin, "GET", "requests", params={"org": "org_xyz789"}).json()["requests"]
    assert [e["status"] for e in only] == [403]
    since = call(admin, "GET", "requests", params={"since": entries[2]["at"]}).json()
    assert [e["seq"] for e in since["requests"]] == [entries[2]["seq"], entries[3]["seq"]]
    assert call(admin, "GET", "requests", params={"since": "yesterday"}).status_code == 400
    assert call(admin, "GET", "requests", params={"status": "abc"}).status_code == 400
    # DELETE clears
    assert call(admin, "DELETE", "requests").json() == {"cleared": 4}
    assert call(admin, "GET", "requests").json()["requests"] == []


def test_journal_is_a_bounded_ring_buffer() -> None:
    for c in admin_client(journal_size=3):
        for month in range(1, 7):
            c.summary(params={"year": 2025, "month": month})
        doc = call(c, "GET", "requests").json()
        assert doc["size"] == 3
        assert [e["query"] for e in doc["requests"]] == [
            f"year=2025&month={m}" for m in (4, 5, 6)]
        assert call(c, "GET", "health").json()["journal"] == {"size": 3, "entries": 3,
                                                              "in_flight": 0}


def test_admin_preflight_only_for_named_origins() -> None:
    """A preflight from another origin is refused (403, no CORS headers); one from an
    --admin-cors origin passes, with exactly that origin allowed."""
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    for c in admin_client(admin_cors=("http://localhost:3000",)):
        ok = call(c, "OPTIONS", "scenarios/flaky/activate",
                  headers={"Origin": "http://localhost:3000", **ask})
        assert ok.status_code == 204
        assert "POST" in ok.headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in ok.headers["Access-Control-Allow-Headers"]
        assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        refused = call(c, "OPTIONS", "scenarios/flaky/activate",
                       headers={"Origin": "http://localhost:3001", **ask})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "CROSS_ORIGIN_REFUSED"
        assert not {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods"} & set(
            refused.headers)
        plain = call(c, "OPTIONS", "reset")  # not a preflight: just the methods
        assert plain.status_code == 204 and "POST" in plain.headers["Allow"]


@pytest.mark.parametrize(("path", "body"), [
    ("scenarios/rate-limited/activate?org=", None),
    ("scenarios/rate-limited/activate", {"org": ""}),
    ("scenarios/rate-limited/activate", {"org": 0}),
    ("scenarios/rate-limited/activate", {"org": False}),
    ("settings", {"error": 500, "org": 0}),
    ("settings", {"error": 500, "org": ""}),
    ("settings", {"error": 500, "org": []}),
])
def test_an_empty_or_non_string_org_is_refused_not_everyone(admin: Client, path: str,
                                                             body: object) -> None:
    """d7d8f84 read these as "everyone": the switch applied to every organization."""
    resp = call(admin, "POST", path, json=body)
    assert resp.status_code == 400, resp.text
    assert "org" in resp.json()["error"]["system_message"]
    assert call(admin, "GET", "health").json()["active"] == []
    assert call(admin, "GET", "settings").json()["errors"] == []
    assert admin.summary(params=NOV).status_code == 200
