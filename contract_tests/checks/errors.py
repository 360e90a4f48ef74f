"""Every documented error, exactly: status, code and type as the spec pins them."""

from __future__ import annotations

from typing import Any

from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.registry import check
from contract_tests.transport import Exchange

NONEXISTENT_ORG = "org_freddy_contract_does_not_exist"
NON_INTEGERS = ("abc", "1.5")
LONG_ORG_LENGTH = 2000


def _error_of(doc: Any) -> dict[str, Any]:
    err = doc.get("error") if isinstance(doc, dict) else None
    return err if isinstance(err, dict) else {}


def expect_error(
    ctx: Context, name: str, ex: Exchange, statuses: tuple[int, ...], *, pin: bool = True,
    about: str = "",
) -> None:
    """The answer has one of ``statuses`` and, if ``pin``, the spec's code and type for it;
    ``about`` says what was asked for, in the expectation."""
    first = ctx.contract.errors.get(statuses[0])
    expected = " or ".join(f"HTTP {s}" for s in statuses)
    if pin and first is not None and len(statuses) == 1:
        expected += f" with error.code {first.code} and error.type {first.type}"
    if about:
        expected += f" for {about}"
    reply, doc = ctx.json(name, ex, expected + " (a JSON envelope)")
    if reply.status not in statuses:
        raise ctx.fail(name, ex, expected, reply.brief())
    tpl = ctx.contract.errors.get(reply.status)
    if not pin or tpl is None:
        return
    err = _error_of(doc)
    for field, want in (("code", tpl.code), ("type", tpl.type)):
        if err.get(field) != want:
            got = f"error.{field} {err.get(field)!r} in {reply.brief()}"
            raise ctx.fail(name, ex, expected, got)


@check("missing_key_401", "no API key: 401 with the documented code and type")
def missing_key(ctx: Context) -> None:
    expect_error(ctx, "missing_key_401", ctx.summary(key=None), (401,))


@check("empty_key_401", "an empty key in each documented header: 401 with the documented "
       "code and type")
def empty_key(ctx: Context) -> None:
    for header in ctx.contract.key_headers:
        expect_error(ctx, "empty_key_401", ctx.summary(key="", header=header), (401,),
                     about=f"an empty {header} header")


@check("unknown_key_401", "an unknown API key: 401 (any error code)")
def unknown_key(ctx: Context) -> None:
    ex = ctx.summary(key=unknown_key_value(ctx))
    expect_error(ctx, "unknown_key_401", ex, (401,), pin=False)


def unknown_key_value(ctx: Context) -> str:
    return "freddy-contract-unknown-" + ctx.config.api_key[::-1][:6] + "-key"


@check("nonexistent_org_403", "a nonexistent organization: 403 with the documented code")
def nonexistent_org(ctx: Context) -> None:
    expect_error(ctx, "nonexistent_org_403", ctx.summary(NONEXISTENT_ORG), (403,))


@check("foreign_org_403", "the --foreign-org-id organization: 403 with the documented code")
def foreign_org(ctx: Context) -> None:
    if not ctx.config.foreign_org_id:
        raise CheckSkipped("no --foreign-org-id given")
    expect_error(ctx, "foreign_org_403", ctx.summary(ctx.config.foreign_org_id), (403,))


@check("out_of_range_400", "year/month just outside the spec's bounds: 400 INVALID_REQUEST")
def out_of_range(ctx: Context) -> None:
    for b in ctx.bounds():
        for value in (b.minimum - 1 if b.minimum is not None else None,
                      b.maximum + 1 if b.maximum is not None else None):
            if value is not None:
                ex = ctx.summary(query=valid_query(ctx, {b.name: str(value)}))
                expect_error(ctx, "out_of_range_400", ex, (400,))


@check("non_integer_400", "year/month that are not integers: 400 INVALID_REQUEST")
def non_integer(ctx: Context) -> None:
    for b in ctx.bounds():
        for value in NON_INTEGERS:
            ex = ctx.summary(query=valid_query(ctx, {b.name: value}))
            expect_error(ctx, "non_integer_400", ex, (400,))


@check("forbidden_and_malformed", "another org with a bad month: 400 or 403, never 2xx/5xx")
def forbidden_and_malformed(ctx: Context) -> None:
    bad = {b.name: str(b.maximum + 1) for b in ctx.bounds() if b.maximum is not None}
    ex = ctx.summary(NONEXISTENT_ORG, query=valid_query(ctx, bad))
    expect_error(ctx, "forbidden_and_malformed", ex, (400, 403))


@check("long_org_id_handled", f"a {LONG_ORG_LENGTH}-character org id: an error envelope, no 5xx")
def long_org_id(ctx: Context) -> None:
    ex = ctx.summary("org_" + "x" * (LONG_ORG_LENGTH - 4))
    expect_error(ctx, "long_org_id_handled", ex, (403, 400, 404, 414), pin=False)


@check("alias_key_header", "the key in the spec's alternative header is accepted too")
def alias_header(ctx: Context) -> None:
    aliases = ctx.contract.key_headers[1:]
    if not aliases:
        raise CheckSkipped("the spec declares no alternative key header")
    for header in aliases:
        ex = ctx.summary(header=header)
        reply = ctx.reply("alias_key_header", ex, "HTTP 200")
        if reply.status != 200:
            raise ctx.fail("alias_key_header", ex, f"HTTP 200 with the key in {header}",
                           reply.brief())


@check("key_headers_any_case", "the key header's name is case-insensitive (RFC 9110): "
       "x-api-key and X-API-KEY work too")
def key_headers_any_case(ctx: Context) -> None:
    for header in ctx.contract.key_headers:
        for spelling in dict.fromkeys((header.lower(), header.upper())):
            if spelling == header:
                continue
            ex = ctx.summary(header=spelling)
            reply = ctx.reply("key_headers_any_case", ex, "HTTP 200")
            if reply.status != 200:
                raise ctx.fail("key_headers_any_case", ex,
                               f"HTTP 200 with the key in a {spelling} header", reply.brief())


def valid_query(ctx: Context, override: dict[str, str]) -> list[tuple[str, str]]:
    """A valid year/month query (the spec's documented example month) with some values replaced."""
    try:
        base = ctx.contract.example_for(200).value
    except KeyError:
        base = {}
    query = []
    for b in ctx.bounds():
        if b.name in override:
            query.append((b.name, override[b.name]))
        elif b.name in base:
            query.append((b.name, str(base[b.name])))
    return query
