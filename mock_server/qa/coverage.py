"""Which of the contract's outcomes the mock's clients met: counted per request, read as a
report (``GET /__mock/coverage``, ``--coverage-report``, the pytest plugin).

Requests add to this process's :class:`~mock_server.qa.tally.Tally` (in memory, no I/O);
reading drains it into the store first. In one process the store is here; with a shared
backend (``--workers``, ``--state redis://``) the tally is drained there in batches (every
``FLUSH`` seconds, before each read and when the mock stops), so counts add up across
processes and hosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import istr

from api_contract.contract import Contract
from mock_server.qa import outcomes
from mock_server.qa.outcomes import Classifier
from mock_server.qa.tally import Counts, Tally

EVERY = object()  # counts(EVERY): every request, whatever its session (the stop report)
FLUSH = 0.25  # seconds between a shared backend's batches (only while there is a count)


@dataclass(slots=True)
class Steer:
    """What steered one answer, noted by the pipeline for its count."""

    scenario: str | None = None
    fault: str | None = None
    body: bytes | None = None  # a complete 200 summary, as sent


STEER: web.RequestKey[Steer] = web.RequestKey("freddy_mock_steer", Steer)


def report(names: Iterable[str], counts: Mapping[str, int]) -> dict[str, Any]:
    """``{"outcomes": {NAME: count}, "missing": [...], "covered": N, "total": M}`` over
    the catalogue ``names`` (every outcome listed, 0 for those never met)."""
    found = {name: counts.get(name, 0) for name in names}
    missing = [name for name, n in found.items() if not n]
    return {"outcomes": found, "missing": missing, "covered": len(found) - len(missing),
            "total": len(found)}


class Coverage:
    """The counting of one process. ``store``: the counts of one process (the memory
    backend); a shared backend keeps them itself (``add_outcomes``/``outcomes``)."""

    def __init__(self, contract: Contract, generation: int = 0) -> None:
        self.contract = contract
        self.classifier = Classifier(contract)
        self.tally = Tally(self.classifier, generation)
        aliases = outcomes.alias_headers(contract)
        self.alias = istr(aliases[0]) if aliases else None  # the plain path's one lookup
        self._store: Counts = {}
        self.final: dict[str, Any] | None = None  # the report made as the mock stopped

    def names(self, scenarios: Iterable[str]) -> tuple[str, ...]:
        return outcomes.catalogue(self.contract, scenarios)

    # -- counting (event loop) -------------------------------------------------------
    def status(self, status: int, session: str | None = None) -> None:
        """An answer given before any route's own rules (the connection level, 404/405)."""
        self.tally.add((f"{outcomes.STATUS}{status}",), session)

    def exchange(self, request: web.Request, status: int, now: datetime,
                 session: str | None = None) -> None:
        """A summary request that did not take the plain path (steered, or refused)."""
        steer = request.get(STEER)
        fault = scenario = None
        data: list[str] = []
        if steer is not None:
            fault, scenario = steer.fault, steer.scenario
            if steer.body is not None and status == 200 and fault is None:
                period = self.classifier.period(request.rel_url.raw_query_string, now)
                data = self.classifier.summary(steer.body, period, now)
        self.tally.add(outcomes.exchange(
            self.classifier, status=status, fault=fault, scenario=scenario,
            aliases=self.classifier.alias_used(request.headers), data=data), session)

    def restart(self, generation: int) -> None:
        """A reset reached this process (a newer counter generation)."""
        if generation != self.tally.generation:
            self.tally.restart(generation)
            self._store.clear()

    # -- the store -------------------------------------------------------------------
    async def flush(self) -> None:
        """Drain this process's tally into the store."""
        for key, n in self.tally.drain().items():
            self._store[key] = self._store.get(key, 0) + n

    async def flushing(self) -> None:
        """A shared backend's batches: every ``FLUSH`` seconds while there is a count."""
        while True:
            await asyncio.sleep(FLUSH)
            if not self.tally.empty:
                await self.flush()

    async def counts(self, session: str | object | None = None) -> dict[str, int]:
        """Everything counted for ``session`` (None: requests without one; ``EVERY``: all
        requests, whatever their session)."""
        await self.flush()
        found: dict[str, int] = {}
        for (s, name), n in self._store.items():
            if session is EVERY or s == session:
                found[name] = found.get(name, 0) + n
        return found

    async def report(self, scenarios: Iterable[str],
                     session: str | object | None = None) -> dict[str, Any]:
        return report(self.names(scenarios), await self.counts(session))
