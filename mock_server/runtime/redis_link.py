"""The connection to Redis that the backend and its journal share: the key prefix, timeouts,
the errors that mean "Redis is lost", the URL shown without its password, the start-up
probe, and what the journal needs of the backend (:class:`Link`). The backend
(:mod:`~mock_server.runtime.redis_backend`) and the journal
(:mod:`~mock_server.runtime.redis_journal`) both import this module, never each other's
in a circle: the backend owns the journal, the journal sees the backend as a ``Link``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mock_server.runtime.base import StateError

PREFIX = "freddy-mock:"
TIMEOUT = 1.0  # seconds: connecting, and waiting for any answer
BACKOFF = (0.05, 1.0)  # seconds between reconnection attempts: first, most
ERRORS = (RedisError, OSError)


class Link(Protocol):
    """What the journal uses of the backend's connection."""

    client: aioredis.Redis | None
    connected: bool
    closing: bool

    def lost(self, exc: BaseException) -> None: ...

    def guard(self) -> contextlib.AbstractContextManager[aioredis.Redis]: ...


def masked_url(url: str) -> str:
    """The URL without its password (it goes into logs, errors and /__mock/health); one
    that does not parse is shown by its scheme only."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.partition("://")[0][:16] + "://(not a URL)"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}" if at and ":" in userinfo \
        else parts.netloc
    query = urlencode([(k, "***" if k == "password" else v)
                       for k, v in parse_qsl(parts.query)], safe="*")
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def probe(url: str) -> None:
    """At start-up, before any fork: can Redis be reached at all? Raises StateError."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=2 * TIMEOUT,
                                      socket_connect_timeout=2 * TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
    except (ValueError, *ERRORS) as exc:
        raise StateError(f"--state {masked_url(url)}: cannot use Redis: {exc}") from None


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a background task and wait for it, a bounded time."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
        await asyncio.wait_for(task, 2 * TIMEOUT)


