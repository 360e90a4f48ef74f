"""What one request (or admin call) reads, switches and counts in: a :class:`Scope`.

The mock's own scope is the runtime itself (requests without a session); each session
(``X-Mock-Session``) has a scope of its own, with the start-up configuration and its own
switches, rate-limit windows and ``every:`` counters only. Every backend gives both kinds
the same interface, so the stages that read a scope do not know which one they have.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from mock_server.runtime.control import Activation, Control, Overrides

Change = Callable[[Control], Control]


class Scope(ABC):
    """Reads are attribute reads (no I/O, on the hot path); changes and counters are
    coroutines (a shared backend may need a round trip)."""

    session: str | None = None  # None: the requests that name no session

    # -- reads ------------------------------------------------------------------------
    @property
    @abstractmethod
    def control(self) -> Control:
        """The activations and settings this scope sees."""

    @property
    def quiet(self) -> bool:
        """Nothing active and no setting steering: the plain path."""
        return self.control.quiet

    def active(self) -> tuple[Activation, ...]:
        """The activations in the order they were made (cheap; called per request)."""
        return self.control.active

    @property
    def overrides(self) -> Overrides:
        return self.control.overrides

    # -- changes ----------------------------------------------------------------------
    @abstractmethod
    async def update(self, change: Change) -> tuple[Control, Control]:
        """Apply ``change`` atomically to this scope's Control; (old, new).
        Raises StateUnavailable when a shared backend cannot be reached."""

    @abstractmethod
    async def reset(self) -> None:
        """Back to the start-up activations, no settings; this scope's counters cleared."""

    async def activate(self, name: str, org: str | None = None) -> None:
        await self.update(lambda c: c.activated(name, org))

    async def deactivate(self, name: str, org: str | None = None) -> bool:
        """Remove one activation; False when it was not active."""
        old, _ = await self.update(lambda c: c.deactivated(name, org))
        return Activation(name, org) in old.members

    async def set_overrides(self, change: Callable[[Overrides], Overrides]) -> Overrides:
        _, new = await self.update(lambda c: c.with_overrides(change(c.overrides)))
        return new.overrides

    # -- counters ---------------------------------------------------------------------
    @abstractmethod
    async def hit(self, key: str, window: int, cost: int = 1, ttl: int = 120) -> int:
        """Add ``cost`` requests to ``key``'s fixed window number ``window``; the new count.
        ``cost=0`` only reads. ``ttl``: seconds a shared backend keeps the window."""

    @abstractmethod
    async def next_count(self, name: str) -> int:
        """1, 2, 3, ... per name: the request number for count-based rules."""
