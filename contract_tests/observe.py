"""The kit's exchanges judged by the registry's checks (:mod:`api_contract.verdicts`).

The kit crafted each request, so it knows facts a bystander does not (the key belongs to
``--org-id``; a made-up key is invalid; an org does not exist) and passes them along. The
same checks, without those facts, judge every exchange the mock's proxy forwards.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from api_contract.exchange import Observed
from api_contract.verdicts import REGISTRY
from contract_tests.context import Context
from contract_tests.failures import ContractViolation
from contract_tests.transport import Exchange


def observed(ex: Exchange, **facts: Any) -> Observed:
    """The exchange in the registry's terms (the org is the URL's last path segment)."""
    parts = urlsplit(ex.request.url)
    org = unquote(parts.path.rsplit("/", 1)[-1])
    query = parse_qsl(parts.query, keep_blank_values=True)
    return Observed(org, query, ex.request.headers, ex.reply, ex.error, **facts)


def own_key(ctx: Context) -> dict[str, Any]:
    """The fact the kit knows about its configured key: it belongs to ``--org-id``."""
    return {"key_org": ctx.config.org_id}


def verify(ctx: Context, name: str, ex: Exchange, **facts: Any) -> None:
    """Raise the violation of the registry's check ``name`` on ``ex``, if any; an exchange
    that got no answer is a violation of whichever check needed it."""
    chk = REGISTRY[name]
    if ex.reply is None:
        raise ContractViolation(check=name, expected=f"an answer ({chk.summary})",
                                got=ex.error or "nothing", request=ex.request)
    violation = chk(ctx.contract, observed(ex, **facts))
    if violation is not None:
        raise ctx.fail(name, ex, violation.expected, violation.got)
