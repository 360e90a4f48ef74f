"""Parameter stage: year and month, parsed strictly and checked by the spec's compiled rules.

Accepted integer form: one or more ASCII digits (``7``, ``07``, ``2025``), at most nine.
Rejected with 400: signs (``+7``, ``-1``), spaces, decimals (``7.0``, ``1.5``), non-ASCII
digits (``١٢``), exponents, empty values, and a parameter given more than once.
Omitted parameters take the (possibly frozen) clock's current UTC year or month.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from multidict import MultiMapping

from mock_server.contract import QueryParam
from mock_server.errors import ApiError

_INTEGER = re.compile(r"[0-9]{1,9}", re.ASCII)
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
        if not given:
            values[rule.name] = getattr(now, rule.default_from_clock or rule.name)
            continue
        if len(given) > 1:
            raise ApiError(400, f"{rule.name} must be given at most once (got {len(given)})")
        raw = given[0]
        if not _INTEGER.fullmatch(raw):
            raise ApiError(400, f"{rule.name} must be {rule.rule} (got {_quote(raw)})")
        value = int(raw)
        if not rule.check(value):
            raise ApiError(400, f"{rule.name} must be {rule.rule} (got {value})")
        values[rule.name] = value
    return values
