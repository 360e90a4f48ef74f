"""Runtime state shared by the processes of ``--workers N``.

Made in the parent before it forks, from ``multiprocessing`` shared memory and one lock, so
every worker sees the same active scenarios and counts against the same rate-limit windows
and request counters. The hot-path read, :meth:`SharedRuntime.active`, takes no lock: it
compares a version number in shared memory with the one it last decoded.

Counters live in a fixed open-addressing table (``SLOTS`` entries of key hash, window and
count); more distinct orgs and counters than that share the oldest slots' fate: the table
is cleared when full, which only restarts some windows early.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Iterable

from mock_server.qa.runtime import Activation

SLOTS = 4096
ACTIVE_BYTES = 64 * 1024


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1 or 1  # 63 bits, never 0 (0 marks a free slot)


class SharedRuntime:
    def __init__(self, initial: Iterable[Activation] = ()) -> None:
        ctx = multiprocessing.get_context("fork")
        self._lock = ctx.Lock()
        self._initial = tuple(dict.fromkeys(initial))
        self._version = ctx.RawValue("Q", 0)
        self._blob = ctx.RawArray("c", ACTIVE_BYTES)
        self._table = ctx.RawArray("q", SLOTS * 3)  # (key, window, count) per slot
        self._seen = -1
        self._cached: tuple[Activation, ...] = ()
        self._write_active(self._initial)

    # -- activations -----------------------------------------------------------------
    def _write_active(self, items: tuple[Activation, ...]) -> None:
        data = json.dumps([[a.name, a.org] for a in items]).encode()
        if len(data) >= ACTIVE_BYTES:
            raise ValueError("too many active scenarios")
        self._blob.raw = data + b"\0" * (ACTIVE_BYTES - len(data))
        self._version.value += 1

    def _read_active(self) -> tuple[Activation, ...]:
        raw = self._blob.raw.split(b"\0", 1)[0]
        return tuple(Activation(name, org) for name, org in json.loads(raw or b"[]"))

    def active(self) -> tuple[Activation, ...]:
        version = self._version.value
        if version != self._seen:
            with self._lock:
                self._cached = self._read_active()
                self._seen = self._version.value
        return self._cached

    def activate(self, name: str, org: str | None = None) -> None:
        item = Activation(name, org)
        with self._lock:
            current = self._read_active()
            if item not in current:
                self._write_active((*current, item))

    def deactivate(self, name: str, org: str | None = None) -> bool:
        item = Activation(name, org)
        with self._lock:
            current = self._read_active()
            if item not in current:
                return False
            self._write_active(tuple(a for a in current if a != item))
            return True

    def reset(self) -> None:
        with self._lock:
            self._write_active(self._initial)
            for i in range(len(self._table)):
                self._table[i] = 0

    # -- counters --------------------------------------------------------------------
    def _slot(self, key: int) -> int:
        """Index of ``key``'s slot (claimed if new); caller holds the lock."""
        start = key % SLOTS
        for probe in range(SLOTS):
            i = ((start + probe) % SLOTS) * 3
            if self._table[i] == key:
                return i
            if self._table[i] == 0:
                self._table[i] = key
                self._table[i + 1] = 0
                self._table[i + 2] = 0
                return i
        for i in range(len(self._table)):  # full: start afresh
            self._table[i] = 0
        self._table[start * 3] = key
        return start * 3

    def hit(self, org: str, window: int, cost: int = 1) -> int:
        key = _key("w\x1f" + org)
        with self._lock:
            i = self._slot(key)
            if self._table[i + 1] != window:
                self._table[i + 1] = window
                self._table[i + 2] = 0
            self._table[i + 2] += cost
            return self._table[i + 2]

    def next_count(self, name: str) -> int:
        key = _key("c\x1f" + name)
        with self._lock:
            i = self._slot(key)
            self._table[i + 2] += 1
            return self._table[i + 2]
