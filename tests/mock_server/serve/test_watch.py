"""``--watch`` reloads off the event loop and never dies silently."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.config import QaConfig
from mock_server.serve import watch
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, Client, start

BLOCKED_FOR = 10.0  # seconds the fake reload holds at most (it is released sooner)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[MockServerThread, Path]]:
    path = tmp_path / "watched.yaml"
    edit(path, "rules:\n  - error: 500\n")
    srv = start(qa=QaConfig(scenarios=(str(path),), admin=True, watch=True,
                            watch_interval=0.01))
    yield srv, path
    srv.stop()


def edit(path: Path, text: str) -> None:
    """Replace the file at once, as an editor's save-and-rename does: the watcher never
    reads a half-written file (a truncated one parses as an empty document)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def touch(path: Path, n: int) -> None:
    """A new mtime for the watcher (set, not waited for)."""
    os.utime(path, ns=(n * 1_000_000_000, n * 1_000_000_000))


def health(srv: MockServerThread) -> dict[str, Any]:
    return requests.get(srv.origin + "/__mock/health", timeout=5).json()


def until(condition: Any) -> dict[str, Any]:
    for _ in range(2000):  # bounded; each poll is one request
        doc = condition()
        if doc:
            return doc
    raise AssertionError("not reached after 2000 polls")


def test_a_slow_reload_does_not_stall_the_event_loop(
        watched: tuple[MockServerThread, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    srv, path = watched
    entered, release = threading.Event(), threading.Event()
    real = watch.load_catalog

    def slow_load(*args: Any) -> Any:
        entered.set()
        release.wait(BLOCKED_FOR)  # a file that takes long to load
        return real(*args)

    monkeypatch.setattr(watch, "load_catalog", slow_load)
    touch(path, 1)
    assert entered.wait(30), "the watcher never reloaded"
    try:
        # answered while the reload is still running: it is not on the event loop
        assert health(srv)["reloads"] == 0
    finally:
        release.set()
    assert until(lambda: (h := health(srv))["reloads"] == 1 and h)["reload_error"] is None


def test_a_reload_that_crashes_is_reported_and_watching_goes_on(
        watched: tuple[MockServerThread, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    srv, path = watched
    calls: list[int] = []
    real = watch.load_catalog

    def failing_once(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("out of memory while loading")
        return real(*args)

    monkeypatch.setattr(watch, "load_catalog", failing_once)
    touch(path, 1)
    doc = until(lambda: (h := health(srv))["reload_error"] and h)
    assert "MemoryError" in doc["reload_error"] and doc["watching"] is True
    edit(path, "name: watched\nrules:\n  - error: 403\n")  # a later good edit
    touch(path, 2)
    doc = until(lambda: (h := health(srv))["reloads"] == 1 and h)
    assert doc["reload_error"] is None and doc["watching"] is True
    resp = requests.get(srv.base_url + "/analytics/api-keys/summary/org_abc123",
                        headers={"X-API-Key": "mock-key-abc123"}, timeout=5)
    assert resp.status_code == 403


def test_watch_reloads_without_dropping_requests(watched: tuple[MockServerThread, Path]) -> None:
    srv, path = watched
    seen: list[int] = []
    with requests.Session() as s:
        c = Client(srv, s)

        def asking(check: Callable[[dict[str, Any]], bool]) -> Callable[[], Any]:
            def poll() -> Any:  # requests keep flowing while the file is reloaded
                seen.append(c.summary().status_code)
                doc = health(srv)
                return check(doc) and doc
            return poll

        assert c.summary().status_code == 500
        edit(path, "name: watched\nrules:\n  - error: 403\n")
        until(asking(lambda h: h["reloads"] >= 1))
        assert set(seen) <= {500, 403}
        assert c.summary().status_code == 403
        # a broken edit is reported and the previous rules stay in force
        edit(path, "rules:\n  - error: 999\n")
        doc = until(asking(lambda h: h["reload_error"] is not None))
        assert str(path) in doc["reload_error"] and "line 2" in doc["reload_error"]
        assert c.summary().status_code == 403
        assert set(seen) <= {500, 403}
        assert c.summary(key=KEY_ABC, params={"month": 13}).status_code == 400


def test_a_scenario_a_reload_removed_is_off_and_reset_keeps_it_gone(
        watched: tuple[MockServerThread, Path]) -> None:
    """d7d8f84: a scenario renamed away by an edit stayed listed as active and could not be
    deactivated (404); POST /__mock/reset then brought it back and switched the file's
    current scenario off."""
    srv, path = watched
    with requests.Session() as s:
        c = Client(srv, s)
        assert c.summary().status_code == 500  # "watched" (the file's stem), active
        before = health(srv)["reloads"]
        edit(path, "name: renamed\nrules:\n  - error: 403\n")
        until(lambda: health(srv)["reloads"] > before)
        assert health(srv)["active"] == [{"name": "renamed", "org": None}]
        assert c.summary().status_code == 403
        assert s.post(srv.origin + "/__mock/reset", timeout=5).status_code == 200
        assert health(srv)["active"] == [{"name": "renamed", "org": None}]
        assert c.summary().status_code == 403
        off = s.post(srv.origin + "/__mock/scenarios/renamed/deactivate", timeout=5)
        assert off.status_code == 200 and off.json()["was_active"] is True
        assert c.summary().status_code == 200
