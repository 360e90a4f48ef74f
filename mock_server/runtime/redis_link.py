"""The connection to Redis that the backend and its journal share: the key prefix, timeouts,
the errors that mean "Redis is lost", the URL shown without its password, the start-up
probe, and the connection's state (:class:`RedisLink`, which the backend is). The backend
(:mod:`~mock_server.runtime.redis_backend`) and the journal
(:mod:`~mock_server.runtime.redis_journal`) both import this module, never each other's
in a circle: the backend owns the journal, the journal sees the backend as a ``RedisLink``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mock_server.runtime.base import StateError, StateUnavailable

PREFIX = "freddy-mock:"
TIMEOUT = 1.0  # seconds: connecting, and waiting for any answer
BACKOFF = (0.05, 1.0)  # seconds between reconnection attempts: first, most
ERRORS = (RedisError, OSError)
log = logging.getLogger("freddy_mock")


class RedisLink:
    """The connection the backend, its journal and its sessions share: the client, whether
    Redis answers now, and why not. A failed command marks it lost; the backend's listener
    reconnects and marks it up again."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connected = False
        self.error: str | None = None
        self.client: aioredis.Redis | None = None
        self.closing = False

    def lost(self, exc: BaseException) -> None:
        """A command failed: serve from memory until the listener reconnects."""
        if self.connected:
            log.warning("shared state: Redis at %s lost (%s); answering with the last "
                        "known state", masked_url(self.url), exc)
        self.connected, self.error = False, str(exc) or type(exc).__name__

    def ready(self) -> aioredis.Redis:
        """The client, or StateUnavailable while Redis is lost."""
        if not self.connected or self.client is None:
            raise self.unavailable()
        return self.client

    def unavailable(self) -> StateUnavailable:
        return StateUnavailable(f"Redis at {masked_url(self.url)}: {self.error}")

    @contextlib.contextmanager
    def guard(self) -> Iterator[aioredis.Redis]:
        """``with link.guard() as client: await client...``: a failure of Redis marks it
        lost and comes out as StateUnavailable (503), never as a traceback."""
        client = self.ready()
        try:
            yield client
        except ERRORS as exc:
            self.lost(exc)
            raise self.unavailable() from None


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


