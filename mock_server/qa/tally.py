"""This process's outcome counts, not yet in the store: an in-process tally, drained in
batches (the plain path pays one dict increment, never a round trip to a shared store).

The plain path keeps what its classification needs (the body it sent, the raw query, the
clock's hour, whether an alias header carried the key) and adds one to that signature; the
signatures are sorted into outcome names only when the tally is drained (a memo makes that
a lookup for repeated requests). Everything else adds its outcome names directly.

The tally belongs to one counter generation (``Control.generation``, which a reset
increases in every process): when a newer one is installed the pending counts are dropped
(:meth:`Tally.restart`), and a batch already drained is written under the generation it
was counted in, which no reader of the fresh counts looks at.
"""

from __future__ import annotations

from typing import Any

from multidict import istr

from mock_server.qa.outcomes import Classifier
from mock_server.runtime.base import Outcomes as Counts

LIMIT = 4096  # distinct signatures kept before they are folded into names


class Tally:
    __slots__ = ("_classifier", "_folded", "_named", "alias", "generation", "pending")

    def __init__(self, classifier: Classifier, generation: int = 0) -> None:
        self._classifier = classifier
        self.generation = generation  # the counter generation these counts belong to
        # The plain path adds to ``pending`` itself (engine/pipeline.py): the signature
        # (body, raw query, hour, whether ``alias`` carried the key) -> requests.
        self.pending: dict[tuple[Any, ...], int] = {}
        aliases = classifier.alias_names
        self.alias = istr(aliases[0]) if aliases else istr("")  # ("" is in no request)
        self._named: dict[tuple[str | None, tuple[str, ...]], int] = {}
        self._folded: Counts = {}

    def plain(self, signature: tuple[bytes, str, int, bool]) -> None:
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
        for signature, n in plain.items():
            for name in self._classifier.plain(*signature):
                folded[None, name] = folded.get((None, name), 0) + n
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

    def restart(self, generation: int) -> None:
        """A reset: what is pending belongs to the counts it cleared."""
        self.pending.clear()
        self._named.clear()
        self._folded.clear()
        self.generation = generation
