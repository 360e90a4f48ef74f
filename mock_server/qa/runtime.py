"""All state that changes while the mock runs, behind one small interface.

Active scenarios, per-org rate-limit counters and the request counters of count-based
scenarios (``every:``) live here and nowhere else, so a shared implementation (several
worker processes on one port) can replace :class:`LocalRuntime` without touching the
stages. Reads on the hot path (:meth:`RuntimeState.active`) return an immutable snapshot
and take no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import NamedTuple, Protocol


class Activation(NamedTuple):
    """A scenario switched on for every organization (``org`` None) or for one."""

    name: str
    org: str | None = None


class RuntimeState(Protocol):
    def active(self) -> tuple[Activation, ...]:
        """The activations in the order they were made (cheap; called per request)."""

    def activate(self, name: str, org: str | None = None) -> None: ...

    def deactivate(self, name: str, org: str | None = None) -> bool:
        """Remove one activation; False when it was not active."""

    def reset(self) -> None:
        """Back to the start-up activations; all counters cleared."""

    def hit(self, org: str, window: int, cost: int = 1) -> int:
        """Add ``cost`` requests to ``org``'s fixed window number ``window``; the new count.

        ``cost=0`` only reads. Older windows of the org are forgotten.
        """

    def next_count(self, name: str) -> int:
        """1, 2, 3, ... per name: the request number for count-based rules."""


class LocalRuntime:
    """In-process implementation; thread-safe (the pytest plugin drives it from the test
    thread while the server runs in its own)."""

    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        self._lock = threading.Lock()
        self._initial = tuple(dict.fromkeys(initial))
        self._active = self._initial
        self._windows: dict[str, tuple[int, int]] = {}
        self._counts: dict[str, int] = {}

    def active(self) -> tuple[Activation, ...]:
        return self._active

    def activate(self, name: str, org: str | None = None) -> None:
        item = Activation(name, org)
        with self._lock:
            if item not in self._active:
                self._active = (*self._active, item)

    def deactivate(self, name: str, org: str | None = None) -> bool:
        item = Activation(name, org)
        with self._lock:
            if item not in self._active:
                return False
            self._active = tuple(a for a in self._active if a != item)
            return True

    def reset(self) -> None:
        with self._lock:
            self._active = self._initial
            self._windows.clear()
            self._counts.clear()

    def hit(self, org: str, window: int, cost: int = 1) -> int:
        with self._lock:
            current, count = self._windows.get(org, (window, 0))
            if current != window:
                count = 0
            count += cost
            self._windows[org] = (window, count)
            return count

    def next_count(self, name: str) -> int:
        with self._lock:
            count = self._counts.get(name, 0) + 1
            self._counts[name] = count
            return count
