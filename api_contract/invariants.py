"""Rules one answer must keep, each a pure function returning ``(expected, got)`` when broken
and None when kept.

The contract kit's checks apply them to the answers they ask for; the registry of
:mod:`api_contract.verdicts` applies them to any exchange (the mock's validating proxy runs
it on every answer it forwards). A rule is written once, here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from api_contract.contract import Contract
from api_contract.exchange import Problem, Reply
from api_contract.fields import AVERAGE, COST, ORGANIZATION, REQUESTS
from api_contract.validators import Validators

# Relations between fields the spec cannot state as schema. The fields are found by their
# meaning (x-meaning, api_contract.fields): no rule here names a field of the body.
AVERAGE_TOLERANCE = 0.005
MIN_SECRET_LENGTH = 6  # shorter keys would match by chance
JSON_TYPE = "application/json"

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_rfc3339(text: Any) -> bool:
    if not isinstance(text, str) or not _RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def error_of(doc: Any) -> dict[str, Any]:
    err = doc.get("error") if isinstance(doc, dict) else None
    return err if isinstance(err, dict) else {}


def summary_properties(contract: Contract) -> Mapping[str, Any]:
    return contract.validators[200].schema.get("properties", {})


def error_properties(contract: Contract) -> Mapping[str, Any]:
    return contract.envelope_validator.schema["properties"]["error"].get("properties", {})


# -- the answer as a whole --------------------------------------------------------------
def json_content_type(reply: Reply) -> Problem | None:
    expected = "a JSON body with Content-Type application/json"
    _, why = reply.parse()
    if why is not None:
        return expected, f"HTTP {reply.status} with {why}"
    if reply.content_type != JSON_TYPE:
        return expected, f"Content-Type {reply.content_type or '(none)'}"
    return None


_NOT_JSON_NUMBERS = (b"NaN", b"Infinity")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} where a JSON number belongs")


def json_numbers(reply: Reply) -> Problem | None:
    """Numbers as JSON writes them (RFC 8259): ``NaN`` and ``Infinity`` are not JSON,
    though Python's json module reads and writes them. None for a body that is not JSON at
    all (:func:`json_content_type` says so)."""
    if not any(word in reply.body for word in _NOT_JSON_NUMBERS) or reply.parse()[1]:
        return None
    try:
        json.loads(reply.body, parse_constant=_refuse_constant)
    except ValueError as exc:
        return "JSON numbers only (no NaN or Infinity)", f"{exc} in HTTP {reply.status}"
    return None


def key_echo(key: str | None, reply: Reply) -> Problem | None:
    if not key or len(key) < MIN_SECRET_LENGTH:
        return None
    if key.encode() in reply.body:
        return "no trace of the sent key", f"the key in the body of HTTP {reply.status}"
    for name, value in reply.headers.items():
        if key in value:
            return "no trace of the sent key", f"the key in the {name} header"
    return None


def drift(where: str, schema: Mapping[str, Any], keys: Iterable[str], *,
          strict: bool) -> Problem | None:
    """Required fields missing (or, if ``strict``, undeclared ones present), all named."""
    keys = list(keys)
    missing = [f for f in schema.get("required", []) if f not in keys]
    unexpected = unexpected_fields(schema, keys)
    if not missing and not (unexpected and strict):
        return None
    got = []
    if missing:
        got.append("missing " + ", ".join(missing))
    if unexpected:
        got.append("unexpected " + ", ".join(unexpected))
    return f"the fields of {where}: " + ", ".join(schema.get("required", [])), "; ".join(got)


def unexpected_fields(schema: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    return [f for f in keys if f not in schema.get("properties", {})]


def schema_problem(validator: Any, doc: Any, expected: str) -> Problem | None:
    problems = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    return _as_problem(problems[0] if problems else None, expected)


def _as_problem(error: Any, expected: str) -> Problem | None:
    if error is None:
        return None
    where = "/".join(map(str, error.path)) or "body"
    return expected, f"{where}: {error.message[:200]}"


def body_problem(validators: Validators, key: Any, reply: Reply, expected: str) -> Problem | None:
    """:func:`schema_problem` of the reply's JSON body against ``validators[key]``,
    remembered for the same bytes."""
    return _as_problem(validators.first_error(key, reply.parse()[0], reply.body), expected)


# -- a summary (200) ----------------------------------------------------------------------
def echo_wanted(contract: Contract, org: str,
                query: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The values a summary for ``org`` and ``query`` (the year and month parameters, by
    name, as sent) must echo, by field name, and the expectation."""
    fields = contract.fields
    role = {param: meaning for meaning, param in contract.clock_params.items()}
    want = {fields[ORGANIZATION]: org,
            **{fields[role[k]]: int(v) for k, v in query.items() if k in role}}
    return want, "HTTP 200 echoing " + ", ".join(f"{k}={v!r}" for k, v in want.items())


def echo(contract: Contract, org: str, query: Mapping[str, str],
         doc: Mapping[str, Any]) -> Problem | None:
    want, expected = echo_wanted(contract, org, query)
    got = {k: doc.get(k) for k in want}
    if got == want:
        return None
    return expected, ", ".join(f"{k}={got[k]!r}" for k in want if got[k] != want[k])


def average_fields(contract: Contract) -> tuple[str, str, str]:
    """The names of the average, the cost and the requests (x-meaning)."""
    f = contract.fields
    return f[AVERAGE], f[COST], f[REQUESTS]


def average(contract: Contract, doc: Mapping[str, Any]) -> Problem | None:
    """The average = cost / requests; None also when a field is missing (the drift rules
    name it)."""
    average_, cost_, requests_ = names = average_fields(contract)
    if not all(f in doc for f in names):
        return None
    avg, cost, requests = doc[average_], doc[cost_], doc[requests_]
    if not all(map(is_number, (avg, cost, requests))):
        return (f"numbers in {average_}, {cost_}, {requests_}",
                f"{avg!r}, {cost!r}, {requests!r}")
    want = cost / requests if requests else 0.0
    if abs(avg - want) > (AVERAGE_TOLERANCE if requests else 0):
        return (f"{average_} ≈ {want:.4f} ({cost_} {cost} / {requests_} {requests})",
                f"{average_} {avg}")
    return None


def counts(properties: Mapping[str, Any], doc: Mapping[str, Any]) -> Problem | None:
    """Numbers are numbers, integers integers, and nothing is below its minimum."""
    for name, schema in properties.items():
        if name not in doc:
            continue
        value, kind = doc[name], schema.get("type")
        if kind in ("integer", "number") and not is_number(value):
            return f"{name} a number", repr(value)
        if kind == "integer" and not isinstance(value, int):
            return f"{name} an integer", repr(value)
        low = schema.get("minimum")
        if low is not None and is_number(value) and value < low:
            return f"{name} ≥ {low}", repr(value)
    return None


def timestamps(prefix: str, properties: Mapping[str, Any],
               obj: Mapping[str, Any]) -> tuple[int, Problem | None]:
    """(how many date-time fields were present, the first that is not RFC 3339)."""
    seen = 0
    for name, schema in properties.items():
        if schema.get("format") != "date-time" or name not in obj:
            continue
        seen += 1
        if not is_rfc3339(obj[name]):
            return seen, (f"{prefix}{name} an RFC 3339 date-time", repr(obj[name]))
    return seen, None


def defaults(contract: Contract, omitted: Iterable[str],
             between: tuple[datetime, datetime], doc: Mapping[str, Any]) -> Problem | None:
    """Omitted parameters (names) took the current UTC value (at either end of the
    exchange): the summary's field of that meaning says so."""
    role = {param: meaning for meaning, param in contract.clock_params.items()}
    omitted = [n for n in omitted if n in role]
    if not omitted:
        return None
    names = {n: contract.fields[role[n]] for n in omitted}
    allowed = [{names[n]: getattr(t, role[n]) for n in omitted} for t in between]
    got = {names[n]: doc.get(names[n]) for n in omitted}
    if got in allowed:
        return None
    expected = f"HTTP 200 for the current UTC {'/'.join(omitted)} " + (
        " or ".join(str(a) for a in allowed[: 1 if allowed[0] == allowed[1] else 2]))
    return expected, str(got)


# -- an error (4xx, 5xx) --------------------------------------------------------------------
def error_status(status: int, doc: Any) -> Problem | None:
    err = error_of(doc)
    if "status" in err and (err["status"] != status or isinstance(err["status"], bool)):
        return f"error.status {status}", f"error.status {err['status']!r} with HTTP {status}"
    return None


def envelope(contract: Contract, reply: Reply) -> Problem | None:
    """A JSON error envelope as the spec's shared schema describes it."""
    _, why = reply.parse()
    if why is not None:
        return "an error in the JSON envelope", f"HTTP {reply.status} with {why}"
    if reply.content_type != JSON_TYPE:
        return "Content-Type application/json", reply.content_type or "no Content-Type"
    return body_problem(contract.envelope, "envelope", reply, "the error envelope of the spec")
