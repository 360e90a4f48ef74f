"""Which of the contract's outcomes the mock's clients met: counted per request, read as a
report (``GET /__mock/coverage``, ``--coverage-report``, the pytest plugin).

Requests add to this process's :class:`~mock_server.qa.tally.Tally` (in memory, no I/O);
the tally is drained into the runtime state before each read, and with a shared backend
(``--workers``, ``--state redis://``) also in batches (every ``FLUSH`` seconds while there
is a count, and when the mock stops), so counts add up across processes and hosts. Counts
are kept per session (None: the requests without one); a reset of a scope clears its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from api_contract.contract import Contract
from mock_server.qa import outcomes
from mock_server.qa.outcomes import Classifier
from mock_server.qa.tally import Tally
from mock_server.runtime.base import StateBackend, StateUnavailable

ENDED = "*"  # the counts of ended sessions, together (no session is named so)
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
    """The counting of one process, and the reading of every process's counts through the
    runtime state (which keeps them: in memory, in the ``--workers`` file, in Redis)."""

    def __init__(self, contract: Contract, runtime: StateBackend) -> None:
        self.contract = contract
        self.classifier = Classifier(contract)
        self.tally = Tally(self.classifier)
        self.runtime = runtime
        # a reset of the no-session scope, made in any process, as it reaches this one
        runtime.on_generation.append(lambda _: self.tally.drop(None))
        self.final: dict[str, Any] | None = None  # the report made as the mock stopped

    def names(self, scenarios: Iterable[str]) -> tuple[str, ...]:
        return outcomes.catalogue(self.contract, scenarios)

    # -- counting (event loop) -------------------------------------------------------
    def _current(self) -> None:
        """Learn of a reset made elsewhere before counting (with ``--workers``, one read
        of shared memory): a count made after it is not dropped with the older ones. (The
        plain path has read it already: ``runtime.quiet``.)"""
        self.runtime.control  # noqa: B018 (a property that refreshes this process's copy)

    def status(self, status: int, session: str | None = None) -> None:
        """An answer given before any route's own rules (the connection level, 404/405)."""
        self._current()
        self.tally.add((f"{outcomes.STATUS}{status}",), session)

    def exchange(self, request: web.Request, status: int, now: datetime,
                 session: str | None = None) -> None:
        """A summary request that did not take the plain path (steered, or refused)."""
        self._current()
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

    # -- the store -------------------------------------------------------------------
    async def flush(self) -> None:
        """Drain this process's tally into the runtime state (kept for the next batch
        when a shared store cannot be reached)."""
        self._current()  # a reset made elsewhere drops what was counted before it
        counts = self.tally.drain()
        if not counts:
            return
        try:
            await self.runtime.add_outcomes(counts)
        except StateUnavailable:
            self.tally.merge(counts)
            raise

    async def take(self) -> dict[str, int]:
        """Every request's counts, whatever its session, then none (the plugin's reset)."""
        await self.flush()
        found: dict[str, int] = {}
        sessions = set()
        for (s, name), n in (await self.runtime.outcomes()).items():
            found[name] = found.get(name, 0) + n
            sessions.add(s)
        for s in sessions:
            await self.clear(s)
        return found

    async def clear(self, session: str | None = None) -> None:
        """A reset of ``session``'s scope (None: the requests without one): its counts
        (and, without a session, those of the sessions that have ended)."""
        self.tally.drop(session)
        await self.runtime.clear_outcomes(session)
        if session is None:
            await self.runtime.clear_outcomes(ENDED)

    async def retire(self, session: str) -> None:
        """A session ended: its counts move to those of ended sessions (still in the run's
        total, ``EVERY``), so memory does not grow with every session a mock has seen."""
        await self.flush()
        moved = {(ENDED, name): n for (s, name), n in (await self.runtime.outcomes()).items()
                 if s == session}
        if moved:
            await self.runtime.add_outcomes(moved)
            await self.runtime.clear_outcomes(session)

    async def flushing(self) -> None:
        """A shared backend's batches: every ``FLUSH`` seconds while there is a count."""
        while True:
            await asyncio.sleep(FLUSH)
            if not self.tally.empty:
                with contextlib.suppress(StateUnavailable):
                    await self.flush()

    async def counts(self, session: str | object | None = None) -> dict[str, int]:
        """Everything counted for ``session`` (None: requests without one; ``EVERY``: all
        requests, whatever their session). A shared store is asked: 503 while it is lost."""
        await self.flush()
        found: dict[str, int] = {}
        for (s, name), n in (await self.runtime.outcomes()).items():
            if session is EVERY or s == session:
                found[name] = found.get(name, 0) + n
        return found

    async def report(self, scenarios: Iterable[str],
                     session: str | object | None = None) -> dict[str, Any]:
        return report(self.names(scenarios), await self.counts(session))
