"""Drift: field names that differ from the contract, named one by one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api_contract import invariants
from contract_tests.checks.samples import error_bodies, summary_bodies
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.registry import check
from contract_tests.transport import Exchange


def _compare(
    ctx: Context, name: str, ex: Exchange, where: str, schema: Mapping[str, Any],
    keys: Iterable[str],
) -> str | None:
    keys = list(keys)
    problem = invariants.drift(where, schema, keys, strict=ctx.config.strict)
    if problem is not None:
        raise ctx.fail(name, ex, *problem)
    unexpected = invariants.unexpected_fields(schema, keys)
    if unexpected:
        return f"extra fields in {where} (allowed without --strict): " + ", ".join(unexpected)
    return None


@check("summary_fields", "the 200 body has exactly the contract's field names")
def summary_fields(ctx: Context) -> str | None:
    bodies = summary_bodies(ctx)
    if not bodies:
        raise CheckSkipped("no 200 summary came back to compare (see echoes_request)")
    notes = {_compare(ctx, "summary_fields", ex, "the summary", ctx.summary_schema, doc)
             for ex, doc in bodies}
    return "; ".join(sorted(n for n in notes if n)) or None


@check("error_fields", "error bodies have exactly the envelope's field names")
def error_fields(ctx: Context) -> str | None:
    bodies = error_bodies(ctx)
    if not bodies:
        raise CheckSkipped("no JSON error body came back to compare (see error_envelope)")
    envelope = ctx.contract.envelope_validator.schema
    notes = set()
    for ex, _, doc in bodies:
        notes.add(_compare(ctx, "error_fields", ex, "the envelope", envelope, doc))
        err = doc.get("error")
        if isinstance(err, dict):
            notes.add(_compare(ctx, "error_fields", ex, "error", ctx.error_schema, err))
    return "; ".join(sorted(n for n in notes if n)) or None
