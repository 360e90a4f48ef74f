"""The contract's outcomes a client can meet, with stable names, and one exchange sorted
into them (issue 27: "did our app handle it?").

    status:NNN       every numbered response row of the operation in the spec, the vendor's
                     and the mock-only ones (it follows the spec)
    fault:KIND       reset, empty, malformed, stall (the scenario files' faults)
    scenario:NAME    each scenario of the catalogue, built-in and loaded
    header:NAME      a key sent in an alias header of the spec (``Api-Key``)
    data:...         what a 200 summary showed: no-usage, current-month, future-month,
                     default-period, leap-february, enterprise-scale

A request counts each outcome it met once. A fault is the outcome of its own: a connection
reset or a body cut in half is no ``status:200`` for the client. ``data:`` outcomes belong
to complete 200 summaries only. The body's field names and the parameters' roles come from
the compiled contract (``x-meaning``, ``x-default-from-clock``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from yarl import URL

from api_contract.contract import Contract
from api_contract.fields import MONTH, REQUESTS, YEAR
from mock_server.config import OUTCOME_KINDS
from mock_server.qa.scenarios import FAULTS
from mock_server.stages.params import parse_query

STATUS, FAULT, SCENARIO, HEADER, DATA = OUTCOME_KINDS
NO_USAGE = DATA + "no-usage"
CURRENT_MONTH = DATA + "current-month"
FUTURE_MONTH = DATA + "future-month"
DEFAULT_PERIOD = DATA + "default-period"
LEAP_FEBRUARY = DATA + "leap-february"
ENTERPRISE_SCALE = DATA + "enterprise-scale"
DATA_OUTCOMES = (NO_USAGE, CURRENT_MONTH, FUTURE_MONTH, DEFAULT_PERIOD, LEAP_FEBRUARY,
                 ENTERPRISE_SCALE)
ENTERPRISE = 10**9  # more requests than this in a month: enterprise scale
MEMO = 4096  # classifications remembered (the plain path's bodies and queries)


def response_statuses(contract: Contract) -> tuple[int, ...]:
    """Every numbered response row of the operation (``default`` is not a status)."""
    op = contract.raw["paths"][contract.path_template]["get"]
    return tuple(sorted(int(s) for s in op["responses"] if str(s).isdigit()))


def alias_headers(contract: Contract) -> tuple[str, ...]:
    """The key headers after the first: aliases (the spec's ``Api-Key``)."""
    return contract.key_headers[1:]


def catalogue(contract: Contract, scenarios: Iterable[str]) -> tuple[str, ...]:
    """Every outcome's name, in a stable order (statuses, faults, scenarios, headers, data).
    Computed when asked: a ``--watch`` reload that adds a scenario adds its outcome."""
    return (*(f"{STATUS}{s}" for s in response_statuses(contract)),
            *(FAULT + kind for kind in FAULTS),
            *(SCENARIO + name for name in sorted(scenarios)),
            *(HEADER + name for name in alias_headers(contract)),
            *DATA_OUTCOMES)


@dataclass(frozen=True, slots=True)
class Period:
    """The month a 200 answered, and whether the request left year or month out."""

    year: int
    month: int
    defaulted: bool


class Classifier:
    """Sorts one exchange into outcome names. Pure; the plain path's classifications are
    remembered per (body, query, hour, alias), so a repeated request costs a lookup."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.aliases = tuple(HEADER + name for name in alias_headers(contract))
        self.alias_names = alias_headers(contract)
        self.requests_field = contract.fields[REQUESTS]  # the spec's x-meaning
        self._rules = contract.query_params
        self._memo: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def period(self, raw_query: str, now: datetime) -> Period:
        """Year and month as the parameter stage read them (defaults from ``now``)."""
        query = URL.build(query_string=raw_query).query
        values = parse_query(query, self._rules, now)  # keyed by role: year, month
        return Period(values[YEAR], values[MONTH],
                      not all(rule.name in query for rule in self._rules))

    def summary(self, body: bytes | Mapping[str, Any], period: Period,
                now: datetime) -> list[str]:
        """The ``data:`` outcomes of a complete 200 summary."""
        met: list[str] = []
        doc = orjson.loads(body) if isinstance(body, bytes) else body
        requests = doc.get(self.requests_field)
        if isinstance(requests, int):
            if requests == 0:
                met.append(NO_USAGE)
            elif requests > ENTERPRISE:
                met.append(ENTERPRISE_SCALE)
        asked, current = (period.year, period.month), (now.year, now.month)
        if asked == current:
            met.append(CURRENT_MONTH)
        elif asked > current:
            met.append(FUTURE_MONTH)
        if period.defaulted:
            met.append(DEFAULT_PERIOD)
        if period.month == 2 and calendar.isleap(period.year):
            met.append(LEAP_FEBRUARY)
        return met

    def alias_used(self, headers: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(out for name, out in zip(self.alias_names, self.aliases, strict=True)
                     if headers.get(name))

    def plain(self, body: bytes, raw_query: str, hour: int, alias: bool) -> tuple[str, ...]:
        """A plain 200 (nothing steered it), from what the plain path keeps of it."""
        key = (body, raw_query, hour, alias)
        known = self._memo.get(key)
        if known is None:
            now = datetime.fromtimestamp(hour * 3600, UTC)
            met = [STATUS + "200", *self.summary(body, self.period(raw_query, now), now)]
            if alias:
                met += self.aliases[:1]
            if len(self._memo) >= MEMO:
                self._memo.clear()
            known = self._memo[key] = tuple(met)
        return known


def exchange(classifier: Classifier, *, status: int | None, fault: str | None = None,
             scenario: str | None = None, aliases: tuple[str, ...] = (),
             data: Iterable[str] = ()) -> tuple[str, ...]:
    """One steered or refused exchange: its status (none after a fault), fault, scenario,
    alias header and ``data:`` outcomes, each once."""
    met: list[str] = []
    if fault is not None:
        met.append(FAULT + fault)
    elif status is not None:
        met.append(f"{STATUS}{status}")
        met += data
    if scenario is not None:
        met.append(SCENARIO + scenario)
    met += aliases
    return tuple(dict.fromkeys(met))
