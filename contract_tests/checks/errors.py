"""Every documented error, exactly: status, code and type as the spec pins them."""

from __future__ import annotations

from api_contract import cases
from api_contract.verdicts.requests import LONG_ORG_LENGTH
from contract_tests.context import Context, Probe
from contract_tests.failures import CheckSkipped
from contract_tests.observe import own_key, verify
from contract_tests.registry import check
from contract_tests.transport import Exchange

NONEXISTENT_ORG = "org_freddy_contract_does_not_exist"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def non_integers(valid: int) -> tuple[str, ...]:
    """Values that are not the contract's integer form (ASCII digits), though a lenient
    parser (Python's ``int()``, a float conversion) reads most as ``valid``: a sign, a
    space, a fraction, a digit separator, non-ASCII digits."""
    digits = str(valid)
    return ("abc", "1.5", f"+{digits}", f" {digits}", f"{digits}.0",
            f"{digits[:1]}_{digits[1:]}" if len(digits) > 1 else f"0_{digits}",
            digits.translate(ARABIC_INDIC))


def expect_error(
    ctx: Context, name: str, ex: Exchange, statuses: tuple[int, ...], *, pin: bool = True,
    about: str = "",
) -> None:
    """The answer has one of ``statuses`` and, if ``pin``, the spec's code and type for it;
    ``about`` says what was asked for, in the expectation (the rule: api_contract.cases)."""
    reply = ctx.reply(name, ex, " or ".join(f"HTTP {s}" for s in statuses))
    problem = cases.expect_error(ctx.contract, reply, statuses, pin=pin, about=about)
    if problem is not None:
        raise ctx.fail(name, ex, *problem)


@check("missing_key_401", "no API key: 401 with the documented code and type")
def missing_key(ctx: Context) -> None:
    verify(ctx, "missing_key_401", ctx.summary(key=None))


@check("empty_key_401", "an empty key in each documented header: 401 with the documented "
       "code and type")
def empty_key(ctx: Context) -> None:
    for header in ctx.contract.key_headers:
        expect_error(ctx, "empty_key_401", ctx.summary(key="", header=header), (401,),
                     about=f"an empty {header} header")


@check("unknown_key_401", "an unknown API key: 401 (any error code)")
def unknown_key(ctx: Context) -> None:
    verify(ctx, "unknown_key_401", ctx.summary(key=unknown_key_value(ctx)), key_valid=False)


def unknown_key_value(ctx: Context) -> str:
    return "freddy-contract-unknown-" + ctx.config.api_key[::-1][:6] + "-key"


@check("nonexistent_org_403", "a nonexistent organization: 403 with the documented code")
def nonexistent_org(ctx: Context) -> None:
    verify(ctx, "nonexistent_org_403", ctx.summary(NONEXISTENT_ORG), **own_key(ctx),
           org_exists=False)


@check("foreign_org_403", "the --foreign-org-id organization: 403 with the documented code")
def foreign_org(ctx: Context) -> None:
    if not ctx.config.foreign_org_id:
        raise CheckSkipped("no --foreign-org-id given")
    verify(ctx, "foreign_org_403", ctx.summary(ctx.config.foreign_org_id), **own_key(ctx),
           org_exists=True)


@check("out_of_range_400", "year/month just outside the spec's bounds: 400 INVALID_REQUEST")
def out_of_range(ctx: Context) -> None:
    for b in ctx.bounds():
        for value in (b.minimum - 1 if b.minimum is not None else None,
                      b.maximum + 1 if b.maximum is not None else None):
            if value is not None:
                ex = ctx.summary(query=valid_query(ctx, {b.name: str(value)}))
                verify(ctx, "out_of_range_400", ex, **own_key(ctx))


@check("non_integer_400", "year/month not in the integer form (abc, 1.5, a sign, a space, "
       "7.0, 1_2, non-ASCII digits): 400 INVALID_REQUEST")
def non_integer(ctx: Context) -> None:
    example = dict(valid_query(ctx, {}))
    probes = [Probe(query=tuple(valid_query(ctx, {b.name: value})))
              for b in ctx.bounds()
              for value in non_integers(int(example.get(b.name, b.minimum or 1)))]
    for ex in ctx.summary_many(probes):
        assert ex is not None  # no budget: every probe is sent
        verify(ctx, "non_integer_400", ex, **own_key(ctx))


@check("forbidden_and_malformed", "another org with a bad month: 400 or 403, never 2xx/5xx")
def forbidden_and_malformed(ctx: Context) -> None:
    bad = {b.name: str(b.maximum + 1) for b in ctx.bounds() if b.maximum is not None}
    ex = ctx.summary(NONEXISTENT_ORG, query=valid_query(ctx, bad))
    verify(ctx, "forbidden_and_malformed", ex, **own_key(ctx), org_exists=False)


@check("long_org_id_handled", f"a {LONG_ORG_LENGTH}-character org id: an error envelope, no 5xx")
def long_org_id(ctx: Context) -> None:
    verify(ctx, "long_org_id_handled", ctx.summary("org_" + "x" * (LONG_ORG_LENGTH - 4)))


@check("alias_key_header", "the key in the spec's alternative header is accepted too")
def alias_header(ctx: Context) -> None:
    aliases = ctx.contract.key_headers[1:]
    if not aliases:
        raise CheckSkipped("the spec declares no alternative key header")
    for header in aliases:
        verify(ctx, "alias_key_header", ctx.summary(header=header), **own_key(ctx))


@check("key_headers_any_case", "the key header's name is case-insensitive (RFC 9110): "
       "x-api-key and X-API-KEY work too")
def key_headers_any_case(ctx: Context) -> None:
    for header in ctx.contract.key_headers:
        for spelling in dict.fromkeys((header.lower(), header.upper())):
            if spelling == header:
                continue
            verify(ctx, "key_headers_any_case", ctx.summary(header=spelling), **own_key(ctx))


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
