"""One click, one answer: the next request answers an outcome that was never met
(``POST /__mock/coverage/next``, the control page's buttons beside each missing outcome).

Queued outcomes live in the shared ``Control`` (``next``), so the next request on any
worker or replica takes one; taking it is one atomic change of the Control, so two
requests never take the same one. What a switch can make an answer do:

    status:NNN      a documented error of the vendor's rows (what ``Prefer: code=`` offers)
    fault:KIND      the network fault
    scenario:NAME   the scenario's first rule that matches the request (``every:`` aside)
    data:no-usage, data:enterprise-scale   the usage scaled to zero, or by a million

Everything else depends on the client (the month it asks for, the header it sends, the
shape of its request) and has no switch: the control page says what to send instead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from api_contract.contract import Contract
from mock_server.qa import outcomes
from mock_server.qa.scenarios import FAULTS, Decision, Fault, Request, Scenario, Usage, decide
from mock_server.runtime.base import StateBackend

MAX_QUEUED = 100  # outcomes waiting for a request at once
ENTERPRISE_SCALE = 1_000_000  # a month of thousands of requests becomes billions
USAGE = {outcomes.NO_USAGE: Usage(scale=0.0),
         outcomes.ENTERPRISE_SCALE: Usage(scale=float(ENTERPRISE_SCALE))}
# What to send to meet an outcome no switch can make (the control page's hints).
HINTS = {
    "status:200": "any valid request",
    "status:404": "a path the API does not have, e.g. /v1/analytics/nope",
    "status:405": "another method than GET on the summary path",
    "status:408": "a request head that stops half-way (--header-timeout)",
    "status:414": "a request line over 8,190 bytes",
    "status:421": "a Host header the mock does not answer (--allowed-host)",
    "status:431": "a header line over 8,190 bytes, or more than 128 headers",
    "status:503": "more requests delayed at once than --max-delayed, or more connections "
                  "than --max-connections",
    outcomes.CURRENT_MONTH: "ask for the current month",
    outcomes.FUTURE_MONTH: "ask for a month after the current one",
    outcomes.DEFAULT_PERIOD: "leave year or month out",
    outcomes.LEAP_FEBRUARY: "ask for February of a leap year (2024, 2028)",
}


def switchable(names: tuple[str, ...], contract: Contract) -> list[str]:
    """The outcomes of ``names`` a switch can make the next answer."""
    errors = {f"{outcomes.STATUS}{s}" for s in contract.statuses if s >= 400}
    kinds = {outcomes.FAULT + k for k in FAULTS}
    return [n for n in names if n in errors or n in kinds or n in USAGE
            or n.startswith(outcomes.SCENARIO)]


def hints(names: tuple[str, ...]) -> dict[str, str]:
    found = {n: HINTS[n] for n in names if n in HINTS}
    for name in names:
        if name.startswith(outcomes.HEADER):
            found[name] = f"send the key in the {name.removeprefix(outcomes.HEADER)} header"
    return found


async def take(runtime: StateBackend) -> str | None:
    """The first queued outcome, taken atomically (None: another request took it)."""
    old, _ = await runtime.update(lambda c: c.took_next())
    return old.next[0] if old.next else None


def decision(name: str, req: Request, catalog: Mapping[str, Scenario],
             rng: random.Random) -> Decision | None:
    """The answer that meets ``name`` (None: no switch for it, or no longer known)."""
    kind, _, value = name.partition(":")
    if name in USAGE:
        return Decision(usage=USAGE[name])
    if kind + ":" == outcomes.STATUS and value.isdigit():
        return Decision(status=int(value))
    if kind + ":" == outcomes.FAULT and value in FAULTS:
        return Decision(fault=Fault(value))
    scenario = catalog.get(value) if kind + ":" == outcomes.SCENARIO else None
    if scenario is None or not scenario.rules:
        return None
    for index, rule in enumerate(scenario.rules):
        if rule.match.static(req.org, req.key, req.year, req.month, req.headers):
            return decide(value, index, rule, rng)
    return decide(value, 0, scenario.rules[0], rng)
