"""Requests held open on purpose (a delay, a stalled fault): at most ``limit`` at once.

``Prefer: delay=60000`` costs a client nothing and holds a connection for a minute; without
a cap a few hundred such requests use up the connections everyone else needs. Beyond the
cap the request is answered at once with 503 ``SERVICE_UNAVAILABLE`` (``Retry-After: 1``)
in the envelope. Counted per process (event-loop thread only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mock_server.stages.errors import ApiError


class Holds:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    @contextmanager
    def hold(self) -> Iterator[None]:
        if self.count >= self.limit:
            raise ApiError(503, f"More than {self.limit} requests are being delayed at once; "
                                "retry later", headers={"Retry-After": "1"})
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1
