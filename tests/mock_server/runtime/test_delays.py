"""The cap on requests held open on purpose (``Prefer: delay=``, scenario delays, stalls):
beyond it, a request asking for a delay is a 503 at once; everything else is unaffected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_server.foundation.errors import ApiError
from mock_server.runtime.delays import MAX_DELAYED, DelayGate

from conftest import Client
from helpers import NOV, admin_client

STALL_YAML = """\
name: stall-now
rules:
  - fault: {type: stall, stall_ms: 30000}
"""


@pytest.fixture
def admin() -> Iterator[Client]:
    yield from admin_client()


def test_the_gate_refuses_beyond_its_limit_and_frees_slots() -> None:
    async def run() -> None:
        gate = DelayGate(limit=2)
        held = [asyncio.create_task(gate.sleep(60_000)) for _ in range(2)]
        await asyncio.sleep(0)  # one turn of the loop: both are now asleep in their slot
        assert gate.active == 2
        with pytest.raises(ApiError) as refused:
            await gate.sleep(1)
        assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "1"
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
        assert gate.active == 0  # a cancelled (client gone) delay gives its slot back
        await gate.sleep(0)

    asyncio.run(run())
    assert DelayGate().limit == MAX_DELAYED


def full(c: Client) -> DelayGate:
    gate = c.server.parts.qa.delays
    gate.active = gate.limit  # as if that many requests were being delayed right now
    return gate


def test_a_delay_beyond_the_cap_is_a_503_at_once(admin: Client) -> None:
    gate = full(admin)
    try:
        resp = admin.summary(params=NOV, headers={"Prefer": "delay=60000"})
        assert resp.status_code == 503
        assert resp.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert resp.headers["Retry-After"] == "1"
        assert admin.summary(params=NOV).status_code == 200  # no delay asked: answered
        assert admin.summary(params=NOV, headers={"Prefer": "code=500"}).status_code == 500
        # A delay set by the operator counts too.
        admin.request("POST", "/__mock/settings", base=admin.server.origin,
                      json={"delay_ms": 60_000}).raise_for_status()
        assert admin.summary(params=NOV).status_code == 503
        admin.request("POST", "/__mock/reset", base=admin.server.origin).raise_for_status()
    finally:
        gate.active = 0
    ok = admin.summary(params=NOV, headers={"Prefer": "delay=1"})
    assert ok.status_code == 200 and ok.headers["Preference-Applied"] == "delay=1"


def test_a_stall_beyond_the_cap_is_a_503(tmp_path: Path) -> None:
    (tmp_path / "stall.yaml").write_text(STALL_YAML)
    for c in admin_client(scenarios=(str(tmp_path / "stall.yaml"),)):
        gate = full(c)
        try:
            resp = c.summary(params=NOV)
            assert resp.status_code == 503
        finally:
            gate.active = 0
