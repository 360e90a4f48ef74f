"""The 200 path: the documented example, defaults, determinism and realistic numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mock_server.config import MockConfig
from mock_server.foundation.clock import parse_instant

from conftest import FROZEN_NOW, KEY_XYZ, Client, start

DOCUMENTED = {
    "organization_id": "org_abc123", "month": 11, "year": 2025,
    "totalApiKeyRequests": 25000, "totalApiKeyCost": 6250.0, "averageCostPerRequest": 0.25,
    "total_synapses": 12500000.0, "totalNeurons": 250000.0,
    "generatedAt": "2025-11-15T10:30:00Z",
}


def test_documented_example_for_org_abc123_november_2025(client: Client) -> None:
    resp = client.summary(params={"year": 2025, "month": 11})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == DOCUMENTED
    assert resp.headers["X-Request-ID"]


def test_alternative_key_header(client: Client) -> None:
    resp = client.summary("org_xyz789", key=None, params={"year": 2025, "month": 3},
                          headers={"Api-Key": KEY_XYZ})
    assert resp.status_code == 200
    assert resp.json()["organization_id"] == "org_xyz789"


@pytest.mark.parametrize(("year", "month"), [(2020, 1), (2030, 12), (2020, 12), (2030, 1)])
def test_bounds_are_accepted_and_echoed(client: Client, year: int, month: int) -> None:
    resp = client.summary(params={"year": year, "month": month})
    assert resp.status_code == 200
    assert (resp.json()["year"], resp.json()["month"]) == (year, month)


def test_omitted_year_and_month_default_to_the_frozen_clock(client: Client) -> None:
    now = parse_instant(FROZEN_NOW)
    for params in ({}, {"year": now.year}, {"month": now.month}):
        body = client.summary("org_xyz789", key=KEY_XYZ, params=params).json()
        assert (body["year"], body["month"]) == (now.year, now.month)


def test_defaults_follow_another_frozen_clock() -> None:
    srv = start(now=parse_instant("2027-02-03T04:05:06Z"))
    try:
        import requests

        body = requests.get(srv.base_url + "/analytics/api-keys/summary/org_abc123",
                            headers={"X-API-Key": "mock-key-abc123"}, timeout=10).json()
        assert (body["year"], body["month"]) == (2027, 2)
        assert body["generatedAt"] == "2027-02-03T04:00:00Z"
    finally:
        srv.stop()


def test_a_default_obeys_the_bounds_of_a_value_given() -> None:
    """Under --now 2031-03-01 an omitted year is 2031, which the spec's year rule refuses:
    d7d8f84 answered 200 for it while year=2031 got 400. Both are the same 400 now."""
    import requests

    srv = start(now=parse_instant("2031-03-01T00:00:00Z"))
    try:
        url = srv.base_url + "/analytics/api-keys/summary/org_abc123"
        key = {"X-API-Key": "mock-key-abc123"}
        omitted = requests.get(url, headers=key, params={"month": 3}, timeout=10)
        given = requests.get(url, headers=key, params={"year": 2031, "month": 3}, timeout=10)
        assert (omitted.status_code, given.status_code) == (400, 400)
        message = omitted.json()["error"]["system_message"]
        assert "year" in message and "2031" in message and "clock" in message
        ok = requests.get(url, headers=key, params={"year": 2030, "month": 3}, timeout=10)
        assert ok.status_code == 200
    finally:
        srv.stop()


def test_future_months_have_no_usage(client: Client) -> None:
    for year, month in [(2025, 12), (2026, 6), (2030, 12)]:
        body = client.summary(params={"year": year, "month": month}).json()
        assert body["totalApiKeyRequests"] == 0
        assert body["totalApiKeyCost"] == 0.0
        assert body["averageCostPerRequest"] == 0.0
        assert body["total_synapses"] == 0.0 and body["totalNeurons"] == 0.0


def test_current_month_is_partial(client: Client) -> None:
    # org_xyz789 has no canned month: November 2025 is generated, 19.5 of 30 days elapsed.
    current = client.summary("org_xyz789", key=KEY_XYZ, params={"year": 2025, "month": 11}).json()
    past = [client.summary("org_xyz789", key=KEY_XYZ, params={"year": 2025, "month": m}).json()
            for m in range(1, 11)]
    typical = sorted(p["totalApiKeyRequests"] for p in past)[len(past) // 2]
    assert 0 < current["totalApiKeyRequests"] < typical
    assert current["generatedAt"] == "2025-11-20T12:00:00Z"
    assert past[9]["generatedAt"] == "2025-11-01T00:00:00Z"


def test_numbers_hang_together_and_vary(client: Client) -> None:
    seen = set()
    for org, key in (("org_abc123", "mock-key-abc123"), ("org_xyz789", KEY_XYZ)):
        for year in (2024, 2025):
            for month in range(1, 13):
                if (year, month) > (2025, 11):
                    continue
                body = client.summary(org, key=key, params={"year": year, "month": month}).json()
                n = body["totalApiKeyRequests"]
                assert n > 0
                assert abs(body["averageCostPerRequest"] - body["totalApiKeyCost"] / n) <= 0.0001
                assert 5 <= body["totalNeurons"] / n <= 20
                assert 30 <= body["total_synapses"] / body["totalNeurons"] <= 70
                # cost is neurons times the document's price per neuron (0.025 CHF)
                assert abs(body["totalApiKeyCost"] - body["totalNeurons"] * 0.025) <= 0.01
                seen.add(n)
    assert len(seen) >= 45  # differs by org and by month


def test_same_seed_same_bytes_across_app_instances_and_processes(client: Client) -> None:
    other = start()
    try:
        import requests

        url = "/analytics/api-keys/summary/org_xyz789?year=2024&month=7"
        a = client.request("GET", url, headers={"X-API-Key": KEY_XYZ}).content
        b = requests.get(other.base_url + url, headers={"X-API-Key": KEY_XYZ}, timeout=10).content
        assert a == b
    finally:
        other.stop()
    code = (
        "from mock_server.serve.app import build_parts; from mock_server.config import MockConfig;"
        "from mock_server.foundation.clock import parse_instant as p;"
        f"s=build_parts(MockConfig(now=p({FROZEN_NOW!r})));"
        f"print(s.summaries.body('org_xyz789',2024,7,s.clock.hour()).decode())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""}, timeout=60)
    assert json.loads(out.stdout) == json.loads(a)


def test_another_seed_gives_other_numbers() -> None:
    from mock_server.serve.app import build_parts

    hour = int(parse_instant(FROZEN_NOW).timestamp()) // 3600
    a = build_parts(MockConfig(seed=0)).summaries.body("org_x", 2024, 7, hour)
    b = build_parts(MockConfig(seed=1)).summaries.body("org_x", 2024, 7, hour)
    assert a != b


@pytest.mark.parametrize("params", [{"year": 2025, "month": 11}, {"year": "2025", "month": "07"},
                                    {"month": 3}, {}, {"year": 2024, "month": 2}])
def test_the_plain_path_and_the_steered_path_give_the_same_body(client: Client,
                                                                params: dict) -> None:
    """With nothing steering, the pipeline skips the scenario and answer stages (and the
    query is memoised); a no-op preference takes the full way. Same bytes either way."""
    for org, key in (("org_abc123", "mock-key-abc123"), ("org_xyz789", KEY_XYZ)):
        plain = [client.summary(org, key, params=params) for _ in range(2)]  # 2nd: memo hit
        steered = client.summary(org, key, params=params, headers={"Prefer": "delay=0"})
        assert steered.headers["Preference-Applied"] == "delay=0"
        assert plain[0].status_code == plain[1].status_code == steered.status_code == 200
        assert plain[0].content == plain[1].content == steered.content


DIFFER = {"date", "x-request-id", "preference-applied", "x-ratelimit-remaining-requests"}


@pytest.mark.parametrize("params", [{"year": 2025, "month": 11}, {"month": 3},
                                    {"year": 2024, "month": 2}])
def test_the_plain_path_answers_what_the_full_path_and_a_fresh_generator_do(
        params: dict) -> None:
    """What could differ between the shortcut and the full way: the body against one
    generated afresh (no cache), and every header (CORS and rate-limit ones on), but those
    that must differ. d7d8f84's test compared the shortcut with itself through the cache."""
    from mock_server.config import MockConfig, QaConfig
    from mock_server.serve.app import build_parts

    server = start(qa=QaConfig(rate_limit="100/min"))
    try:
        import requests

        url = server.base_url + "/analytics/api-keys/summary/org_abc123"
        base = {"X-API-Key": "mock-key-abc123", "Origin": "http://localhost:3000"}
        with requests.Session() as s:
            plain = s.get(url, params=params, headers=base, timeout=10)
            full = s.get(url, params=params, headers={**base, "Prefer": "delay=0"}, timeout=10)
    finally:
        server.stop()
    assert plain.status_code == full.status_code == 200
    fresh = build_parts(MockConfig(now=parse_instant(FROZEN_NOW))).summaries
    year, month = int(params.get("year", 2025)), int(params["month"])
    assert plain.content == full.content == fresh.body("org_abc123", year, month,
                                                       int(parse_instant(FROZEN_NOW)
                                                           .timestamp()) // 3600)
    a, b = ({k.lower(): v for k, v in r.headers.items()} for r in (plain, full))
    assert set(a) | {"preference-applied"} == set(b)
    assert {k: v for k, v in a.items() if k not in DIFFER} == \
        {k: v for k, v in b.items() if k not in DIFFER}
    assert int(a["x-ratelimit-remaining-requests"]) == \
        int(b["x-ratelimit-remaining-requests"]) + 1
    assert a["x-request-id"] != b["x-request-id"] and b["preference-applied"] == "delay=0"
