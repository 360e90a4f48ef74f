"""Tenant isolation (OWASP API1): the key reads its own organization and nothing else.

Servers that compare ids with a prefix (``LIKE 'org_abc%'``), a case-insensitive collation,
trimming, one URL-decoding too many or Unicode normalization let a key read ids that only
look like its own or another tenant's; each look-alike must get the documented 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from contract_tests.checks.errors import expect_error, valid_query
from contract_tests.context import Context, Probe
from contract_tests.failures import CheckSkipped
from contract_tests.observe import own_key, verify
from contract_tests.registry import check

FULLWIDTH_OFFSET = 0xFEE0  # "o" + 0xFEE0 = "ｏ" (NFKC folds it back to "o")


@check("no_cross_tenant_read", "the key reads no summary of --foreign-org-id, in any header")
def no_cross_tenant_read(ctx: Context) -> None:
    foreign = ctx.config.foreign_org_id
    if not foreign:
        raise CheckSkipped("no --foreign-org-id given")
    attempts = [
        ctx.summary(foreign),
        ctx.summary(foreign, query=valid_query(ctx, {})),
        *(ctx.summary(foreign, header=h) for h in ctx.contract.key_headers[1:]),
    ]
    for ex in attempts:
        ctx.reply("no_cross_tenant_read", ex, "a refusal (403)")
        verify(ctx, "no_cross_tenant_read", ex, **own_key(ctx))


def look_alikes(org: str) -> list[tuple[str, str]]:
    """(how it differs, the id): spellings a careless comparison takes for ``org``."""
    first, rest = org[:1], org[1:]
    wide = chr(ord(first) + FULLWIDTH_OFFSET) if "!" <= first <= "~" else None
    candidates = [
        ("in upper case", org.upper()),
        ("with its first letter's case swapped", first.swapcase() + rest),
        ("without its last character", org[:-1]),
        ("with a character appended", org + "0"),
        ("with a leading space", " " + org),
        ("with a trailing space", org + " "),
        ("with a trailing tab", org + "\t"),
        ("percent-encoded once more", "".join(f"%{b:02X}" for b in first.encode()) + rest),
        ("with a full-width first letter", wide + rest if wide else None),
    ]
    return distinct(org, candidates)


def distinct(original: str, candidates: Iterable[tuple[str, str | None]],
             keep: Callable[[str], bool] = bool) -> list[tuple[str, str]]:
    """The candidates that ``keep`` accepts, each spelling once, ``original`` left out."""
    seen = {original}
    found = []
    for how, alike in candidates:
        if alike and keep(alike) and alike not in seen:
            seen.add(alike)
            found.append((how, alike))
    return found


@check("near_miss_org_ids_403", "ids that look almost like the key's org or --foreign-org-id "
       "(case, prefix, spaces, encoding, full-width): the documented 403")
def near_miss_org_ids(ctx: Context) -> str:
    own, foreign = ctx.config.org_id, ctx.config.foreign_org_id
    probes = [(org, how, alike) for org in filter(None, (own, foreign))
              for how, alike in look_alikes(org) if alike != own]
    exchanges = ctx.summary_many([Probe(alike) for _, _, alike in probes])
    limited = 0
    for (org, how, alike), ex in zip(probes, exchanges, strict=True):
        assert ex is not None  # no budget: every probe is sent
        if ex.rate_limited:
            limited += 1
            continue
        expect_error(ctx, "near_miss_org_ids_403", ex, (403,),
                     about=f"{alike!r} ({org!r} {how})")
    return (f"{len(probes) - limited} look-alikes" + ("" if foreign else " of --org-id only")
            + (f"; {limited} still rate-limited (429) after waiting" if limited else ""))
