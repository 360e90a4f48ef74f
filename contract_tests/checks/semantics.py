"""Meaning that no schema expresses: echoes, defaults, arithmetic, the error envelope's rules,
and the key never coming back."""

from __future__ import annotations

from typing import Any

from api_contract import invariants
from api_contract.invariants import MIN_SECRET_LENGTH, average_fields
from contract_tests.checks.samples import (
    error_bodies,
    error_exchanges,
    summaries,
    summary_bodies,
)
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped, ContractViolation
from contract_tests.observe import verify
from contract_tests.registry import check


def _bodies(ctx: Context) -> list[tuple[Any, dict[str, Any]]]:
    bodies = summary_bodies(ctx)
    if not bodies:
        raise CheckSkipped("no 200 summary came back to check (see echoes_request)")
    return bodies


@check("echoes_request", "the organization, year and month echo the request")
def echoes_request(ctx: Context) -> None:
    for query, ex in summaries(ctx):
        _, expected = invariants.echo_wanted(ctx.contract, ctx.config.org_id, query)
        reply, doc = ctx.json("echoes_request", ex, expected)
        if reply.status != 200 or not isinstance(doc, dict):
            raise ctx.fail("echoes_request", ex, expected, reply.brief())
        verify(ctx, "echoes_request", ex)


@check("defaults_current_month", "omitted year/month mean the current UTC year/month")
def defaults_current_month(ctx: Context) -> None:
    clock = {q.name: q.default_from_clock or q.name for q in ctx.contract.query_params}
    names = list(clock)
    cases: list[dict[str, str]] = [{}]
    before = ctx.now()
    for keep in names:  # each parameter given alone, the others omitted
        cases.append({keep: str(getattr(before, clock[keep]))})
    for given in cases:
        before = ctx.now()
        ex = ctx.summary(query=list(given.items()))
        after = ctx.now()
        omitted = [n for n in names if n not in given]
        expected = f"HTTP 200 for the current UTC {'/'.join(omitted)}"
        reply, doc = ctx.json("defaults_current_month", ex, expected)
        if reply.status != 200 or not isinstance(doc, dict):
            raise ctx.fail("defaults_current_month", ex, expected, reply.brief())
        verify(ctx, "defaults_current_month", ex, sent_between=(before, after))


@check("average_cost", "the average cost = cost / requests (±0.005), 0 without requests")
def average_cost(ctx: Context) -> None:
    names = average_fields(ctx.contract)
    seen = 0
    for ex, doc in _bodies(ctx):
        seen += all(f in doc for f in names)  # else summary_fields
        verify(ctx, "average_cost", ex)
    if not seen:
        raise CheckSkipped(f"no summary had {', '.join(names)} (see summary_fields)")


@check("counts_and_signs", "integer fields are integers and nothing is below its minimum")
def counts_and_signs(ctx: Context) -> None:
    for ex, _ in _bodies(ctx):
        verify(ctx, "counts_and_signs", ex)


@check("timestamps_rfc3339", "the summary's and the error's date-times are RFC 3339")
def timestamps(ctx: Context) -> None:
    # (exchange, prefix for the message, object holding the fields, the fields' schemas)
    targets = [(ex, "", doc, ctx.summary_schema.get("properties", {}))
               for ex, doc in summary_bodies(ctx)]
    for ex, _, doc in error_bodies(ctx):
        targets.append((ex, "error.", invariants.error_of(doc),
                        ctx.error_schema.get("properties", {})))
    seen = 0
    for ex, prefix, obj, properties in targets:
        found, problem = invariants.timestamps(prefix, properties, obj)
        seen += found  # missing fields: summary_fields / error_fields name them
        if problem is not None:
            raise ctx.fail("timestamps_rfc3339", ex, *problem)
    if not seen:
        raise CheckSkipped("no answer carried a timestamp to check")


@check("error_status_matches", "error.status equals the HTTP status")
def error_status_matches(ctx: Context) -> None:
    seen = 0
    for ex, _, doc in error_bodies(ctx):
        err = doc.get("error")
        if isinstance(err, dict) and "status" in err:
            seen += 1
            verify(ctx, "error_status_matches", ex)
    if not seen:
        raise CheckSkipped("no error answer carried error.status (see error_envelope)")


@check("error_envelope", "errors are JSON envelopes: success false, all fields, a trace_id")
def error_envelope(ctx: Context) -> None:
    for ex in error_exchanges(ctx):
        reply, _ = ctx.json("error_envelope", ex, "an error in the JSON envelope")
        if reply.status >= 400:  # else the errors family reports a wrong status
            verify(ctx, "error_envelope", ex)


@check("json_content_type", "every answer is JSON with Content-Type application/json")
def json_content_type(ctx: Context) -> None:
    summaries(ctx)
    for ex in list(ctx.history):
        if ex.reply is None:
            continue  # reported by the check that sent it
        verify(ctx, "json_content_type", ex)


@check("json_numbers_only", "no answer of the run (the sweep's included) writes NaN or "
       "Infinity for a number: they are not JSON")
def json_numbers_only(ctx: Context) -> None:
    summaries(ctx)
    for ex in list(ctx.history):
        if ex.reply is not None:  # else reported by the check that sent it
            verify(ctx, "json_numbers_only", ex)


@check("key_never_echoed", "the API key never appears in a response body or header")
def key_never_echoed(ctx: Context) -> None:
    summaries(ctx)
    error_exchanges(ctx)
    for ex in list(ctx.history):  # the kit's own requests first: they reproduce exactly
        if ex.reply is not None:  # else reported by the check that sent it
            verify(ctx, "key_never_echoed", ex)
    engine = ctx.cache.get("schemathesis")  # what the conformance run saw, if it ran
    if engine is not None and engine.key_echoes and len(ctx.config.api_key) >= MIN_SECRET_LENGTH:
        raise ContractViolation(check="key_never_echoed", expected="no trace of the sent key",
                                got="the key in an answer to a Schemathesis request",
                                request=engine.key_echoes[0])
