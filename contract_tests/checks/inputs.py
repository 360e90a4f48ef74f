"""Input a server's framework may choke on, sent on purpose rather than left to generation.

Each request here is crafted, so a run finds the same defects whatever ``--seed`` says:
values that are not UTF-8 once percent-decoded, encoded separators, NUL and control bytes,
integers beyond 64 bits, parameters given twice, and methods the route does not have. Each
gets the status the contract gives it, in the JSON envelope: never a 5xx, an HTML debug
page or a wrapped-around number read as a valid one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from api_contract import invariants
from contract_tests.checks.errors import expect_error, valid_query
from contract_tests.context import Context, Probe
from contract_tests.observe import verify
from contract_tests.registry import check
from contract_tests.transport import Exchange

ORG_REFUSED = (403, 400)  # the documented 403, or a malformed id refused with 400
UNROUTED = (*ORG_REFUSED, 404)  # an encoded separator decoded before routing: no route
# What follows the own org id in a path segment: (what it holds, the bytes, the statuses).
PATH_SUFFIXES: tuple[tuple[str, bytes, tuple[int, ...]], ...] = (
    ("a byte that is not UTF-8 (%FF)", b"\xff", ORG_REFUSED),
    ("a truncated UTF-8 sequence (%C3%28)", b"\xc3(", ORG_REFUSED),
    ("an overlong UTF-8 '/' (%C0%AF)", b"\xc0\xaf", ORG_REFUSED),
    ("an encoded '/' (%2F)", b"/x", UNROUTED),
    ("an encoded '/..' (%2F..)", b"/..", UNROUTED),
    ("an encoded '\\' (%5C)", b"\\x", UNROUTED),
    ("NUL (%00)", b"\x00", ORG_REFUSED),
    ("CR LF and a header line (%0D%0A)", b"\r\nX-Injected: 1", ORG_REFUSED),
    ("an escape sequence (%1B)", b"\x1b[2J", ORG_REFUSED),
)
# Values of an integer query parameter, made from a valid value v: (what it holds, value).
QUERY_VALUES: tuple[tuple[str, Callable[[int], str | bytes]], ...] = (
    ("a byte that is not UTF-8 (%FF)", lambda v: b"\xff"),
    ("an overlong UTF-8 '1' (%C0%B1)", lambda v: b"\xc0\xb1"),
    ("an encoded '/' (%2F)", lambda v: f"{v}/1"),
    ("an encoded '\\' (%5C)", lambda v: f"{v}\\"),
    ("NUL after the digits (%00)", lambda v: f"{v}\x00"),
    ("a line feed after the digits (%0A)", lambda v: f"{v}\n"),
    ("2^64 + a valid value (the value again, wrapped around in 64 bits)",
     lambda v: str(v + 2**64)),
    ("2^63 (one past the largest signed 64-bit integer)", lambda v: str(2**63)),
    ("a valid value - 2^64", lambda v: str(v - 2**64)),
    ("a 40-digit number", lambda v: "9" * 40),
)
OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE")
METHOD_NOT_ALLOWED = 405
AUTH_FIRST = (401, 403)  # an auth layer in front of routing may answer before the method
RATE_LIMITED = 429


def hostile_probes(ctx: Context) -> list[tuple[str, Probe, tuple[int, ...]]]:
    """(what is sent, the probe, the statuses the contract allows) for every hostile value.

    An org id that is not the key's gets the documented 403; a server that refuses a
    malformed id with 400, or (for an encoded separator only) whose framework decodes it
    before routing and finds no route (404), passes too if it answers in the envelope. A
    bad year or month is the documented 400.
    """
    own = ctx.config.org_id
    found = [(f"org id {own!r} + {how}", Probe(own.encode() + suffix), statuses)
             for how, suffix, statuses in PATH_SUFFIXES]
    base = dict(valid_query(ctx, {}))
    for b in ctx.bounds():
        valid = int(base.get(b.name, b.minimum or 0))
        for how, make in QUERY_VALUES:
            query = [(k, v) for k, v in valid_query(ctx, {}) if k != b.name]
            probe = Probe(query=(*query, (b.name, make(valid))))
            found.append((f"{b.name} = {how}", probe, (400,)))
    return found


@check("hostile_encodings_handled", "path and query values that are not UTF-8, hold an "
       "encoded / or \\, NUL or control bytes, or integers beyond 64 bits: the documented "
       "error in the JSON envelope, never a 5xx")
def hostile_encodings(ctx: Context) -> str:
    probes = hostile_probes(ctx)
    exchanges = ctx.summary_many([p for _, p, _ in probes])
    judged = _judge(ctx, "hostile_encodings_handled", probes, exchanges)
    return f"{judged} hostile values"


def _judge(ctx: Context, name: str, probes: Sequence[tuple[str, Probe, tuple[int, ...]]],
           exchanges: Sequence[Exchange | None]) -> int:
    """Each answer has one of its statuses (the code pinned for a single one) and is an
    error envelope; a 429 still there after waiting is no verdict. How many were judged."""
    judged = 0
    for (about, _, statuses), ex in zip(probes, exchanges, strict=True):
        assert ex is not None  # no budget: every probe is sent
        if ex.rate_limited:
            continue
        judged += 1
        expect_error(ctx, name, ex, statuses, pin=len(statuses) == 1, about=about)
        reply = ctx.reply(name, ex, "an error envelope")
        problem = invariants.envelope(ctx.contract, reply)
        if problem is not None:
            raise ctx.fail(name, ex, f"{problem[0]} for {about}", problem[1])
    return judged


@check("repeated_parameters_handled", "year or month given twice (the same value, two "
       "values, a valid and an invalid one): 400 in the envelope, or a summary of one of the "
       "valid values given; never a 5xx")
def repeated_parameters(ctx: Context) -> str:
    name = "repeated_parameters_handled"
    example = dict(valid_query(ctx, {}))
    cases = []
    for b in ctx.bounds():
        base = {k: v for k, v in example.items() if k != b.name}
        valid = example.get(b.name, str(b.minimum))
        other = str(b.maximum if str(b.minimum) == valid else b.minimum)
        bad = str(b.maximum + 1 if b.maximum is not None else "x")
        for values in ((valid, valid), (valid, other), (valid, bad)):
            probe = Probe(query=(*base.items(), *((b.name, v) for v in values)))
            summaries = [{**base, b.name: v} for v in values if v != bad]
            cases.append((f"{b.name} given twice ({' and '.join(values)})", probe, summaries))
    exchanges = ctx.summary_many([p for _, p, _ in cases])
    for (about, _, summaries), ex in zip(cases, exchanges, strict=True):
        assert ex is not None  # no budget: every probe is sent
        if ex.rate_limited:
            continue
        expected = f"HTTP 400 in the envelope, or 200 with a summary of a valid value, for {about}"
        reply, doc = ctx.json(name, ex, expected)
        if reply.status != 200:
            expect_error(ctx, name, ex, (400,), about=about)
            verify(ctx, "error_envelope", ex)
        elif not isinstance(doc, dict) or all(
                invariants.echo(ctx.contract, ctx.config.org_id, q, doc) for q in summaries):
            raise ctx.fail(name, ex, expected, reply.brief())
    return f"{len(cases)} repeated parameters"


@check("other_methods_405", "methods the route does not have (POST, PUT, PATCH, DELETE, "
       "with the key): 405 with an Allow header naming GET")
def other_methods(ctx: Context) -> None:
    for method in OTHER_METHODS:
        ex = ctx.summary(method=method)
        expected = f"HTTP 405 with an Allow header naming GET for {method}"
        reply = ctx.reply("other_methods_405", ex, expected)
        if reply.status in (*AUTH_FIRST, RATE_LIMITED):
            continue  # as Schemathesis: auth or a rate limit may come before routing
        allowed = {m.strip().upper() for m in reply.headers.get("allow", "").split(",")}
        if reply.status != METHOD_NOT_ALLOWED or "GET" not in allowed:
            raise ctx.fail("other_methods_405", ex, expected,
                           f"{reply.brief()} (Allow: {reply.headers.get('allow', 'none')})")
