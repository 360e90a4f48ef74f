"""The requests several checks look at: a few valid months and a few documented errors.

Requests are memoized by the context, so each is sent once however many checks read it.
"""

from __future__ import annotations

from typing import Any

from contract_tests.checks.errors import NONEXISTENT_ORG, unknown_key_value, valid_query
from contract_tests.context import Context
from contract_tests.transport import Exchange


def months(ctx: Context) -> list[dict[str, str]]:
    """The spec's example month, the lowest and the highest month the bounds allow."""
    bounds = ctx.bounds()
    chosen = [dict(valid_query(ctx, {}))]
    for pick in ("minimum", "maximum"):
        chosen.append({b.name: str(getattr(b, pick)) for b in bounds
                       if getattr(b, pick) is not None})
    unique: list[dict[str, str]] = []
    for query in chosen:
        if query not in unique:
            unique.append(query)
    return unique


def summaries(ctx: Context) -> list[tuple[dict[str, str], Exchange]]:
    return [(q, ctx.summary(query=list(q.items()))) for q in months(ctx)]


def summary_bodies(ctx: Context) -> list[tuple[Exchange, dict[str, Any]]]:
    """The sampled answers that are 200s with a JSON object body."""
    found = []
    for _, ex in summaries(ctx):
        if ex.reply is not None and ex.reply.status == 200:
            doc, why = ex.reply.parse()
            if why is None and isinstance(doc, dict):
                found.append((ex, doc))
    return found


def error_exchanges(ctx: Context) -> list[Exchange]:
    """Requests the contract answers with an error: no key, unknown key, other org, bad month."""
    bounds = ctx.bounds()
    bad = {b.name: str(b.maximum + 1) for b in bounds[-1:] if b.maximum is not None}
    return [
        ctx.summary(key=None),
        ctx.summary(key=unknown_key_value(ctx)),
        ctx.summary(NONEXISTENT_ORG),
        ctx.summary(query=valid_query(ctx, bad)),
    ]


def error_bodies(ctx: Context) -> list[tuple[Exchange, int, dict[str, Any]]]:
    found = []
    for ex in error_exchanges(ctx):
        if ex.reply is not None and ex.reply.status >= 400:
            doc, why = ex.reply.parse()
            if why is None and isinstance(doc, dict):
                found.append((ex, ex.reply.status, doc))
    return found
