"""Every response row of the spec, vendor's and mock-only, is what the mock really sends:
each row is triggered here, and the answer has the row's status, matches the row's schema,
and carries every header the row declares (``X-Request-ID`` on all of them, equal to the
error body's ``trace_id``). A row added to the spec without a trigger here fails."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from api_contract.contract import load_contract
from api_contract.resources import default_spec_path
from mock_server.config import QaConfig
from mock_server.runtime.sessions import Limits

from conftest import KEY_ABC, SUMMARY, Client, start

Trigger = Callable[[Client], requests.Response]
BIG = "x" * 9000  # over the 8,190-byte line limits


def _prefer(status: int) -> Trigger:
    return lambda c: c.summary(headers={"Prefer": f"code={status}"})


def _with_no_delay_slot(c: Client, call: Callable[[], requests.Response]) -> requests.Response:
    gate = c.server.parts.qa.delays
    limit, gate.limit = gate.limit, 0  # as if every slot were taken
    try:
        return call()
    finally:
        gate.limit = limit


def _no_session_room(c: Client) -> requests.Response:
    """A new session while the cap (--max-sessions) is reached (as if it were 0)."""
    sessions = c.server.parts.qa.runtime._sessions  # type: ignore[attr-defined]
    limits, sessions.limits = sessions.limits, Limits(sessions.limits.ttl, 0)
    try:
        return c.summary(headers={"X-Mock-Session": "one-too-many"})
    finally:
        sessions.limits = limits


def _stalled_head(c: Client) -> requests.Response:
    """Half a request head on a raw socket, with the server's header timeout lowered: the
    408 the mock writes itself, read back as a ``requests.Response``."""
    config = c.server.parts.config
    timeout, config.header_timeout = config.header_timeout, 0.05
    try:
        with socket.create_connection(("127.0.0.1", c.server.port), timeout=10) as sock:
            sock.sendall(b"GET /v1" + SUMMARY.encode() + b"org_abc123 HTTP/1.1\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    finally:
        config.header_timeout = timeout
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    resp = requests.Response()
    resp.status_code = int(lines[0].split()[1])
    resp.headers = CaseInsensitiveDict(
        {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])})
    resp._content = body
    return resp


TRIGGERS: dict[str, Trigger] = {
    "200": lambda c: c.summary(),
    "400": lambda c: c.summary(params={"month": 13}),
    "401": lambda c: c.summary(key=None),
    "403": lambda c: c.summary(org="org_xyz789"),
    "429": _prefer(429),
    "500": _prefer(500),
    "404": lambda c: c.request("GET", SUMMARY + "org_abc123", base=c.server.origin,
                               headers={"X-API-Key": KEY_ABC}),  # no /v1
    "405": lambda c: c.request("POST", SUMMARY + "org_abc123"),
    "408": _stalled_head,
    "414": lambda c: c.summary(org=BIG),
    "431": lambda c: c.summary(headers={"X-Padding": BIG}),
    "421": lambda c: c.summary(headers={"Host": "attacker.example"}),
    "503": lambda c: _with_no_delay_slot(c, lambda: c.summary(headers={"Prefer": "delay=10"})),
    # `default`: its example is the 413 of a body over 64 KiB (only the admin API reads one).
    "default": lambda c: c.request("POST", "/__mock/settings", base=c.server.origin,
                                   data=b"{" + b" " * 70_000 + b"}",
                                   headers={"Content-Type": "application/json"}),
}


# Other answers of a row than its trigger's (mock-only causes of a vendor's status too).
MORE_TRIGGERS: list[tuple[str, str, Trigger]] = [
    ("400", "bad-session-name", lambda c: c.summary(headers={"X-Mock-Session": "bad name"})),
    ("503", "too-many-sessions", _no_session_room),
]
CASES = [(row, row, trigger) for row, trigger in sorted(TRIGGERS.items())] + MORE_TRIGGERS


def spec_rows() -> dict[str, Any]:
    raw = load_contract(default_spec_path()).raw
    return raw["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]["responses"]


@pytest.fixture(scope="module")
def mock() -> Iterator[Client]:
    srv = start(qa=QaConfig(admin=True))
    with requests.Session() as session:
        yield Client(srv, session)
    srv.stop()


def test_every_row_has_a_trigger() -> None:
    assert set(spec_rows()) == set(TRIGGERS)


@pytest.mark.parametrize(("row", "trigger"), [(row, t) for row, _, t in CASES],
                         ids=[case for _, case, _ in CASES])
def test_row_is_what_the_mock_sends(mock: Client, row: str, trigger: Trigger) -> None:
    declared = spec_rows()[row]
    examples = declared["content"]["application/json"]["examples"]
    expected = (next(iter(examples.values()))["value"]["error"]["status"] if row == "default"
                else int(row))
    resp = trigger(mock)  # (Client.request validates the body against the spec)
    assert resp.status_code == expected
    body = resp.json()
    assert mock.contract.validators[expected].is_valid(body)
    missing = {h for h in declared.get("headers", {}) if h not in resp.headers}
    assert not missing, f"{row}: declared but not sent: {missing}"
    assert resp.headers["X-Request-ID"]
    if expected >= 400:
        assert resp.headers["X-Request-ID"] == body["error"]["trace_id"]
        first = next(iter(examples.values()))["value"]["error"]
        assert (body["error"]["code"], body["error"]["type"]) == (first["code"], first["type"])
