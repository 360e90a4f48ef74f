"""Each network fault produces exactly that failure at the client (requests, as in the
document's Python snippet, and aiohttp)."""

from __future__ import annotations

import asyncio
import errno
import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import requests

from mock_server.config import QaConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, SUMMARY, start
from coverage_helpers import FAULTS_FILE

# the faults' own file (shared with the coverage tests), and one that never ends
FAULTS_YAML = FAULTS_FILE + """\
  - match: {header: {X-Fault: hang}}
    fault: {type: stall, stall_ms: 30000}
"""


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServerThread]:
    path: Path = tmp_path_factory.mktemp("faults") / "faults.yaml"
    path.write_text(FAULTS_YAML)
    srv = start(qa=QaConfig(scenarios=(str(path),), admin=True))
    yield srv
    srv.stop()


def get(srv: MockServerThread, fault: str | None, **kwargs: object) -> requests.Response:
    headers = {"X-API-Key": KEY_ABC, **({"X-Fault": fault} if fault else {})}
    kwargs.setdefault("timeout", 10)
    return requests.get(srv.base_url + SUMMARY + "org_abc123?year=2025&month=11",
                        headers=headers, **kwargs)  # type: ignore[arg-type]


def test_without_the_header_the_answer_is_normal(faulty: MockServerThread) -> None:
    assert get(faulty, None).json()["totalApiKeyRequests"] == 25000


def test_reset_is_connection_reset_by_peer(faulty: MockServerThread) -> None:
    with pytest.raises(requests.ConnectionError) as info:
        get(faulty, "reset")
    cause = info.value.args[0].args[1]
    assert isinstance(cause, ConnectionResetError) and cause.errno == errno.ECONNRESET
    assert not isinstance(cause, http.client.RemoteDisconnected)


def test_empty_is_a_closed_connection_without_any_answer(faulty: MockServerThread) -> None:
    with pytest.raises(requests.ConnectionError) as info:
        get(faulty, "empty")
    cause = info.value.args[0].args[1]
    assert isinstance(cause, http.client.RemoteDisconnected)  # a clean close, not an RST


def test_malformed_is_a_complete_200_that_is_not_json(faulty: MockServerThread) -> None:
    resp = get(faulty, "malformed")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert int(resp.headers["Content-Length"]) == len(resp.content)
    assert resp.content.startswith(b'{"organization_id":"org_abc123"')
    with pytest.raises(requests.JSONDecodeError):
        resp.json()


def test_stall_sends_half_the_body_then_breaks_off(faulty: MockServerThread) -> None:
    full = get(faulty, None).content
    with get(faulty, "stall", stream=True) as resp:
        assert resp.status_code == 200
        assert int(resp.headers["Content-Length"]) == len(full)
        first = resp.raw.read(len(full) // 2)
        assert first == full[: len(full) // 2]
        with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
            b"".join(resp.iter_content(64))


def test_a_long_stall_ends_in_the_clients_read_timeout(faulty: MockServerThread) -> None:
    with pytest.raises((requests.ConnectionError, requests.Timeout), match="timed out"):
        get(faulty, "hang", timeout=(5, 0.2))


async def _aiohttp_get(url: str, fault: str) -> None:
    async with aiohttp.ClientSession() as session, session.get(
        url, headers={"X-API-Key": KEY_ABC, "X-Fault": fault}
    ) as resp:
        if fault == "malformed":
            await resp.json()
        await resp.read()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("reset", aiohttp.ClientOSError),
        ("empty", aiohttp.ServerDisconnectedError),
        ("malformed", json.JSONDecodeError),
        ("stall", aiohttp.ClientPayloadError),
    ],
)
def test_aiohttp_client_sees_the_same_faults(
    faulty: MockServerThread, fault: str, expected: type[Exception]
) -> None:
    url = faulty.base_url + SUMMARY + "org_abc123?year=2025&month=11"
    with pytest.raises(expected):
        asyncio.run(_aiohttp_get(url, fault))


def test_faults_are_in_the_journal(faulty: MockServerThread) -> None:
    journal = faulty.parts.qa.journal
    assert journal is not None
    faulty.call(journal.clear())
    started_us = time.time_ns() // 1000
    for fault in ("reset", "empty", "malformed"):
        with pytest.raises((requests.ConnectionError, requests.JSONDecodeError)):
            get(faulty, fault).json()
    # A stalled request of an earlier test may finish (and be journaled) meanwhile: it
    # started before this test, so keep only the requests made here.
    entries = [e for e in faulty.call(journal.entries()) if e.at_us >= started_us]
    assert [(e.applied.get("fault"), e.status) for e in entries] == [
        ("reset", None), ("empty", None), ("malformed", 200)]
