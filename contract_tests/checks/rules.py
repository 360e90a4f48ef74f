"""Rules one summary body must keep, each a function returning ``(expected, got)`` when
broken and None when kept. The sampled checks (semantics) and the month sweep apply the same
functions, so a rule is written once however many answers it is applied to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.context import Context

Problem = tuple[str, str]  # (what the contract expects, what came back)

# Relations between fields the spec names but cannot state as schema; each check that uses
# them first makes sure the spec has the fields.
ORG_FIELD = "organization_id"
AVERAGE, COST, REQUESTS = "averageCostPerRequest", "totalApiKeyCost", "totalApiKeyRequests"
AVERAGE_TOLERANCE = 0.005


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def echo_wanted(ctx: Context, query: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The values a summary for ``query`` must echo, and the expectation in words."""
    want = {ORG_FIELD: ctx.config.org_id, **{k: int(v) for k, v in query.items()}}
    return want, "HTTP 200 echoing " + ", ".join(f"{k}={v!r}" for k, v in want.items())


def echo(ctx: Context, query: Mapping[str, str], doc: Mapping[str, Any]) -> Problem | None:
    want, expected = echo_wanted(ctx, query)
    got = {k: doc.get(k) for k in want}
    if got == want:
        return None
    return expected, ", ".join(f"{k}={got[k]!r}" for k in want if got[k] != want[k])


def average(doc: Mapping[str, Any]) -> Problem | None:
    """averageCostPerRequest = cost / requests; None also when a field is missing (the drift
    checks name it)."""
    if not all(f in doc for f in (AVERAGE, COST, REQUESTS)):
        return None
    avg, cost, requests = doc[AVERAGE], doc[COST], doc[REQUESTS]
    if not all(map(_is_number, (avg, cost, requests))):
        return (f"numbers in {AVERAGE}, {COST}, {REQUESTS}",
                f"{avg!r}, {cost!r}, {requests!r}")
    want = cost / requests if requests else 0.0
    if abs(avg - want) > (AVERAGE_TOLERANCE if requests else 0):
        return (f"{AVERAGE} ≈ {want:.4f} ({COST} {cost} / {REQUESTS} {requests})",
                f"{AVERAGE} {avg}")
    return None


def counts(ctx: Context, doc: Mapping[str, Any]) -> Problem | None:
    """Numbers are numbers, integers integers (``6250`` is a number; ``25000.0`` is not an
    integer on the wire), and nothing is below its minimum."""
    for name, schema in ctx.summary_schema.get("properties", {}).items():
        if name not in doc:
            continue
        value, kind = doc[name], schema.get("type")
        if kind in ("integer", "number") and not _is_number(value):
            return f"{name} a number", repr(value)
        if kind == "integer" and not isinstance(value, int):
            return f"{name} an integer", repr(value)
        low = schema.get("minimum")
        if low is not None and _is_number(value) and value < low:
            return f"{name} ≥ {low}", repr(value)
    return None


def schema(ctx: Context, doc: Any) -> Problem | None:
    """The body validates against the spec's 200 schema (formats included)."""
    problems = sorted(ctx.contract.validators[200].iter_errors(doc), key=lambda e: list(e.path))
    if not problems:
        return None
    where = "/".join(map(str, problems[0].path)) or "body"
    return "a body valid against the 200 schema", f"{where}: {problems[0].message[:200]}"
