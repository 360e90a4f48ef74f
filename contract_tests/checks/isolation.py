"""Tenant isolation (OWASP API1): the key never reads another organization's summary."""

from __future__ import annotations

from contract_tests.checks.errors import valid_query
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
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
        reply = ctx.reply("no_cross_tenant_read", ex, "a refusal (403)")
        if 200 <= reply.status < 300:
            raise ctx.fail("no_cross_tenant_read", ex,
                           f"no access to {foreign!r} with the key of {ctx.config.org_id!r}",
                           reply.brief())
