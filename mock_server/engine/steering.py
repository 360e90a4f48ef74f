"""What steers one answer, decided once, for the mock's route and the proxy's alike.

The scenario chosen (qa/scenarios), the delay (``Prefer: delay=``, else the scenario's
plus the run-time setting's), the error the run-time settings force (not when the request's
own ``Prefer: code=``/``example=`` chooses the answer), the network fault that still
applies, and the journal's note of all this (``applied`` in ``GET /__mock/requests``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from mock_server.engine.parts import MockParts
from mock_server.qa import oneshot, scenarios
from mock_server.qa.scenarios import Decision, Fault
from mock_server.runtime.scope import Scope
from mock_server.stages import negotiate
from mock_server.stages.negotiate import Preferences

# What the request's handler did, for the journal (present only while the journal is on).
OUTCOME: web.RequestKey[dict[str, Any]] = web.RequestKey("freddy_mock_outcome", dict)


@dataclass(frozen=True, slots=True)
class Steering:
    prefs: Preferences
    decision: Decision
    delay: int  # ms to wait before answering (0: none)
    forced: int | None  # the status POST /__mock/settings forces on this org, if any
    scope: Scope  # where the switches and counters are: the session's, or everyone's

    @property
    def scenario(self) -> str | None:
        """The scenario that shapes the answer (none when a forced error does)."""
        return self.decision.scenario if self.forced is None else None

    @property
    def fault(self) -> Fault | None:
        """The scenario's network fault, unless a preference or a forced error answers."""
        if self.prefs.chooses_answer or self.forced is not None:
            return None
        return self.decision.fault

    @property
    def answers_locally(self) -> bool:
        """Does the mock give the answer itself (the proxy then does not forward)?"""
        d = self.decision
        return (self.prefs.chooses_answer or self.forced is not None or d.exhausted
                or d.status is not None or d.example is not None or d.fault is not None)

    def note(self) -> dict[str, Any]:
        """What steered the answer, for the journal."""
        done: dict[str, Any] = {}
        if self.forced is not None:
            done["error"] = self.forced
        elif self.decision.scenario is not None:
            done["scenario"] = self.decision.scenario
            done["rule"] = self.decision.rule
        if self.delay:
            done["delay_ms"] = self.delay
        if self.fault is not None:
            done["fault"] = self.fault.kind
        if not self.prefs.empty:
            done["preference"] = negotiate.applied(self.prefs)
        return done

    def journal(self, request: web.Request, st: MockParts) -> None:
        """Put the note where the journal's middleware reads it (only while it is on)."""
        if st.qa.journal is not None and OUTCOME in request:
            request[OUTCOME]["applied"] = self.note()


async def steer(request: web.Request, st: MockParts, org: str,
                values: Mapping[str, int] | None, prefs: Preferences, scope: Scope, *,
                queued: bool = False) -> Steering:
    """The scenario's choice in ``scope`` (none without ``values``: the query was
    invalid), then the run-time settings of ``scope`` on top of it. ``queued``: an outcome
    the control page's coverage buttons queued (qa/oneshot) is taken and answered first
    (the mock's own route; the proxy leaves them queued)."""
    qa = st.qa
    decision = scenarios.NO_DECISION
    once = await oneshot.take(scope) if queued and scope.control.next else None
    if values is not None and (once is not None or prefs.scenario is not None
                               or scope.active()):
        key = st.auth.presented_key(request.headers, strict=False) or ""
        req = scenarios.Request(org, key, values["year"], values["month"], request.headers)
        made = None if once is None else oneshot.decision(once, req, qa.catalog, qa.rng)
        decision = made if made is not None else await scenarios.choose(
            req, prefs.scenario, qa.catalog, scope, qa.rng)
    overrides = scope.overrides
    forced = None if prefs.chooses_answer else overrides.error_for(org)
    delay = prefs.delay if prefs.delay is not None else decision.delay_ms + overrides.delay_ms
    return Steering(prefs, decision, delay, forced, scope)
