"""Usage transforms of scenarios (data stage): scale a summary, or cut it at a creation date.

The result stays schema-valid and consistent: requests stay integers, cost keeps two
decimals, ``averageCostPerRequest`` is recomputed as cost / requests (0 without requests).
"""

from __future__ import annotations

import calendar
from datetime import datetime

import orjson

from mock_server.qa.scenarios import Usage
from mock_server.stages.data import month_bounds


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


def apply(body: bytes, usage: Usage, now: datetime) -> bytes:
    doc = orjson.loads(body)
    f = factor(usage, doc["year"], doc["month"], now)
    if f == 1.0:
        return body
    requests = round(doc["totalApiKeyRequests"] * f)
    if requests == 0:
        cost = neurons = synapses = 0.0
    else:
        cost = round(doc["totalApiKeyCost"] * f, 2)
        neurons = float(round(doc["totalNeurons"] * f))
        synapses = float(round(doc["total_synapses"] * f))
    doc.update(
        totalApiKeyRequests=requests,
        totalApiKeyCost=cost,
        averageCostPerRequest=round(cost / requests, 4) if requests else 0.0,
        total_synapses=synapses,
        totalNeurons=neurons,
    )
    return orjson.dumps(doc)
