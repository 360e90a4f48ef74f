"""``--state redis://host:port/db``: the runtime state of every process on every host in
one Redis (through the maintained client, ``redis`` on PyPI, and its asyncio API).

Keys (all under ``freddy-mock:``):

- ``control``: the current Control as one JSON document (its ``version`` inside). A change
  is an optimistic transaction (``WATCH``/``MULTI``: the standard check-and-set), which
  also ``PUBLISH``-es the new document on ``changes``.
- ``g{generation}:w:{limit}\\x1f{org}:{window}`` and ``g{generation}:n:{scenario}``:
  rate-limit windows and ``every:`` counters: ``INCRBY`` (atomic in Redis) + ``EXPIRE``,
  one pipelined round trip shared by the requests of a loop turn
  (:mod:`~mock_server.runtime.redis_counters`). ``reset`` starts a new generation: older
  counters are no longer read and expire by themselves.
- ``outcomes``: the coverage counts, a hash of ``{session}\\x1f{outcome}`` -> requests,
  added to in batches (``HINCRBY``, one pipelined round trip per batch); a reset of a
  scope deletes its fields.
- ``journal`` (a list trimmed to the journal's size) and ``journal:count``: see
  :mod:`~mock_server.runtime.redis_journal`.
- ``sessions``, ``s:{name}...`` and the channel ``session-changes``: see
  :mod:`~mock_server.runtime.redis_sessions`.

Each process keeps the Control in memory (the hot path never waits on Redis) and a
listener task keeps it current: it subscribes to ``changes`` (a switch made on one host is
seen on the others within milliseconds) and every ``POLL`` seconds compares the stored
document (missed messages, liveness). When Redis is lost the process keeps answering with
the state it knew, counts in memory meanwhile, answers changes with 503
(:class:`~mock_server.runtime.base.StateUnavailable`), and reconnects by itself. Redis back
but empty (restarted without persistence): the newest copy any process holds is written
back, so no setting is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import WatchError

from mock_server.runtime.base import (
    COUNT_TTL,
    Change,
    Outcomes,
    StateBackend,
    StateError,
    StateUnavailable,
)
from mock_server.runtime.control import Activation, Control
from mock_server.runtime.memory import MemoryCounters
from mock_server.runtime.redis_counters import CounterBatch
from mock_server.runtime.redis_journal import RedisJournal
from mock_server.runtime.redis_link import (
    BACKOFF,
    ERRORS,
    PREFIX,
    TIMEOUT,
    RedisLink,
    masked_url,
    stop,
)
from mock_server.runtime.redis_sessions import CHANNEL as SESSION_CHANNEL
from mock_server.runtime.redis_sessions import RedisSessions, SharedSessions
from mock_server.runtime.sessions import DEFAULTS, Limits

log = logging.getLogger("freddy_mock")
OUTCOMES = PREFIX + "outcomes"  # the coverage counts (qa/coverage.py)

CONTROL = PREFIX + "control"
CHANNEL = PREFIX + "changes"
POLL = 5.0  # seconds between the listener's checks of the stored Control (liveness)
RECHECK = 0.25  # the same while a command failed but the subscription still stands
TRIES = 10  # check-and-set attempts of one change under contention


def _decoded(data: bytes) -> Control | None:
    """A stored or published Control; None (and a warning) for anything else."""
    try:
        return Control.decode(data)
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("shared state: ignored a value under %s that is not a state", PREFIX)
        return None


class RedisBackend(RedisLink, SharedSessions, StateBackend):  # (sessions: redis_sessions.py)
    backend = "redis"
    shared = True

    def __init__(self, url: str, initial: Iterable[Activation] = (),
                 journal_size: int = 0, limits: Limits = DEFAULTS) -> None:
        StateBackend.__init__(self, initial, limits)
        RedisLink.__init__(self, url)  # client, connected, error, closing; lost(), guard()
        self._redis_sessions = RedisSessions(self, self._control, limits)
        self._fallback = MemoryCounters()  # while Redis cannot be reached
        self._listener: asyncio.Task[None] | None = None
        self._counters: CounterBatch | None = None
        self.journal = RedisJournal(self, journal_size) if journal_size > 0 else None

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        # One quiet retry per command: a pooled connection Redis closed (a restart) is
        # replaced transparently; anything longer is the listener's to handle.
        self.client = aioredis.Redis.from_url(
            self.url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
            retry=Retry(NoBackoff(), 1))
        try:
            await self._sync()
        except ERRORS as exc:
            await self.client.aclose()
            raise StateError(f"--state {masked_url(self.url)}: cannot use Redis: {exc}") \
                from None
        self._up()
        self._counters = CounterBatch(self.client)
        self._redis_sessions.start(self.client)
        self._listener = asyncio.create_task(self._listen(), name="freddy-mock-state")
        if self.journal is not None:
            self.journal.start()

    async def close(self) -> None:
        self.closing = True  # (a cancellation that asyncio.timeout turns into a
        # TimeoutError must not keep the listener going: it checks this too)
        if self._counters is not None:
            self._counters.cancel()
        if self.journal is not None:
            await self.journal.close()
        if self._listener is not None:
            await stop(self._listener)
        if self.client is not None:
            with contextlib.suppress(*ERRORS):
                await self.client.aclose()

    def describe(self) -> dict[str, Any]:
        return {"backend": self.backend, "shared": True, "url": masked_url(self.url),
                "connected": self.connected, "error": self.error}

    # -- connection state --------------------------------------------------------------
    def _up(self) -> None:
        if not self.connected:
            if self.error is not None:
                log.warning("shared state: Redis at %s reachable again", masked_url(self.url))
            self.connected, self.error = True, None
            self._fallback.clear()
            self._redis_sessions.forget()
            if self.journal is not None:
                self.journal.wake()

    async def _listen(self) -> None:
        delay = BACKOFF[0]
        while not self.closing:
            assert self.client is not None
            try:
                async with self.client.pubsub() as ps:
                    await ps.subscribe(CHANNEL, SESSION_CHANNEL)
                    await self._sync()  # after subscribing: no change falls between
                    self._up()
                    delay = BACKOFF[0]
                    while not self.closing:
                        msg = await ps.get_message(ignore_subscribe_messages=True,
                                                   timeout=POLL if self.connected else RECHECK)
                        if msg is not None and msg.get("type") == "message":
                            if msg["channel"] == SESSION_CHANNEL.encode():
                                self._redis_sessions.receive(msg["data"])
                            else:
                                self._receive(msg["data"])
                        if msg is None or not self.connected:
                            await self._sync()
                            self._up()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis errors, or anything else: never a dead listener
                if self.closing:
                    return
                self.lost(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF[1])

    def _receive(self, data: bytes) -> None:
        control = _decoded(data)
        if control is not None:
            self._install(control)

    async def _sync(self) -> None:
        """Adopt the stored Control; write ours when Redis has none or an older one."""
        assert self.client is not None
        raw = await self.client.get(CONTROL)  # the usual case: one GET, nothing to write
        stored = None if raw is None else _decoded(raw)
        mine = self._control
        if stored is not None and stored.version >= mine.version:
            self._install(stored)
            return
        await self._check_and_set(
            self.client, lambda s: None if s is not None and s.version >= mine.version else mine)

    async def _check_and_set(self, client: aioredis.Redis,
                             decide: Callable[[Control | None], Control | None]) -> Control:
        """``decide(stored)`` gives the Control to store (and publish), or None to adopt the
        stored one; WATCH/MULTI, again when another process changed it meanwhile."""
        for _ in range(TRIES):
            async with client.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(CONTROL)
                    raw = await pipe.get(CONTROL)
                    stored = None if raw is None else _decoded(raw)
                    new = decide(stored)
                    if new is None:
                        assert stored is not None
                        self._install(stored)
                        return stored
                    data = new.encode()
                    pipe.multi()
                    pipe.set(CONTROL, data)
                    pipe.publish(CHANNEL, data)
                    await pipe.execute()
                except WatchError:
                    continue
            self._install(new)
            return new
        raise StateUnavailable("too many concurrent changes; try again")

    # -- changes ---------------------------------------------------------------------
    async def update(self, change: Change) -> tuple[Control, Control]:
        seen: list[Control] = []

        def decide(stored: Control | None) -> Control:
            seen[:] = [stored or self._control]
            return change(seen[0]).next_version(self._control.version)

        with self.guard() as client:
            new = await self._check_and_set(client, decide)
        return seen[0], new

    async def reset(self) -> None:
        await self.update(lambda c: c.reset_to(self.initial))

    # -- counters: one pipelined round trip (shared by the requests of a loop turn) ------
    async def counted(self, key: str, cost: int, ttl: int) -> int | None:
        """``key``'s count in Redis after adding ``cost``; None while Redis is lost (the
        caller counts in memory meanwhile)."""
        if self.connected and self._counters is not None:
            try:
                return await self._counters.count(key, cost, ttl)
            except ERRORS as exc:
                self.lost(exc)
        return None

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        count = await self.counted(f"{PREFIX}g{self._control.generation}:w:{key}:{window}",
                                   cost, ttl)
        return self._fallback.hit(key, window, cost, ttl) if count is None else count

    # -- outcome counts (coverage): one pipelined round trip per batch ------------------
    async def add_outcomes(self, counts: Outcomes) -> None:
        key = OUTCOMES
        with self.guard() as client:
            async with client.pipeline(transaction=False) as pipe:
                for (session, name), n in counts.items():
                    pipe.hincrby(key, f"{session or ''}\x1f{name}", n)
                pipe.expire(key, COUNT_TTL)
                await pipe.execute()

    async def outcomes(self) -> Outcomes:
        with self.guard() as client:
            raw = await client.hgetall(OUTCOMES)
        found: Outcomes = {}
        for field, n in raw.items():
            session, _, name = field.decode().partition("\x1f")
            found[session or None, name] = int(n)
        return found

    async def clear_outcomes(self, session: str | None) -> None:
        prefix = f"{session or ''}\x1f".encode()
        with self.guard() as client:
            fields = [f for f in await client.hkeys(OUTCOMES) if f.startswith(prefix)]
            if fields:
                await client.hdel(OUTCOMES, *fields)

    async def next_count(self, name: str) -> int:
        count = await self.counted(f"{PREFIX}g{self._control.generation}:n:{name}", 1,
                                   COUNT_TTL)
        return self._fallback.next_count(name) if count is None else count
