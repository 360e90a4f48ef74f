"""A cap on requests held open on purpose at once: delayed answers and stalls.

``Prefer: delay=60000`` needs only a public fixture key, so without a cap anyone could hold
as many connections (and file descriptors) as they open. Beyond ``limit`` requests being
delayed or stalled at once, the next one that asks for a delay is answered 503 in the
envelope, at once, with ``Retry-After``; the others go on as before. (Connection caps
and timeouts are engine/protocol.py's; this module is the one place for the delay cap,
set with ``MockConfig.max_delayed`` / ``--max-delayed``.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from mock_server.config import MAX_DELAYED  # the default of MockConfig.max_delayed
from mock_server.foundation.errors import ApiError


class DelayGate:
    def __init__(self, limit: int = MAX_DELAYED) -> None:
        self.limit = limit
        self.active = 0  # requests holding a slot now (event-loop thread only)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the ``with`` block; the 503 when none is free."""
        if self.active >= self.limit:
            raise ApiError(503, f"{self.limit} requests are being delayed already; retry "
                                "later", headers={"Retry-After": "1"})
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1

    async def sleep(self, ms: int) -> None:
        with self.slot():
            await asyncio.sleep(ms / 1000)
