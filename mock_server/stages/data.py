"""Deterministic, realistic monthly summaries.

A summary depends only on (seed, org, year, month) and, for the current month, on the hour
of "now": the same inputs give the same bytes in any process. Nothing uses Python's
randomised ``hash()``; randomness comes from ``random.Random`` seeded with a BLAKE2 digest.

The shape of the numbers is calibrated on the document's example: cost per neuron,
neurons per request and synapses per neuron are read from the spec's first 200 example with
usage (``documented``: 0.025 CHF, 10, 50), and each organization varies around them, its
traffic growing from that example's month. Every org has its own size, growth and
seasonality; the current month is partial (usage up to the last full hour); months after
"now" have no usage.

No field of the body is named here: the example is read, and the summary built, through
the spec's field map (``x-meaning``, :mod:`api_contract.fields`); a property without a
meaning is served with the value the map gives it.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from api_contract.contract import Contract
from api_contract.fields import (
    AVERAGE,
    COST,
    GENERATED,
    MONTH,
    NEURONS,
    ORGANIZATION,
    REQUESTS,
    SYNAPSES,
    YEAR,
    SummaryFields,
)
from mock_server.foundation.bounded import keep
from mock_server.foundation.clock import rfc3339

# Seasonality of API traffic by month (summer and year-end dips, autumn peak).
SEASON = (0.96, 1.0, 1.04, 1.0, 1.02, 0.97, 0.9, 0.86, 1.03, 1.08, 1.1, 0.92)


@dataclass(frozen=True, slots=True)
class Calibration:
    cost_per_neuron: float
    neurons_per_request: float
    synapses_per_neuron: float
    fields: SummaryFields  # the spec's field map: names by meaning, the others' values
    reference: tuple[int, int] = (2025, 11)  # (year, month) of the example: growth's origin

    @classmethod
    def from_contract(cls, contract: Contract) -> Calibration:
        """On the spec's first 200 example with usage (``Contract.usage_example``)."""
        fields = contract.fields
        v = fields.values(contract.usage_example.value)
        neurons = float(v[NEURONS])
        return cls(
            cost_per_neuron=float(v[COST]) / neurons,
            neurons_per_request=neurons / float(v[REQUESTS]),
            synapses_per_neuron=float(v[SYNAPSES]) / neurons,
            fields=fields,
            reference=(int(v[YEAR]), int(v[MONTH])),
        )

    def months_from_reference(self, year: int, month: int) -> int:
        return (year - self.reference[0]) * 12 + (month - self.reference[1])


@dataclass(frozen=True, slots=True)
class OrgProfile:
    base_requests: float  # monthly requests around 2025
    growth: float  # month-over-month growth
    neurons_per_request: float
    synapses_per_neuron: float


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogateescape"),
                             digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=UTC)
    days = calendar.monthrange(year, month)[1]
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    assert (nxt - start).days == days
    return start, nxt


def profile_for(org: str, seed: int, cal: Calibration, anchor: OrgProfile | None) -> OrgProfile:
    """An org's traffic profile: drawn from the seed, or anchored on a canned month."""
    if anchor is not None:
        return anchor
    prof = _rng(seed, "profile", org)
    return OrgProfile(
        base_requests=math.exp(prof.uniform(math.log(2_000), math.log(80_000))),
        growth=prof.uniform(-0.005, 0.04),
        neurons_per_request=cal.neurons_per_request * prof.uniform(0.6, 1.5),
        synapses_per_neuron=cal.synapses_per_neuron * prof.uniform(0.8, 1.25),
    )


def anchor_on(org: str, body: Mapping[str, Any], seed: int,
              cal: Calibration) -> OrgProfile | None:
    """A profile that makes an org's generated months continue its canned month smoothly."""
    v = cal.fields.values(body)
    requests = int(v[REQUESTS])
    if requests <= 0 or float(v[NEURONS]) <= 0:
        return None
    year, month = int(v[YEAR]), int(v[MONTH])
    growth = _rng(seed, "profile", org).uniform(0.0, 0.03)
    return OrgProfile(
        base_requests=requests / SEASON[month - 1]
        / (1 + growth) ** cal.months_from_reference(year, month),
        growth=growth,
        neurons_per_request=float(v[NEURONS]) / requests,
        synapses_per_neuron=float(v[SYNAPSES]) / float(v[NEURONS]),
    )


def summary(
    org: str,
    year: int,
    month: int,
    now: datetime,
    seed: int,
    cal: Calibration,
    anchor: OrgProfile | None = None,
) -> dict[str, Any]:
    """The summary of one org and month as seen at ``now`` (hour resolution)."""
    start, end = month_bounds(year, month)
    as_of = now.replace(minute=0, second=0, microsecond=0)
    if as_of >= end:
        fraction, generated = 1.0, end
    elif as_of <= start:
        fraction, generated = 0.0, as_of
    else:
        fraction = (as_of - start) / (end - start)
        generated = as_of

    requests = 0
    if fraction > 0:
        profile = profile_for(org, seed, cal, anchor)
        noise = _rng(seed, "month", org, year, month)
        full = (
            profile.base_requests
            * (1 + profile.growth) ** cal.months_from_reference(year, month)
            * SEASON[month - 1]
            * noise.uniform(0.85, 1.15)
        )
        requests = round(full * fraction)
        npr = profile.neurons_per_request * noise.uniform(0.93, 1.07)
        spn = profile.synapses_per_neuron
    neurons = float(round(requests * npr)) if requests else 0.0
    synapses = float(round(neurons * spn)) if requests else 0.0
    cost = round(neurons * cal.cost_per_neuron, 2)
    return cal.fields.body({
        ORGANIZATION: org,
        MONTH: month,
        YEAR: year,
        REQUESTS: requests,
        COST: cost,
        AVERAGE: round(cost / requests, 4) if requests else 0.0,
        SYNAPSES: synapses,
        NEURONS: neurons,
        GENERATED: rfc3339(generated),
    })


class SummarySource:
    """Serialised summaries (canned bodies first, then the generator) in a bounded cache."""

    def __init__(
        self,
        seed: int,
        calibration: Calibration,
        canned: Mapping[tuple[str, int, int], Mapping[str, Any]],
        cache_size: int = 4096,
    ) -> None:
        self.seed = seed
        self.calibration = calibration
        self._canned = {k: orjson.dumps(v) for k, v in canned.items()}
        self._anchors: dict[str, OrgProfile] = {}
        for (org, _, _), body in sorted(canned.items()):
            anchor = anchor_on(org, body, seed, calibration)
            if anchor is not None:
                self._anchors.setdefault(org, anchor)
        self._cache: dict[tuple[str, int, int, int], bytes] = {}
        self._cache_size = cache_size

    def body(self, org: str, year: int, month: int, hour: int) -> bytes:
        """The body as seen in ``hour`` (hours since the epoch: :meth:`Clock.hour`). One dict
        lookup on the hot path; the cache is bounded (oldest entry evicted)."""
        key = (org, year, month, hour)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        data = self._canned.get((org, year, month))
        if data is None:
            as_of = datetime.fromtimestamp(hour * 3600, UTC)
            data = orjson.dumps(summary(org, year, month, as_of, self.seed, self.calibration,
                                        self._anchors.get(org)))
        return keep(self._cache, key, data, self._cache_size)
