"""Usage transforms of scenarios (data stage): scale a summary, or cut it at a creation date.

The result stays schema-valid and consistent: requests stay integers, cost keeps two
decimals, the average is recomputed as cost / requests (0 without requests). The fields are
found by their meaning (the spec's ``x-meaning``, :mod:`api_contract.fields`).
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

from api_contract.fields import AVERAGE, COST, MONTH, NEURONS, REQUESTS, SYNAPSES, YEAR
from mock_server.qa.scenarios import Usage
from mock_server.stages.data import month_bounds

if TYPE_CHECKING:
    from api_contract.fields import SummaryFields


def creation(usage: Usage, now: datetime) -> datetime | None:
    if usage.created is not None:
        return usage.created
    if usage.created_day is None:
        return None
    day = min(usage.created_day, calendar.monthrange(now.year, now.month)[1])
    return now.replace(day=day, hour=0, minute=0, second=0, microsecond=0)


def factor(usage: Usage, year: int, month: int, now: datetime) -> float:
    created = creation(usage, now)
    if created is None:
        return usage.scale
    start, end = month_bounds(year, month)
    as_of = min(now.replace(minute=0, second=0, microsecond=0), end)
    if created >= as_of:
        return 0.0
    if created <= start:
        return usage.scale
    return usage.scale * (as_of - created) / (as_of - start)


def apply(body: bytes, usage: Usage, now: datetime, fields: SummaryFields) -> bytes:
    doc = orjson.loads(body)
    v = fields.values(doc)
    f = factor(usage, v[YEAR], v[MONTH], now)
    if f == 1.0:
        return body
    requests = round(v[REQUESTS] * f)
    if requests == 0:
        cost = neurons = synapses = 0.0
    else:
        cost = round(v[COST] * f, 2)
        neurons = float(round(v[NEURONS] * f))
        synapses = float(round(v[SYNAPSES] * f))
    fields.update(doc, {
        REQUESTS: requests,
        COST: cost,
        AVERAGE: round(cost / requests, 4) if requests else 0.0,
        SYNAPSES: synapses,
        NEURONS: neurons,
    })
    return orjson.dumps(doc)
