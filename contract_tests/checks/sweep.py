"""The domain is small: every documented (year, month) for the key's organization.

Real servers break on one corner (a leap February, a December that rolls into the next
year, a month without usage and a division by zero) and answer well everywhere else, so
the sweep asks for every month the spec's bounds allow, ``CONCURRENCY`` at a time, and
applies the rules of one summary (schema, echo, arithmetic) to each answer. Corners go
first, so a sweep cut short by ``--sweep-budget`` (or slowed by ``--rate-limit``) still
covers them.
"""

from __future__ import annotations

import calendar
import itertools
import math
import time
from collections.abc import Iterator

from api_contract import invariants
from api_contract.exchange import Problem
from contract_tests.context import Context, Probe
from contract_tests.failures import CheckSkipped
from contract_tests.registry import check
from contract_tests.transport import Exchange

MAX_POINTS = 2000  # a domain larger than this is not exhausted (the samples still run)
NAMED = 12  # failing months named in the report


def _roles(ctx: Context) -> dict[str, str]:
    """Which query parameter is the year and which the month (from x-default-from-clock)."""
    return {q.default_from_clock or q.name: q.name for q in ctx.contract.query_params}


def label(ctx: Context, point: dict[str, str]) -> str:
    roles = _roles(ctx)
    year, month = point.get(roles.get("year", "")), point.get(roles.get("month", ""))
    if year is not None and month is not None and len(point) == 2:
        return f"{int(year):04d}-{int(month):02d}"
    return "&".join(f"{k}={v}" for k, v in point.items())


def _is_corner(ctx: Context, point: dict[str, str]) -> bool:
    roles = _roles(ctx)
    if "year" not in roles or "month" not in roles:
        return False
    year, month = int(point[roles["year"]]), int(point[roles["month"]])
    now = ctx.now()
    from_now = (year * 12 + month - 1) - (now.year * 12 + now.month - 1)
    return (month == 2 and calendar.isleap(year)) or month in (1, 12) or abs(from_now) <= 1


def domain(ctx: Context) -> list[dict[str, str]]:
    """Every point of the documented query domain, corners first, then in order."""
    bounds = ctx.bounds()
    if not bounds:
        raise CheckSkipped("the spec has no query parameters to sweep")
    unbounded = [b.name for b in bounds if b.minimum is None or b.maximum is None]
    if unbounded:
        raise CheckSkipped(f"no documented bounds for {', '.join(unbounded)}")
    size = math.prod(b.maximum - b.minimum + 1 for b in bounds)  # type: ignore[operator]
    if size > MAX_POINTS:
        raise CheckSkipped(f"{size} documented points are too many to exhaust (> {MAX_POINTS})")
    ranges = [range(b.minimum, b.maximum + 1) for b in bounds]  # type: ignore[arg-type]
    points = [{b.name: str(v) for b, v in zip(bounds, values, strict=True)}
              for values in itertools.product(*ranges)]
    return sorted(points, key=lambda p: not _is_corner(ctx, p))  # stable: in order within


def _problems(ctx: Context, point: dict[str, str], ex: Exchange) -> Iterator[Problem | None]:
    expected = "HTTP 200 with a summary"
    if ex.reply is None:
        yield expected, ex.error or "nothing"
        return
    if ex.reply.status != 200:
        yield expected, ex.reply.brief()
        return
    doc, why = ex.reply.parse()
    if why is not None:
        yield expected, f"HTTP 200 with {why}"
        return
    yield invariants.schema_problem(ctx.contract.validators[200], doc,
                                    "a body valid against the 200 schema")
    if not isinstance(doc, dict):
        return
    yield invariants.echo(ctx.contract, ctx.config.org_id, point, doc)
    yield invariants.counts(ctx.summary_schema.get("properties", {}), doc)
    yield invariants.average(ctx.contract, doc)


def month_problem(ctx: Context, point: dict[str, str], ex: Exchange) -> Problem | None:
    return next((p for p in _problems(ctx, point, ex) if p is not None), None)


@check("every_month_answers", "every documented year/month: HTTP 200 with a summary that "
       "validates, echoes it and keeps its arithmetic")
def every_month_answers(ctx: Context) -> str:
    points = domain(ctx)
    started = time.monotonic()
    exchanges = ctx.summary_many([Probe(query=tuple(p.items())) for p in points],
                                 budget=ctx.config.sweep_budget)
    seconds = time.monotonic() - started
    answered = [(p, ex) for p, ex in zip(points, exchanges, strict=True) if ex is not None]
    swept = [(p, ex) for p, ex in answered if not ex.rate_limited]
    failed = [(p, ex, problem) for p, ex in swept
              if (problem := month_problem(ctx, p, ex)) is not None]
    if failed:
        names = ", ".join(sorted(label(ctx, p) for p, _, _ in failed)[:NAMED])
        more = f" and {len(failed) - NAMED} more" if len(failed) > NAMED else ""
        point, ex, (expected, got) = min(failed, key=lambda f: label(ctx, f[0]))
        raise ctx.fail("every_month_answers", ex,
                       "every documented month answered with a valid summary of it",
                       f"{len(failed)} of {len(swept)} months fail: {names}{more}; "
                       f"{label(ctx, point)}: expected {expected}, got {got}")
    span = f"{label(ctx, min(points, key=lambda p: label(ctx, p)))}.." \
           f"{label(ctx, max(points, key=lambda p: label(ctx, p)))}"
    limited = len(answered) - len(swept)
    note = f"; {limited} still rate-limited (429) after waiting, not checked" if limited else ""
    if len(answered) < len(points):
        return (f"{len(swept)} of {len(points)} months of {span} in the "
                f"{ctx.config.sweep_budget:g} s budget (corners first){note}; raise "
                "--sweep-budget to sweep them all")
    return f"{len(swept)} of {len(points)} months, {span}, in {seconds:.1f} s{note}"
