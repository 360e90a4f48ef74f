"""Scenario stage: which rule of which scenario, if any, shapes this request's answer.

A scenario is an ordered list of rules; a rule matches on org, key, year, month, headers
and the request's number (``every``/``at``), and answers with a delay plus at most one of:
a documented error, a network fault, a rate limit, or a usage transform of the data.

Order of evaluation: the scenario named by ``Prefer: scenario=``, then scenarios active for
the request's organization, then those active for everyone (each in activation order).
The first matching rule wins. With nothing active and no preference this stage is not
entered (the pipeline checks ``runtime.quiet``). A count-based scenario costs a shared
backend one round trip per request that reaches it.
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from multidict import MultiMapping

from mock_server.qa.ratelimit import RateLimit
from mock_server.runtime.scope import Scope

FAULTS = ("reset", "empty", "malformed", "stall")
STALL_MS = 30_000  # default: how long a stalled body hangs before the connection closes


@dataclass(frozen=True, slots=True)
class Match:
    orgs: frozenset[str] | None = None
    keys: tuple[str, ...] | None = None
    years: frozenset[int] | None = None
    months: frozenset[int] | None = None
    headers: tuple[tuple[str, str | None], ...] = ()
    every: int | None = None
    at: int | None = None

    def static(self, org: str, key: str, year: int, month: int,
               headers: MultiMapping[str]) -> bool:
        if self.orgs is not None and org not in self.orgs:
            return False
        if self.years is not None and year not in self.years:
            return False
        if self.months is not None and month not in self.months:
            return False
        if self.keys is not None and not any(
            hmac.compare_digest(k.encode(), key.encode("utf-8", "surrogateescape"))
            for k in self.keys
        ):
            return False
        for name, value in self.headers:
            got = headers.get(name)
            if got is None or (value is not None and got != value):
                return False
        return True

    def counted(self, n: int) -> bool:
        if self.every is None:
            return True
        return (n - (self.at or self.every)) % self.every == 0


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str  # one of FAULTS
    stall_ms: int = STALL_MS


@dataclass(frozen=True, slots=True)
class Usage:
    """Transform of a generated summary: scale it, or zero it before a creation instant."""

    scale: float = 1.0
    created: datetime | None = None
    created_day: int | None = None  # day of the current month (per the mock's clock)


@dataclass(frozen=True, slots=True)
class Rule:
    match: Match = field(default_factory=Match)
    delay: tuple[int, int] | None = None  # (min, max) ms; equal for a fixed delay
    status: int | None = None
    example: str | None = None
    fault: Fault | None = None
    rate_limit: RateLimit | None = None
    exhausted: bool = False  # rate limit already used up: every request 429
    usage: Usage | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    rules: tuple[Rule, ...]
    source: str  # file it came from

    @property
    def counted(self) -> bool:
        return any(r.match.every is not None for r in self.rules)


@dataclass(frozen=True, slots=True)
class Decision:
    scenario: str | None = None
    rule: int | None = None
    delay_ms: int = 0
    status: int | None = None
    example: str | None = None
    fault: Fault | None = None
    rate_limit: RateLimit | None = None
    exhausted: bool = False
    usage: Usage | None = None


NO_DECISION = Decision()


@dataclass(frozen=True, slots=True)
class Request:
    org: str
    key: str
    year: int
    month: int
    headers: MultiMapping[str]


def _candidates(
    runtime: Scope, preferred: str | None, org: str
) -> list[str]:
    names = runtime.control.names_for(org)  # an index: no walk over every activation
    if preferred is not None:
        names = (preferred, *names)
    return list(dict.fromkeys(names))


async def choose(
    req: Request,
    preferred: str | None,
    catalog: Mapping[str, Scenario],
    runtime: Scope,
    rng: random.Random,
) -> Decision:
    if preferred is None and not runtime.active():
        return NO_DECISION
    for name in _candidates(runtime, preferred, req.org):
        scenario = catalog.get(name)
        if scenario is None:  # deactivated by a reload that removed it
            continue
        n = await runtime.next_count(name) if scenario.counted else 0
        for index, rule in enumerate(scenario.rules):
            m = rule.match
            if m.static(req.org, req.key, req.year, req.month, req.headers) and m.counted(n):
                return decide(name, index, rule, rng)
    return NO_DECISION


def decide(name: str, index: int, rule: Rule, rng: random.Random) -> Decision:
    delay = 0
    if rule.delay is not None:
        lo, hi = rule.delay
        delay = lo if lo == hi else rng.randint(lo, hi)
    return Decision(
        scenario=name,
        rule=index,
        delay_ms=delay,
        status=rule.status,
        example=rule.example,
        fault=rule.fault,
        rate_limit=rule.rate_limit,
        exhausted=rule.exhausted,
        usage=rule.usage,
    )
