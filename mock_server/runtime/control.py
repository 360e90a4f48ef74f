"""What QA switches at run time, as one immutable value: :class:`Control`.

Active scenarios (for everyone or one organization) and the run-time settings of
``POST /__mock/settings`` (latency, forced errors). Every backend of
:class:`~mock_server.runtime.base.StateBackend` keeps a whole ``Control`` and replaces it with
a new one on each change (a pure function of the old one, applied atomically in the
backend), so the hot path reads one snapshot and never sees half a change. ``version``
grows with every change; processes compare it to know whether their copy is current.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import orjson


class Activation(NamedTuple):
    """A scenario switched on for every organization (``org`` None) or for one."""

    name: str
    org: str | None = None


@dataclass(frozen=True, slots=True)
class Overrides:
    """Set at run time with ``POST /__mock/settings`` (the control page's latency slider and
    error buttons); replaced as a whole, never mutated."""

    delay_ms: int = 0  # added to every answer of the API (Prefer: delay= replaces it)
    errors: Mapping[str | None, int] = field(default_factory=dict)  # org (None: all) -> status

    @property
    def steer(self) -> bool:
        """Does any setting change answers? (False by default: checked per request.)"""
        return bool(self.delay_ms or self.errors)

    def error_for(self, org: str) -> int | None:
        if not self.errors:
            return None
        return self.errors.get(org, self.errors.get(None))


NO_OVERRIDES = Overrides()


@dataclass(frozen=True, slots=True)
class Control:
    active: tuple[Activation, ...] = ()  # in the order they were made
    overrides: Overrides = NO_OVERRIDES
    version: int = 0
    generation: int = 0  # grows on reset: counters of an older generation no longer count
    # Outcomes the next requests answer, one each, in order (POST /__mock/coverage/next);
    # a request takes the first with one atomic change (qa/oneshot.py).
    next: tuple[str, ...] = ()
    # Built once per Control (a change makes a new one): membership in a set, and the
    # scenario names per organization (None: everyone), so a request never walks the list
    # (thousands of per-org activations cost the API nothing). A change does: the new
    # Control builds its index anew, one pass over at most MAX_ACTIVATIONS (control/admin).
    members: frozenset[Activation] = field(init=False, repr=False, compare=False)
    by_org: Mapping[str | None, tuple[str, ...]] = field(init=False, repr=False,
                                                        compare=False)

    def __post_init__(self) -> None:
        index: dict[str | None, list[str]] = {}
        for a in self.active:
            index.setdefault(a.org, []).append(a.name)
        object.__setattr__(self, "members", frozenset(self.active))
        object.__setattr__(self, "by_org", {k: tuple(v) for k, v in index.items()})

    def names_for(self, org: str) -> tuple[str, ...]:
        """Active scenario names for ``org``: its own first, then everyone's."""
        own, everyone = self.by_org.get(org, ()), self.by_org.get(None, ())
        return own + everyone if own else everyone

    @property
    def quiet(self) -> bool:
        """Nothing active and no setting steering: the plain path."""
        return not self.active and not self.overrides.steer and not self.next

    def activated(self, name: str, org: str | None = None) -> Control:
        item = Activation(name, org)
        return self if item in self.members else replace(self, active=(*self.active, item))

    def deactivated(self, name: str, org: str | None = None) -> Control:
        item = Activation(name, org)
        if item not in self.members:
            return self
        return replace(self, active=tuple(a for a in self.active if a != item))

    def queued(self, outcome: str) -> Control:
        return replace(self, next=(*self.next, outcome))

    def took_next(self) -> Control:
        return replace(self, next=self.next[1:]) if self.next else self

    def with_overrides(self, overrides: Overrides) -> Control:
        return replace(self, overrides=overrides)

    def reset_to(self, initial: Iterable[Activation]) -> Control:
        """The start-up activations, no settings, a new counter generation."""
        return Control(tuple(dict.fromkeys(initial)), NO_OVERRIDES, self.version,
                       self.generation + 1)

    def next_version(self, after: int | None = None) -> Control:
        return replace(self, version=max(self.version, after or 0) + 1)

    # -- wire format (the file and Redis backends store a Control as one JSON document) ----
    def encode(self) -> bytes:
        return orjson.dumps({
            "v": self.version,
            "gen": self.generation,
            "active": [[a.name, a.org] for a in self.active],
            "delay_ms": self.overrides.delay_ms,
            "errors": [[org, status] for org, status in self.overrides.errors.items()],
            "next": list(self.next),
        })

    @classmethod
    def decode(cls, data: bytes | str) -> Control:
        doc: dict[str, Any] = orjson.loads(data)
        return cls(
            active=tuple(Activation(str(n), None if o is None else str(o))
                         for n, o in doc.get("active", ())),
            overrides=Overrides(int(doc.get("delay_ms", 0)),
                                {org: int(status) for org, status in doc.get("errors", ())}),
            version=int(doc.get("v", 0)),
            generation=int(doc.get("gen", 0)),
            next=tuple(str(n) for n in doc.get("next", ())),
        )
