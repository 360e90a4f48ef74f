"""Checks on the answer alone: its status, content type, body shape and meaning."""

from __future__ import annotations

from typing import Any

from api_contract import cases, freshness, invariants
from api_contract.contract import Contract
from api_contract.exchange import Observed, Problem
from api_contract.verdicts.registry import exchange_check


def summary_doc(o: Observed) -> dict[str, Any] | None:
    """The answer's body when it is a 200 with a JSON object, else None."""
    if o.reply is None or o.reply.status != 200:
        return None
    doc = o.json()
    return doc if isinstance(doc, dict) else None


def error_doc(o: Observed) -> dict[str, Any] | None:
    if o.reply is None or o.reply.status < 400:
        return None
    doc = o.json()
    return doc if isinstance(doc, dict) else None


# -- nothing came back ----------------------------------------------------------------------
@exchange_check("complete_answer", "the server sends a complete answer within the timeout")
def complete_answer(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None:
        return "a complete answer within the timeout", o.error or "nothing"
    return None


# -- every answer ---------------------------------------------------------------------------
@exchange_check("documented_status", "the status is one the spec documents for the summary")
def documented_status(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or o.reply.status in contract.statuses:
        return None
    documented = ", ".join(map(str, contract.statuses))
    return f"a documented status ({documented})", o.reply.brief()


@exchange_check("not_a_server_error", "no 5xx: a server error is a defect of the server")
def not_a_server_error(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or o.reply.status < 500:
        return None
    return "no server error", o.reply.brief()


@exchange_check("json_content_type", "every answer is JSON with Content-Type application/json")
def json_content_type(contract: Contract, o: Observed) -> Problem | None:
    return None if o.reply is None else invariants.json_content_type(o.reply)


@exchange_check("json_numbers_only", "numbers are JSON numbers: no NaN or Infinity")
def json_numbers_only(contract: Contract, o: Observed) -> Problem | None:
    return None if o.reply is None else invariants.json_numbers(o.reply)


@exchange_check("key_never_echoed", "the API key never appears in a response body or header")
def key_never_echoed(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None:
        return None
    for _, key in o.header_values(contract.key_headers):
        problem = invariants.key_echo(key, o.reply) or invariants.key_echo(key.strip(), o.reply)
        if problem is not None:
            return problem
    return None


# -- a summary --------------------------------------------------------------------------------
@exchange_check("response_schema", "a 200 body validates against the spec's summary schema")
def response_schema(contract: Contract, o: Observed) -> Problem | None:
    if summary_doc(o) is None or o.reply is None:
        return None
    return invariants.body_problem(contract.validators, 200, o.reply,  # type: ignore[arg-type]
                                   "a body valid against the 200 schema")


@exchange_check("summary_fields", "the 200 body has the contract's field names")
def summary_fields(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    schema = contract.validators[200].schema
    return None if doc is None else invariants.drift("the summary", schema, doc, strict=False)


@exchange_check("echoes_request", "the organization, year and month echo the request")
def echoes_request(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    if doc is None:
        return None
    return invariants.echo(contract, o.org, cases.valid_values(contract, o.query), doc)


@exchange_check("defaults_current_month", "omitted year/month mean the current UTC year/month")
def defaults_current_month(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    if doc is None or o.sent_between is None:
        return None
    omitted = [q.name for q in contract.query_params if not o.query_values(q.name)]
    return invariants.defaults(contract, omitted, o.sent_between, doc) if omitted else None


@exchange_check("average_cost", "the average cost = cost / requests (±0.005)")
def average_cost(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    return None if doc is None else invariants.average(contract, doc)


@exchange_check("counts_and_signs", "integer fields are integers, nothing below its minimum")
def counts_and_signs(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    return None if doc is None else invariants.counts(invariants.summary_properties(contract),
                                                       doc)


@exchange_check("timestamps_rfc3339", "the summary's and the error's date-times are RFC 3339")
def timestamps_rfc3339(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    if doc is not None:
        return invariants.timestamps("", invariants.summary_properties(contract), doc)[1]
    err = invariants.error_of(error_doc(o))
    return invariants.timestamps("error.", invariants.error_properties(contract), err)[1]


# -- an error --------------------------------------------------------------------------------
@exchange_check("error_envelope", "errors are JSON envelopes: success false, all fields")
def error_envelope(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or o.reply.status < 400:
        return None
    return invariants.envelope(contract, o.reply)


@exchange_check("error_fields", "error bodies have the envelope's field names")
def error_fields(contract: Contract, o: Observed) -> Problem | None:
    doc = error_doc(o)
    if doc is None:
        return None
    schema = contract.envelope_validator.schema
    error_schema = schema["properties"]["error"]
    err = doc.get("error")
    return invariants.drift("the envelope", schema, doc, strict=False) or (
        invariants.drift("error", error_schema, err, strict=False)
        if isinstance(err, dict) else None)


@exchange_check("error_status_matches", "error.status equals the HTTP status")
def error_status_matches(contract: Contract, o: Observed) -> Problem | None:
    doc = error_doc(o)
    return None if doc is None or o.reply is None else invariants.error_status(o.reply.status,
                                                                               doc)


@exchange_check("documented_error_code", "a documented error carries the spec's code and "
                "type (any code for a 401 to a key that was sent)")
def documented_error_code(contract: Contract, o: Observed) -> Problem | None:
    reply = o.reply
    if reply is None or reply.status not in contract.errors or reply.parse()[1] is not None:
        return None
    keyed = cases.key_use(contract, o).key is not None
    return cases.expect_error(contract, reply, (reply.status,), unpinned={401} if keyed else ())




# -- time ----------------------------------------------------------------------------------
@exchange_check("generated_at_in_period", "the time generated is not before the month it "
                "summarises (past or current month) nor in the future, by the clock and the "
                "Date header (±5 min)")
def generated_at_in_period(contract: Contract, o: Observed) -> Problem | None:
    doc = summary_doc(o)
    if doc is None or o.sent_between is None or o.reply is None:
        return None
    return freshness.generated_at(contract, doc, o.sent_between, o.reply.headers)


@exchange_check("error_timestamp_now", "error.timestamp is the time of the answer (±5 min by "
                "the clock and the Date header), not a fixed value")
def error_timestamp_now(contract: Contract, o: Observed) -> Problem | None:
    doc = error_doc(o)
    if doc is None or o.sent_between is None or o.reply is None:
        return None
    return freshness.error_timestamp(contract, invariants.error_of(doc), o.sent_between,
                                     o.reply.headers)
