"""The proxy's answers of its own: --strict, an upstream that is down or hangs, what the
mock's QA features do in proxy mode, where violations are shown, and its flags."""

from __future__ import annotations

import socket

import pytest
import requests
from aiohttp import web

from mock_server.config import QaConfig
from mock_server.testing import AppThread

from conftest import KEY_ABC, SUMMARY, start
from helpers import call, run
from kit.broken import BrokenServer
from proxy_helpers import HEADER, Probe, names, proxy, send

OWN_MONTH = Probe("own month")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_strict_turns_a_violating_answer_into_a_502_naming_the_checks() -> None:
    with BrokenServer("wrong_average") as upstream, \
            proxy(upstream.base_url, strict=True) as px:
        resp = send(px, OWN_MONTH)
        client_mistake = send(px, Probe("month 13", query="year=2025&month=13"))
    assert resp.status_code == 502
    err = resp.json()["error"]
    assert (err["code"], err["type"], err["status"]) == ("BAD_GATEWAY", "server_error", 502)
    assert "average_cost" in err["system_message"] and names(resp) == {"average_cost"}
    assert resp.headers["X-Request-ID"] == err["trace_id"]
    # The client's own mistake is named but relayed: the server answered it correctly.
    assert client_mistake.status_code == 400 and names(client_mistake) == {"request_parameters"}


def test_strict_relays_an_upstreams_429_to_a_bad_month() -> None:
    """The rate limit is judged before the parameters: an upstream's 429 to a bad month is a
    documented first answer. d7d8f84 made it a 502 naming out_of_range_400 under --strict."""
    from mock_server.config import MockConfig
    from mock_server.testing import MockServerThread

    upstream = MockServerThread(MockConfig(port=0, qa=QaConfig(rate_limit="1/min"))).start()
    try:
        with proxy(upstream.base_url, strict=True) as px:
            first = send(px, OWN_MONTH)  # the proxy learns the key's org; the limit is used
            limited = send(px, Probe("month 13", query="year=2025&month=13"))
    finally:
        upstream.stop()
    assert first.status_code == 200
    assert limited.status_code == 429, limited.text
    assert limited.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert names(limited) == {"request_parameters"}


def test_strict_relays_a_good_answer_untouched() -> None:
    with BrokenServer() as upstream, proxy(upstream.base_url, strict=True) as px:
        resp = send(px, OWN_MONTH)
    assert resp.status_code == 200 and HEADER not in resp.headers
    assert resp.json()["organization_id"] == "org_abc123"


def test_an_upstream_that_is_down_is_a_502_in_the_envelope() -> None:
    port = closed_port()
    with proxy(f"http://127.0.0.1:{port}/v1", timeout=2) as px:
        resp = send(px, OWN_MONTH)
    assert resp.status_code == 502
    err = resp.json()["error"]
    assert err["code"] == "BAD_GATEWAY" and f"cannot connect to 127.0.0.1:{port}" in \
        err["system_message"]
    assert names(resp) == {"complete_answer"}


def test_an_upstream_that_hangs_is_a_504_after_the_timeout() -> None:
    with BrokenServer("hang_all") as upstream, proxy(upstream.base_url, timeout=0.3) as px:
        resp = send(px, OWN_MONTH)  # the client's own timeout (30 s) would fail the test
    assert resp.status_code == 504
    assert "within the 0.3 s timeout" in resp.json()["error"]["system_message"]
    assert resp.json()["error"]["code"] == "GATEWAY_TIMEOUT"


def test_what_the_mock_answers_itself_never_reaches_the_upstream() -> None:
    qa = QaConfig(admin=True, scenarios=("flaky",))
    with BrokenServer() as upstream, proxy(upstream.base_url, qa=qa) as px:
        hits = []
        for prefer in ("code=403", "example=no-usage", "code=500"):
            resp = send(px, Probe("prefer", headers=(("X-API-Key", KEY_ABC),
                                                     ("Prefer", prefer))))
            hits.append(upstream.impl.hits)
            assert resp.headers["Preference-Applied"] == prefer
        assert resp.status_code == 500 and resp.json()["error"]["code"] == "INTERNAL_ERROR"
        assert hits == [0, 0, 0]
        # flaky: requests 3, 6, ... are the documented 500, answered by the mock
        statuses = [send(px, OWN_MONTH).status_code for _ in range(3)]
        assert statuses == [200, 200, 500] and upstream.impl.hits == 2
        client = requests.Session()
        base = px.origin + "/__mock/"
        client.post(base + "scenarios/flaky/deactivate").raise_for_status()
        client.post(base + "settings", json={"error": 401}).raise_for_status()
        forced = send(px, OWN_MONTH)
        assert forced.status_code == 401 and upstream.impl.hits == 2
        client.post(base + "settings", json={"error": None, "delay_ms": 0}).raise_for_status()
        assert send(px, OWN_MONTH).status_code == 200 and upstream.impl.hits == 3
        stats = client.get(base + "proxy").json()
    assert (stats["forwarded"], stats["local"]) == (3, 5)


def test_delay_and_usage_scenarios_shape_the_forwarded_answer() -> None:
    with BrokenServer() as upstream, proxy(upstream.base_url) as px:
        slow = send(px, Probe("slow", headers=(("X-API-Key", KEY_ABC),
                                               ("Prefer", "delay=20, scenario=empty-org"))))
        plain = send(px, OWN_MONTH)
    assert upstream.impl.hits == 2
    assert slow.headers["Preference-Applied"] == "delay=20, scenario=empty-org"
    assert slow.json()["totalApiKeyRequests"] == 0 and plain.json()["totalApiKeyRequests"] > 0
    assert HEADER not in slow.headers  # the checks judge what the upstream sent


def test_a_fault_scenario_drops_the_connection_without_calling_the_upstream(tmp_path) -> None:
    rules = tmp_path / "reset.yaml"
    rules.write_text("rules:\n  - fault: reset\n")
    with BrokenServer() as upstream, \
            proxy(upstream.base_url, qa=QaConfig(scenarios=(str(rules),))) as px, \
            pytest.raises(requests.ConnectionError):
        send(px, OWN_MONTH)
    assert upstream.impl.hits == 0


def test_rate_limit_answers_429_before_the_upstream() -> None:
    with BrokenServer() as upstream, \
            proxy(upstream.base_url, qa=QaConfig(rate_limit="2/min")) as px:
        statuses = [send(px, OWN_MONTH).status_code for _ in range(3)]
    assert statuses == [200, 200, 429] and upstream.impl.hits == 2


def test_an_upstreams_401_or_403_carries_no_rate_limit_counter() -> None:
    """The proxy counts every request of an org (it cannot judge keys); the counter is the
    path organisation's, so an answer refusing the key does not show it (d7d8f84 did)."""
    from mock_server.config import MockConfig
    from mock_server.testing import MockServerThread

    with MockServerThread(MockConfig(port=0)) as upstream, \
            proxy(upstream.base_url, qa=QaConfig(rate_limit="9/min")) as px:
        own = send(px, OWN_MONTH)
        refused = [send(px, Probe("no key", headers=())),
                   send(px, Probe("foreign key", headers=(("X-API-Key", "mock-key-xyz789"),)))]
    assert own.headers["x-ratelimit-remaining-requests"] == "8"
    assert [r.status_code for r in refused] == [401, 403]
    for resp in refused:
        assert not [h for h in resp.headers if h.lower().startswith("x-ratelimit")]


def test_violations_in_the_journal_and_the_proxy_status() -> None:
    with BrokenServer("key_echoed") as upstream, \
            proxy(upstream.base_url, qa=QaConfig(admin=True)) as px:
        send(px, Probe("unknown", headers=(("X-API-Key", "freddy-unknown-key-0042"),)))
        send(px, OWN_MONTH)
        session = requests.Session()
        entries = session.get(px.origin + "/__mock/requests").json()["requests"]
        status = session.get(px.origin + "/__mock/proxy").json()
    bad, good = entries
    assert [v["check"] for v in bad["violations"]] == ["key_never_echoed"]
    assert "the key in the body of HTTP 401" in bad["violations"][0]["message"]
    assert bad["applied"]["upstream"] == 401 and good["violations"] == []
    assert "freddy-unknown-key-0042" not in str(entries)
    assert status["violations"] == {"key_never_echoed": 1} and status["forwarded"] == 2
    assert status["upstream"] == upstream.base_url
    assert {"key_never_echoed", "request_parameters"} <= {c["name"] for c in status["checks"]}


def test_a_host_the_mock_does_not_answer_is_refused_before_the_upstream() -> None:
    with BrokenServer() as upstream, proxy(upstream.base_url) as px:
        resp = send(px, Probe("rebound", headers=(("X-API-Key", KEY_ABC),
                                                  ("Host", "attacker.example"))))
    assert resp.status_code == 421 and upstream.impl.hits == 0


def test_a_key_in_the_query_is_not_in_the_log_line(caplog: pytest.LogCaptureFixture) -> None:
    with BrokenServer("wrong_average") as upstream, proxy(upstream.base_url) as px:
        send(px, Probe("query key", query=f"year=2025&month=11&api_key={KEY_ABC}"))
    (line,) = [r.getMessage() for r in caplog.records if "violation average_cost" in r.getMessage()]
    assert KEY_ABC not in line and "api_key=REDACTED" in line


def test_cors_lets_a_browser_read_the_violations_header() -> None:
    with BrokenServer("wrong_average") as upstream, proxy(upstream.base_url,
                                                          cors_origins=("http://app.test",)) as px:
        resp = send(px, Probe("cors", headers=(("X-API-Key", KEY_ABC),
                                               ("Origin", "http://app.test"))))
    assert resp.headers["Access-Control-Allow-Origin"] == "http://app.test"
    assert HEADER in resp.headers["Access-Control-Expose-Headers"]
    assert names(resp) == {"average_cost"}


def test_the_upstream_gets_the_key_and_query_and_nothing_of_the_mocks() -> None:
    seen: list[web.Request] = []

    async def upstream_handler(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({"seen": True}, headers={"Set-Cookie": "s=1",
                                                          "Access-Control-Allow-Origin": "*"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", upstream_handler)
    with AppThread(app) as upstream, proxy(upstream.origin + "/base/v1",
                                           cors_origins=("http://app.test",)) as px:
        url = px.base_url + "/analytics/api-keys/summary/org%20abc?month=07&year=2025&__delay=0"
        resp = requests.get(url, headers={"Api-Key": KEY_ABC, "Cookie": "a=b",
                                          "Origin": "http://app.test", "Prefer": "delay=0",
                                          "Accept-Language": "de"}, timeout=30)
    assert resp.json() == {"seen": True}
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Access-Control-Allow-Origin"] == "http://app.test"  # the mock's own
    (got,) = seen
    assert got.raw_path == "/base/v1/analytics/api-keys/summary/org%20abc?month=07&year=2025"
    assert got.headers["Api-Key"] == KEY_ABC and got.headers["Accept-Language"] == "de"
    assert not {"Cookie", "Origin", "Prefer", "X-API-Key"} & set(got.headers)


@pytest.mark.parametrize(("args", "message"), [
    (["--strict"], "--strict needs --proxy UPSTREAM"),
    (["--record", "x"], "--record needs --proxy UPSTREAM"),
    (["--proxy", "ftp://example.test/v1"], "--proxy: not an http(s) base URL"),
    (["--proxy", "https://u:p@example.test/v1"], "no credentials"),
    (["--proxy", "http://127.0.0.1:1/v1", "--proxy-timeout", "0"], "not a timeout"),
    (["--proxy", "http://127.0.0.1:1/v1", "--record", "x", "--workers", "2"],
     "--record needs --workers 1"),
    (["--proxy", "http://127.0.0.1:1/v1", "--record", "/dev/null/recorded"],
     "--record /dev/null/recorded: cannot use it"),
])
def test_bad_proxy_flags_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_without_admin_the_proxy_status_is_a_404() -> None:
    with BrokenServer() as upstream, proxy(upstream.base_url) as px:
        assert requests.get(px.origin + "/__mock/proxy", timeout=30).status_code == 404


def test_the_proxy_status_without_proxy_says_so() -> None:
    from helpers import admin_client

    client = next(admin := admin_client())
    try:
        assert call(client, "GET", "proxy").json() == {"enabled": False}
    finally:
        next(admin, None)


@pytest.mark.parametrize("org", ["org_abc123%2F..%2F..%2Fadmin", "org%5C..%5Cadmin", "..",
                                 "%2e%2e", "%2E", "org_abc123%2fx"])
def test_an_org_id_that_decodes_to_another_path_is_never_forwarded(org: str) -> None:
    """d7d8f84 forwarded these as sent: the upstream was asked for another path."""
    seen: list[str] = []

    async def upstream_handler(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.json_response({"seen": True})

    app = web.Application()
    app.router.add_get("/{tail:.*}", upstream_handler)
    with AppThread(app) as upstream, proxy(upstream.origin + "/v1") as px:
        resp = requests.get(px.base_url + "/analytics/api-keys/summary/" + org,
                            headers={"X-API-Key": KEY_ABC}, timeout=30)
        plain = requests.get(px.base_url + "/analytics/api-keys/summary/org%20abc..x",
                             headers={"X-API-Key": KEY_ABC}, timeout=30)
    assert resp.status_code == 404, resp.text
    assert resp.json()["error"]["code"] == "NOT_FOUND"
    assert seen == ["/v1/analytics/api-keys/summary/org%20abc..x"]  # only the plain one
    assert plain.json() == {"seen": True}


@pytest.mark.parametrize(("origin", "granted"), [
    ("http://localhost:3000", True), ("http://127.0.0.1:5173", True), ("http://[::1]:8080", True),
    ("https://evil.example", False), ("http://localhost.evil.example", False),
    ("null", False), ("http://app.test", True)])
def test_proxy_mode_grants_cors_to_loopback_and_named_origins(origin: str,
                                                               granted: bool) -> None:
    """d7d8f84 granted every origin: any web page could read a developer's upstream through
    the proxy. Now loopback origins and --proxy-cors ones only (the preflight too)."""
    with BrokenServer() as upstream, proxy(upstream.base_url,
                                           cors_origins=("http://app.test",)) as px:
        resp = send(px, Probe("cors", headers=(("X-API-Key", KEY_ABC), ("Origin", origin))))
        pre = requests.options(px.base_url + "/analytics/api-keys/summary/org_abc123",
                               headers={"Origin": origin,
                                        "Access-Control-Request-Method": "GET",
                                        "Access-Control-Request-Headers": "x-api-key"},
                               timeout=30)
    assert resp.status_code == 200
    assert (resp.headers.get("Access-Control-Allow-Origin") == origin) is granted
    assert ("Access-Control-Allow-Origin" in resp.headers) is granted
    assert ("Access-Control-Allow-Methods" in pre.headers) is granted
    assert "Origin" in resp.headers["Vary"]


def test_without_proxy_every_origin_is_granted(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.summary(headers={"Origin": "https://evil.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "https://evil.example"


def test_sessions_steer_their_own_requests_in_proxy_mode() -> None:
    with BrokenServer() as upstream, proxy(upstream.base_url, qa=QaConfig(admin=True)) as px:
        admin = px.origin + "/__mock/"
        requests.post(admin + "settings", json={"session": "anna", "error": 500},
                      timeout=10).raise_for_status()
        own = send(px, Probe("anna", headers=(("X-API-Key", KEY_ABC),
                                              ("X-Mock-Session", "anna"))))
        other = send(px, Probe("ben", headers=(("X-API-Key", KEY_ABC),
                                               ("X-Mock-Session", "ben"))))
        plain = send(px, OWN_MONTH)
        bad = send(px, Probe("bad", headers=(("X-API-Key", KEY_ABC),
                                             ("X-Mock-Session", "no spaces"))))
    assert own.status_code == 500 and (other.status_code, plain.status_code) == (200, 200)
    assert bad.status_code == 400
    assert upstream.impl.hits == 2  # the forced 500 and the bad name never left the mock


def test_coverage_counts_what_the_client_met_through_the_proxy() -> None:
    """Forwarded answers count as the mock's own do (their status, their data), and so do
    the answers the proxy gives itself."""
    upstream = start()
    try:
        with proxy(upstream.base_url, qa=QaConfig(admin=True), now=upstream.config.now) as px:
            url = px.base_url + SUMMARY + "org_abc123"
            assert requests.get(url, params={"year": 2024, "month": 2}, timeout=10,
                                headers={"Api-Key": KEY_ABC}).status_code == 200
            assert requests.get(url, timeout=10).status_code == 401
            assert requests.get(url, timeout=10, headers={"X-API-Key": KEY_ABC,
                                                          "Prefer": "code=500"}).status_code == 500
            doc = requests.get(px.origin + "/__mock/coverage", timeout=10).json()
            met = {k: v for k, v in doc["outcomes"].items() if v}
    finally:
        upstream.stop()
    assert met == {"status:200": 1, "status:401": 1, "status:500": 1, "header:Api-Key": 1,
                   "data:leap-february": 1}
