"""This process's outcome counts, not yet in the store: an in-process tally, drained in
batches (the plain path pays one dict increment, never a round trip to a shared store).

The plain path keeps what its classification needs (the body it sent, the raw query, the
clock's hour, whether an alias header carried the key) and adds one to that signature; the
signatures are sorted into outcome names only when the tally is drained (a memo makes that
a lookup for repeated requests). Everything else adds its outcome names directly.

A reset of a scope drops that scope's pending counts (:meth:`Tally.drop`): in the process
that took the reset, and, for the requests without a session, in every process as the
reset reaches it (a newer ``Control.generation``).
"""

from __future__ import annotations

from typing import Any

from multidict import istr

from mock_server.qa.outcomes import Classifier
from mock_server.runtime.base import Outcomes as Counts

LIMIT = 4096  # distinct signatures kept before they are folded into names


class Tally:
    __slots__ = ("_classifier", "_folded", "_named", "alias", "pending")

    def __init__(self, classifier: Classifier) -> None:
        self._classifier = classifier
        # The plain path adds to ``pending`` itself (engine/pipeline.py): the signature
        # (body, raw query, hour, whether ``alias`` carried the key) -> requests.
        self.pending: dict[tuple[Any, ...], int] = {}
        aliases = classifier.alias_names
        self.alias = istr(aliases[0]) if aliases else istr("")  # ("" is in no request)
        self._named: dict[tuple[str | None, tuple[str, ...]], int] = {}
        self._folded: Counts = {}

    def plain(self, signature: tuple[bytes, str, int, bool, str | None]) -> None:
        """A plain 200 (what the hot path does inline)."""
        pending = self.pending
        pending[signature] = pending.get(signature, 0) + 1
        if len(pending) > LIMIT:  # client-chosen queries: bounded memory
            self.fold()

    def add(self, names: tuple[str, ...], session: str | None = None) -> None:
        key = (session, names)
        self._named[key] = self._named.get(key, 0) + 1
        if len(self._named) > LIMIT:
            self.fold()

    @property
    def empty(self) -> bool:
        return not (self.pending or self._named or self._folded)

    def fold(self) -> None:
        """Sort what is pending into outcome names."""
        folded = self._folded
        plain, self.pending = self.pending, {}
        for (body, query, hour, alias, session), n in plain.items():
            for name in self._classifier.plain(body, query, hour, alias):
                folded[session, name] = folded.get((session, name), 0) + n
        named, self._named = self._named, {}
        for (session, names), n in named.items():
            for name in names:
                folded[session, name] = folded.get((session, name), 0) + n

    def drain(self) -> Counts:
        """Every count since the last drain, by (session, outcome)."""
        self.fold()
        counts, self._folded = self._folded, {}
        return counts

    def merge(self, counts: Counts) -> None:
        """Counts drained but not stored (the store was lost): back for the next batch."""
        for key, n in counts.items():
            self._folded[key] = self._folded.get(key, 0) + n

    def drop(self, session: str | None) -> None:
        """A reset of ``session``'s scope (None: the requests without one)."""
        self.fold()
        for key in [k for k in self._folded if k[0] == session]:
            del self._folded[key]
