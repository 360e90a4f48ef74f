"""Every backend keeps sessions alike: the start-up config and their own switches and
counters only, expiry after the ttl unused, the cap, ending one. Driven through the backend
objects with explicit times (the mock's clock in seconds), so nothing sleeps."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Callable, Iterator

import pytest

from mock_server.runtime.base import StateBackend
from mock_server.runtime.control import Activation
from mock_server.runtime.file import FileBackend
from mock_server.runtime.memory import MemoryBackend
from mock_server.runtime.sessions import Limits, TooManySessions

from redis_server import RedisServer

TTL = 60.0
T0 = 1_800_000_000.0
START = [Activation("slow")]  # a start-up scenario (as --scenarios slow)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


Make = Callable[[Limits], StateBackend]


@pytest.fixture(params=["memory", "file", "redis"])
def make(request: pytest.FixtureRequest, loop: asyncio.AbstractEventLoop,
         redis_server: RedisServer) -> Iterator[Make]:
    made: list[StateBackend] = []

    def build(limits: Limits) -> StateBackend:
        if request.param == "memory":
            backend: StateBackend = MemoryBackend(START, limits)
        elif request.param == "file":
            backend = FileBackend(START, 0, limits)
        else:
            from mock_server.runtime.redis_backend import RedisBackend

            with redis_server.client() as c:
                c.flushall()
            backend = RedisBackend(redis_server.url, START, 0, limits)
        loop.run_until_complete(backend.start())
        made.append(backend)
        return backend

    yield build
    for backend in made:
        loop.run_until_complete(backend.close())


def test_sessions_see_their_own_switches_and_counters(make: Make,
                                                      loop: asyncio.AbstractEventLoop) -> None:
    run = loop.run_until_complete
    backend = make(Limits(TTL, 10))
    a = run(backend.scope("a", T0))
    b = run(backend.scope("b", T0))
    run(a.activate("flaky"))
    run(b.set_overrides(lambda o: o.__class__(delay_ms=7)))
    run(backend.activate("empty-org"))
    assert [x.name for x in run(backend.scope("a", T0 + 1)).active()] == ["slow", "flaky"]
    assert run(backend.scope("b", T0 + 1)).overrides.delay_ms == 7
    assert [x.name for x in run(backend.scope("b", T0 + 1)).active()] == ["slow"]
    assert [x.name for x in backend.active()] == ["slow", "empty-org"]
    assert backend.overrides.delay_ms == 0
    # counters: every: and rate-limit windows, per scope
    assert [run(a.next_count("flaky")) for _ in range(3)] == [1, 2, 3]
    assert run(b.next_count("flaky")) == 1 and run(backend.next_count("flaky")) == 1
    assert run(a.hit("k", 5)) == 1 and run(a.hit("k", 5)) == 2 and run(b.hit("k", 5)) == 1
    run(a.reset())  # a's own: its switches and counters
    assert [x.name for x in run(backend.scope("a", T0 + 2)).active()] == ["slow"]
    assert run(a.next_count("flaky")) == 1 and run(b.next_count("flaky")) == 2
    run(backend.reset())  # the no-session scope's only
    assert run(b.next_count("flaky")) == 3
    assert run(backend.scope("b", T0 + 3)).overrides.delay_ms == 7


def test_expiry_cap_and_end(make: Make, loop: asyncio.AbstractEventLoop) -> None:
    run = loop.run_until_complete
    backend = make(Limits(TTL, 2))
    run(run(backend.scope("a", T0)).activate("flaky"))
    run(backend.scope("b", T0 + 10))
    with pytest.raises(TooManySessions) as refused:
        run(backend.scope("c", T0 + 20))
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "40"
    assert [s.name for s in run(backend.sessions(T0 + 20))] == ["b", "a"]
    assert run(backend.end("b")) is True and run(backend.end("b")) is False
    run(backend.scope("c", T0 + 30))  # room again
    # a unused for longer than the ttl: gone, and it starts again with nothing switched
    assert [s.name for s in run(backend.sessions(T0 + TTL + 5))] == ["c"]
    again = run(backend.scope("a", T0 + TTL + 5))
    assert [x.name for x in again.active()] == ["slow"]
    assert run(again.next_count("flaky")) == 1


def test_ten_thousand_sessions_stay_bounded(loop: asyncio.AbstractEventLoop) -> None:
    run = loop.run_until_complete
    cap = 10_000
    backend = MemoryBackend(START, Limits(TTL, cap))

    async def open_all(prefix: str, now: float) -> None:
        for i in range(cap):
            await backend.scope(f"{prefix}{i}", now)

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(open_all("s", T0))
        used = tracemalloc.get_traced_memory()[0] - before
        with pytest.raises(TooManySessions):
            run(backend.scope("one-more", T0 + 1))
        run(open_all("t", T0 + TTL + 1))  # the first 10,000 expired: replaced, not added
        again = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used / cap < 1024, f"{used / cap:.0f} bytes per idle session"
    assert again < used * 1.2, (used, again)
    assert len(run(backend.sessions(T0 + TTL + 1))) == cap
