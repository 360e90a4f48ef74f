"""Rate limiting per organization, in fixed windows of the mock's clock.

The vendor documents 100 requests per minute per organization for these endpoints, and
the ``x-ratelimit-*`` headers; ``--rate-limit 100/min`` switches it on. Counters live in
:class:`~mock_server.runtime.base.StateBackend`. Windows follow the (possibly frozen) clock, so
with ``--now`` every request falls in the same window and tests are deterministic.

Headers: ``x-ratelimit-limit-requests`` (the limit), ``x-ratelimit-remaining-requests``,
``x-ratelimit-reset-requests`` (time until the window resets, as ``42s``, the style of the
API family's headers) on every response of the API route; ``Retry-After`` (seconds) on the
429, where RFC 9110 gives it a meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mock_server.foundation.errors import ApiError
from mock_server.foundation.syntax import parse_rate  # the config's rule too
from mock_server.runtime.scope import Scope


@dataclass(frozen=True, slots=True)
class RateLimit:
    limit: int
    period: int  # seconds
    name: str = ""  # counter namespace: "" for --rate-limit, the scenario for a scenario's

    @classmethod
    def parse(cls, text: str, name: str = "") -> RateLimit:
        limit, period = parse_rate(text)
        return cls(limit, period, name)

    def _window(self, now: datetime) -> tuple[int, int]:
        stamp = now.timestamp()
        window = math.floor(stamp / self.period)
        reset = max(1, math.ceil((window + 1) * self.period - stamp))
        return window, reset

    def headers(self, count: int, reset: int) -> dict[str, str]:
        return {
            "x-ratelimit-limit-requests": str(self.limit),
            "x-ratelimit-remaining-requests": str(max(0, self.limit - count)),
            "x-ratelimit-reset-requests": f"{reset}s",
        }

    @property
    def ttl(self) -> int:
        """Seconds Redis keeps a window after its last request (``EXPIRE`` is renewed on
        each): two periods, at least two minutes. With a frozen clock (``--now``) the
        window never changes: on Redis its count restarts after ``ttl`` seconds without a
        request; in memory and in the ``--workers`` file, which keep no time, it never
        restarts until ``POST /__mock/reset``."""
        return max(2 * self.period, 120)

    async def peek(self, runtime: Scope, org: str, now: datetime) -> dict[str, str]:
        """The headers for a response that does not count (e.g. unauthenticated)."""
        window, reset = self._window(now)
        return self.headers(await runtime.hit(self.name + "\x1f" + org, window, 0), reset)

    async def consume(
        self, runtime: Scope, org: str, now: datetime, out: dict[str, str]
    ) -> None:
        """Count one request; fill ``out`` with the headers; raise the 429 when over. With a
        shared backend: one round trip (the window's count is kept atomically there)."""
        window, reset = self._window(now)
        count = await runtime.hit(self.name + "\x1f" + org, window, 1, self.ttl)
        out.update(self.headers(count, reset))
        if count > self.limit:
            raise exceeded(out, reset)


def exceeded(headers: dict[str, str], retry_after: int) -> ApiError:
    return ApiError(429, headers={**headers, "Retry-After": str(retry_after)})


def exhausted(rate: RateLimit, now: datetime) -> ApiError:
    """The 429 of a limit already used up (the ``rate-limited`` scenario, ``code=429``):
    ``Retry-After`` is the end of ``rate``'s window (an hour's under ``N/hour``)."""
    _, reset = rate._window(now)
    return exceeded(rate.headers(rate.limit, reset), reset)
