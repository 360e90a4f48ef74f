"""Sessions with ``--state redis://``: shared by every process on every host.

Keys (under ``freddy-mock:``):

- ``sessions``: a sorted set, session name -> its last use (the mock's clock, seconds);
- ``s:{name}``: the session's Control (JSON), kept ``--session-ttl`` + 60 s after its
  last use; a change is a check-and-set (``WATCH``/``MULTI``) that also publishes
  ``name\\n`` + the document on ``session-changes`` (``name\\n`` alone: it ended);
- ``s:{name}:g{generation}:w:...`` / ``...:n:...``: its rate-limit windows and ``every:``
  counters (as the no-session ones, :mod:`~mock_server.runtime.redis_counters`). A
  session's generation starts at its creation time in ms, so one that ends and starts
  again never reads the counters of its earlier life; old ones expire by themselves.

Opening a session is one call of a small Lua script (atomic in Redis): the idle sessions
are dropped from the set, then the session is touched, or made if there is room (the cap
holds across every replica), or refused (503). Each process keeps the scopes it used,
current through the published changes, and opens a scope again only after ``touch``
seconds (a quarter of the ttl, at most 30 s): so a request in a session in use costs no
round trip, and a session in use on any replica is never taken for idle. While Redis is
lost a scope this process holds keeps answering as it was; a new one is a 503.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import WatchError

from mock_server.runtime.base import COUNT_TTL, StateUnavailable
from mock_server.runtime.control import Control
from mock_server.runtime.memory import MemoryCounters
from mock_server.runtime.redis_link import PREFIX
from mock_server.runtime.scope import Change, Scope
from mock_server.runtime.sessions import Limits, SessionView, TooManySessions

SET = PREFIX + "sessions"
CHANNEL = PREFIX + "session-changes"
TOUCH = 30.0  # seconds: the longest a process goes without noting a session's use
TRIES = 10  # check-and-set attempts of one change under contention
# KEYS: the set, the session's document. ARGV: name, now, ttl, cap, a new session's
# document, its key's ttl. Returns {"1", doc} (live), {"2", doc} (made), {"0", retry}.
OPEN = """
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. tostring(now - ttl))
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  local doc = redis.call('GET', KEYS[2])
  if not doc then doc = ARGV[5] end
  redis.call('SET', KEYS[2], doc, 'EX', ARGV[6])
  return {'1', doc}
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {'0', tostring(tonumber(oldest[2]) + ttl - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[6])
return {'2', ARGV[5]}
"""


class Link(Protocol):
    """What the sessions use of the backend (RedisBackend)."""

    client: aioredis.Redis | None
    connected: bool

    def guard(self) -> contextlib.AbstractContextManager[aioredis.Redis]: ...

    async def counted(self, key: str, cost: int, ttl: int) -> int | None: ...


def doc_key(name: str) -> str:
    return f"{PREFIX}s:{name}"


class RedisScope(Scope):
    """One session's scope, as this process knows it (kept current by the listener)."""

    __slots__ = ("_fallback", "_store", "control", "session", "touched")

    def __init__(self, store: RedisSessions, session: str, control: Control,
                 touched: float) -> None:
        self._store = store
        self._fallback = MemoryCounters()  # while Redis cannot be reached
        self.session = session
        self.control = control
        self.touched = touched

    def _key(self, kind: str, name: str) -> str:
        return f"{doc_key(self.session)}:g{self.control.generation}:{kind}:{name}"

    async def update(self, change: Change) -> tuple[Control, Control]:
        return await self._store.change(self, change)

    async def reset(self) -> None:
        initial = self._store.initial
        await self._store.change(self, lambda c: c.reset_to(initial.active))
        self._fallback.clear()

    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        count = await self._store.link.counted(self._key("w", f"{key}:{window}"), cost, ttl)
        return self._fallback.hit(key, window, cost, ttl) if count is None else count

    async def next_count(self, name: str) -> int:
        count = await self._store.link.counted(self._key("n", name), 1, COUNT_TTL)
        return self._fallback.next_count(name) if count is None else count


def _control(data: bytes | None) -> Control | None:
    try:
        return None if not data else Control.decode(data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class RedisSessions:
    def __init__(self, link: Link, initial: Control, limits: Limits) -> None:
        self.link = link
        self.initial = initial
        self.limits = limits
        self._touch = min(TOUCH, limits.ttl / 4)
        self._key_ttl = math.ceil(limits.ttl) + 60
        self._cache: dict[str, RedisScope] = {}
        self._open: AsyncScript | None = None

    def start(self, client: aioredis.Redis) -> None:
        self._open = client.register_script(OPEN)

    def forget(self) -> None:
        """Back from a lost connection: changes may have been missed; open again."""
        self._cache.clear()

    async def open(self, name: str, now: float) -> RedisScope:
        scope = self._cache.get(name)
        if scope is not None and (now - scope.touched < self._touch
                                  or not self.link.connected):
            return scope  # the hot path: no round trip
        fresh = Control(self.initial.active, version=1, generation=int(now * 1000))
        assert self._open is not None
        with self.link.guard():
            status, value = await self._open(
                keys=[SET, doc_key(name)],
                args=[name, repr(now), self.limits.ttl, self.limits.cap, fresh.encode(),
                      self._key_ttl])
        if status == b"0":
            raise TooManySessions(self.limits.cap, float(value))
        control = _control(value) or fresh
        if scope is None:
            scope = RedisScope(self, name, control, now)
            self._cache[name] = scope
            if len(self._cache) > self.limits.cap:  # bounded: forget the idle ones
                self._cache = {k: v for k, v in self._cache.items()
                               if now - v.touched <= self.limits.ttl}
        else:
            scope.control, scope.touched = control, now
        return scope

    async def change(self, scope: RedisScope, change: Change) -> tuple[Control, Control]:
        key = doc_key(scope.session)
        with self.link.guard() as client:
            for _ in range(TRIES):
                async with client.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(key)
                        old = _control(await pipe.get(key)) or scope.control
                        new = change(old).next_version()
                        data = new.encode()
                        pipe.multi()
                        pipe.set(key, data, ex=self._key_ttl)
                        pipe.publish(CHANNEL, scope.session.encode() + b"\n" + data)
                        await pipe.execute()
                    except WatchError:
                        continue
                scope.control = new
                return old, new
        raise StateUnavailable("too many concurrent changes; try again")

    def receive(self, data: bytes) -> None:
        """A change published by any process (this one too)."""
        name, _, doc = data.decode("utf-8", "replace").partition("\n")
        scope = self._cache.get(name)
        if scope is None:
            return
        control = _control(doc.encode())
        if control is None:
            del self._cache[name]  # ended
        else:
            scope.control = control

    async def end(self, name: str) -> bool:
        with self.link.guard() as client:
            async with client.pipeline(transaction=True) as pipe:
                gone, _, _ = await (pipe.zrem(SET, name).delete(doc_key(name))
                                    .publish(CHANNEL, name.encode() + b"\n").execute())
        self._cache.pop(name, None)
        return bool(gone)

    async def live(self, now: float) -> list[SessionView]:
        with self.link.guard() as client:
            await client.zremrangebyscore(SET, "-inf", f"({now - self.limits.ttl!r}")
            rows: list[Any] = await client.zrevrange(SET, 0, -1, withscores=True)
            docs = await client.mget([doc_key(n.decode()) for n, _ in rows]) if rows else []
        return [SessionView(n.decode(), float(seen), _control(doc) or self.initial)
                for (n, seen), doc in zip(rows, docs, strict=True)]


class SharedSessions:
    """The session methods of a backend whose sessions are in Redis (``RedisBackend``):
    a round trip may be needed, where memory and the file answer at once."""

    _redis_sessions: RedisSessions

    async def scope(self, session: str, now: float) -> Scope:
        return await self._redis_sessions.open(session, now)

    async def end(self, session: str) -> bool:
        return await self._redis_sessions.end(session)

    async def sessions(self, now: float) -> list[SessionView]:
        return await self._redis_sessions.live(now)
