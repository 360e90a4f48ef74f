"""Unbounded admin state: org ids, activations and forced errors are capped (small caps
here, set on the module; the defaults are 128 characters and 1,000 of each)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.control import admin

from conftest import Client
from helpers import admin_client, call


@pytest.fixture
def c(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setattr(admin, "MAX_ACTIVATIONS", 3)
    monkeypatch.setattr(admin, "MAX_FORCED_ERRORS", 3)
    yield from admin_client()


def test_a_long_org_id_is_refused(c: Client) -> None:
    long_org = "o" * (admin.MAX_ORG_ID + 1)
    resp = call(c, "POST", "scenarios/slow/activate", params={"org": long_org})
    assert resp.status_code == 400 and "at most 128 characters" in resp.text
    resp = call(c, "POST", "settings", json={"error": 500, "org": long_org})
    assert resp.status_code == 400
    assert call(c, "GET", "scenarios").json()["active"] == []
    assert call(c, "GET", "settings").json()["errors"] == []
    ok = call(c, "POST", "scenarios/slow/activate", params={"org": "o" * admin.MAX_ORG_ID})
    assert ok.status_code == 200


def test_activations_are_capped(c: Client) -> None:
    for i in range(3):
        assert call(c, "POST", "scenarios/slow/activate",
                    params={"org": f"org_{i}"}).status_code == 200
    resp = call(c, "POST", "scenarios/slow/activate", params={"org": "org_3"})
    assert resp.status_code == 400 and "At most 3 activations" in resp.text
    assert len(call(c, "GET", "scenarios").json()["active"]) == 3
    # an activation already there is not a new one; a freed slot can be used again
    assert call(c, "POST", "scenarios/slow/activate",
                params={"org": "org_0"}).status_code == 200
    assert call(c, "POST", "scenarios/slow/deactivate",
                params={"org": "org_0"}).status_code == 200
    assert call(c, "POST", "scenarios/slow/activate",
                params={"org": "org_3"}).status_code == 200


def test_forced_errors_are_capped(c: Client) -> None:
    for i in range(3):
        assert call(c, "POST", "settings",
                    json={"error": 500, "org": f"org_{i}"}).status_code == 200
    resp = call(c, "POST", "settings", json={"error": 500, "org": "org_3"})
    assert resp.status_code == 400 and "At most 3 organizations" in resp.text
    assert len(call(c, "GET", "settings").json()["errors"]) == 3
    assert call(c, "POST", "settings", json={"error": 403, "org": "org_1"}).status_code == 200
    assert call(c, "POST", "settings", json={"error": None, "org": "org_1"}).status_code == 200
    assert call(c, "POST", "settings", json={"error": 500, "org": "org_3"}).status_code == 200
