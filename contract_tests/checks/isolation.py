"""Tenant isolation (OWASP API1): the key never reads another organization's summary."""

from __future__ import annotations

from contract_tests.checks.errors import valid_query
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.observe import own_key, verify
from contract_tests.registry import check


@check("no_cross_tenant_read", "the key reads no summary of --foreign-org-id, in any spelling")
def no_cross_tenant_read(ctx: Context) -> None:
    foreign = ctx.config.foreign_org_id
    if not foreign:
        raise CheckSkipped("no --foreign-org-id given")
    attempts = [
        ctx.summary(foreign),
        ctx.summary(foreign, query=valid_query(ctx, {})),
        *(ctx.summary(foreign, header=h) for h in ctx.contract.key_headers[1:]),
        ctx.summary(foreign.upper()) if foreign.upper() != foreign else None,
        ctx.summary(foreign + " ") ,
    ]
    for ex in attempts:
        if ex is None:
            continue
        ctx.reply("no_cross_tenant_read", ex, "a refusal (403)")
        verify(ctx, "no_cross_tenant_read", ex, **own_key(ctx))
