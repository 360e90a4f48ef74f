"""Parameter stage: year and month, parsed strictly and checked by the spec's compiled rules.

Accepted integer form: one or more ASCII digits (``7``, ``07``, ``2025``), at most nine.
Rejected with 400: signs (``+7``, ``-1``), spaces, decimals (``7.0``, ``1.5``), non-ASCII
digits (``١٢``), exponents, empty values, and a parameter given more than once.
Omitted parameters take the (possibly frozen) clock's current UTC year or month. The values
are keyed by the parameter's role (``x-default-from-clock``: ``year``, ``month``), not by its
name, so a spec that renames the parameters changes nothing downstream.
An omitted value obeys the same rule as a given one: under ``--now 2031-03-01`` an omitted
year is the 400 that ``year=2031`` is (the message says the value came from the clock).

:class:`QueryParser` remembers the answer for a raw query string that gave every parameter
(clients repeat the same few URLs; parsing is a third of the stage's cost otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from multidict import MultiMapping
from yarl import URL

from api_contract.contract import QueryParam
from api_contract.rules import INTEGER
from mock_server.foundation.bounded import keep
from mock_server.foundation.clock import Clock
from mock_server.foundation.errors import ApiError

_SHOWN = 24  # how much of a bad value an error message quotes


def _quote(value: str) -> str:
    shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
    return repr(shown)


def parse_query(
    query: MultiMapping[str], rules: tuple[QueryParam, ...], now: datetime
) -> Mapping[str, int]:
    values: dict[str, int] = {}
    for rule in rules:
        given = query.getall(rule.name, ())
        role = rule.default_from_clock or rule.name  # the key of its value: "year", "month"
        if not given:
            value = getattr(now, role)
            if not rule.check(value):
                raise ApiError(400, f"{rule.name} must be {rule.rule}; omitted, it is the "
                                    f"clock's ({value})")
            values[role] = value
            continue
        if len(given) > 1:
            raise ApiError(400, f"{rule.name} must be given at most once (got {len(given)})")
        raw = given[0]
        if not INTEGER.fullmatch(raw):
            raise ApiError(400, f"{rule.name} must be {rule.rule} (got {_quote(raw)})")
        value = int(raw)
        if not rule.check(value):
            raise ApiError(400, f"{rule.name} must be {rule.rule} (got {value})")
        values[role] = value
    return values


class QueryParser:
    """:func:`parse_query` behind a memo keyed by the raw query string (``size`` entries,
    the oldest out first: foundation/bounded). Kept: the values, or the failure, of a
    query that names every parameter (so nothing depends on the clock). Queries that omit
    a parameter are parsed every time."""

    __slots__ = ("_memo", "_size", "rules")

    def __init__(self, rules: tuple[QueryParam, ...], size: int = 1024) -> None:
        self.rules = rules
        self._memo: dict[str, Mapping[str, int] | tuple[int, str | None]] = {}
        self._size = size

    def parse(self, url: URL, clock: Clock) -> Mapping[str, int]:
        raw = url.raw_query_string
        known = self._memo.get(raw)
        if known is not None:
            if type(known) is tuple:
                raise ApiError(*known)  # a fresh one: stages may add headers to it
            return known  # type: ignore[return-value]
        query = url.query
        complete = all(rule.name in query for rule in self.rules)
        try:
            values = parse_query(query, self.rules, clock.now())
        except ApiError as err:
            if complete:
                self._keep(raw, (err.status, err.system_message))
            raise
        if complete:
            self._keep(raw, values)
        return values

    def _keep(self, raw: str, outcome: Mapping[str, int] | tuple[int, str | None]) -> None:
        keep(self._memo, raw, outcome, self._size)
