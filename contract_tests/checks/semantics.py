"""Meaning that no schema expresses: echoes, defaults, arithmetic, the error envelope's rules,
and the key never coming back."""

from __future__ import annotations

import re
from typing import Any

from contract_tests.checks import rules
from contract_tests.checks.freshness import instant
from contract_tests.checks.rules import AVERAGE, COST, ORG_FIELD, REQUESTS
from contract_tests.checks.samples import (
    error_bodies,
    error_exchanges,
    summaries,
    summary_bodies,
)
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped, ContractViolation
from contract_tests.registry import check

MIN_SECRET_LENGTH = 6  # shorter keys would match by chance

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _require_fields(ctx: Context, *names: str) -> None:
    props = ctx.summary_schema.get("properties", {})
    absent = [n for n in names if n not in props]
    if absent:
        raise CheckSkipped(f"the spec has no field {', '.join(absent)}")


def _bodies(ctx: Context) -> list[tuple[Any, dict[str, Any]]]:
    bodies = summary_bodies(ctx)
    if not bodies:
        raise CheckSkipped("no 200 summary came back to check (see echoes_request)")
    return bodies


@check("echoes_request", "organization_id, year and month echo the request")
def echoes_request(ctx: Context) -> None:
    _require_fields(ctx, ORG_FIELD)
    for query, ex in summaries(ctx):
        _, expected = rules.echo_wanted(ctx, query)
        reply, doc = ctx.json("echoes_request", ex, expected)
        if reply.status != 200 or not isinstance(doc, dict):
            raise ctx.fail("echoes_request", ex, expected, reply.brief())
        problem = rules.echo(ctx, query, doc)
        if problem:
            raise ctx.fail("echoes_request", ex, *problem)


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
        allowed = [{n: getattr(t, clock[n]) for n in names} for t in (before, after)]
        omitted = [n for n in names if n not in given]
        expected = f"HTTP 200 for the current UTC {'/'.join(omitted)} " + (
            " or ".join(str(a) for a in allowed[: 1 if allowed[0] == allowed[1] else 2]))
        reply, doc = ctx.json("defaults_current_month", ex, expected)
        if reply.status != 200 or not isinstance(doc, dict):
            raise ctx.fail("defaults_current_month", ex, expected, reply.brief())
        got = {n: doc.get(n) for n in names}
        if got not in allowed:
            raise ctx.fail("defaults_current_month", ex, expected, str(got))


@check("average_cost", "averageCostPerRequest = cost / requests (±0.005), 0 without requests")
def average_cost(ctx: Context) -> None:
    _require_fields(ctx, AVERAGE, COST, REQUESTS)
    seen = 0
    for ex, doc in _bodies(ctx):
        seen += all(f in doc for f in (AVERAGE, COST, REQUESTS))
        problem = rules.average(doc)
        if problem:
            raise ctx.fail("average_cost", ex, *problem)
    if not seen:
        raise CheckSkipped(f"no summary had {AVERAGE}, {COST} and {REQUESTS} (see summary_fields)")


@check("counts_and_signs", "integer fields are integers and nothing is below its minimum")
def counts_and_signs(ctx: Context) -> None:
    for ex, doc in _bodies(ctx):
        problem = rules.counts(ctx, doc)
        if problem:
            raise ctx.fail("counts_and_signs", ex, *problem)


def is_rfc3339(text: Any) -> bool:
    return isinstance(text, str) and bool(_RFC3339.fullmatch(text)) and instant(text) is not None


@check("timestamps_rfc3339", "generatedAt and error.timestamp are RFC 3339 date-times")
def timestamps(ctx: Context) -> None:
    summary_fields = [n for n, s in ctx.summary_schema.get("properties", {}).items()
                      if s.get("format") == "date-time"]
    error_fields = [n for n, s in ctx.error_schema.get("properties", {}).items()
                    if s.get("format") == "date-time"]
    # (exchange, prefix for the message, object holding the fields, the fields)
    targets = [(ex, "", doc, summary_fields) for ex, doc in summary_bodies(ctx)]
    for ex, _, doc in error_bodies(ctx):
        err = doc.get("error") if isinstance(doc.get("error"), dict) else {}
        targets.append((ex, "error.", err, error_fields))
    seen = 0
    for ex, prefix, obj, fields in targets:
        for name in fields:
            if name not in obj:
                continue  # summary_fields / error_fields name what is missing
            seen += 1
            if not is_rfc3339(obj[name]):
                raise ctx.fail("timestamps_rfc3339", ex,
                               f"{prefix}{name} an RFC 3339 date-time", repr(obj[name]))
    if not seen:
        raise CheckSkipped("no answer carried a timestamp to check")


@check("error_status_matches", "error.status equals the HTTP status")
def error_status_matches(ctx: Context) -> None:
    seen = 0
    for ex, status, doc in error_bodies(ctx):
        err = doc.get("error")
        if isinstance(err, dict) and "status" in err:
            seen += 1
            if err["status"] != status or isinstance(err["status"], bool):
                raise ctx.fail("error_status_matches", ex, f"error.status {status}",
                               f"error.status {err['status']!r} with HTTP {status}")
    if not seen:
        raise CheckSkipped("no error answer carried error.status (see error_envelope)")


@check("error_envelope", "errors are JSON envelopes: success false, all fields, a trace_id")
def error_envelope(ctx: Context) -> None:
    validator = ctx.contract.envelope_validator
    for ex in error_exchanges(ctx):
        reply, doc = ctx.json("error_envelope", ex, "an error in the JSON envelope")
        if reply.status < 400:
            continue  # the errors family reports a wrong status
        if reply.content_type != "application/json":
            raise ctx.fail("error_envelope", ex, "Content-Type application/json",
                           reply.content_type or "no Content-Type")
        problems = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if problems:
            where = "/".join(map(str, problems[0].path)) or "body"
            raise ctx.fail("error_envelope", ex, "the error envelope of the spec",
                           f"{where}: {problems[0].message[:200]}")


@check("json_content_type", "every answer is JSON with Content-Type application/json")
def json_content_type(ctx: Context) -> None:
    summaries(ctx)
    for ex in list(ctx.history):
        if ex.reply is None:
            continue  # reported by the check that sent it
        expected = "a JSON body with Content-Type application/json"
        ctx.json("json_content_type", ex, expected)
        if ex.reply.content_type != "application/json":
            raise ctx.fail("json_content_type", ex, expected,
                           f"Content-Type {ex.reply.content_type or '(none)'!s}")


@check("key_never_echoed", "the API key never appears in a response body or header")
def key_never_echoed(ctx: Context) -> None:
    summaries(ctx)
    error_exchanges(ctx)
    engine = ctx.cache.get("schemathesis")  # what the conformance run saw, if it ran
    if engine is not None and engine.key_echoes and len(ctx.config.api_key) >= MIN_SECRET_LENGTH:
        raise ContractViolation(check="key_never_echoed", expected="no trace of the sent key",
                                got="the key in an answer to a Schemathesis request",
                                request=engine.key_echoes[0])
    for ex in list(ctx.history):
        key = ex.key
        if ex.reply is None or not key or len(key) < MIN_SECRET_LENGTH:
            continue
        if key.encode() in ex.reply.body:
            raise ctx.fail("key_never_echoed", ex, "no trace of the sent key",
                           f"the key in the body of HTTP {ex.reply.status}")
        for name, value in ex.reply.headers.items():
            if key in value:
                raise ctx.fail("key_never_echoed", ex, "no trace of the sent key",
                               f"the key in the {name} header")
