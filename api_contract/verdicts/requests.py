"""Checks on the request, and on the answer the contract documents for the request's case.

A case check applies only when the observer knows the case: no key at all (anyone can see
that), a key the observer knows is invalid (the kit, which made it up), the organization a
key belongs to (the kit from its configuration; the proxy from what the key read before).
"""

from __future__ import annotations

from api_contract import cases
from api_contract.cases import NOT_INTEGER, OUT_OF_RANGE
from api_contract.contract import Contract
from api_contract.exchange import Observed, Problem
from api_contract.verdicts.registry import REQUEST, exchange_check

LONG_ORG_LENGTH = 2000
RATE_LIMITED = 429  # documented, and says nothing about the request


def _other_org(o: Observed) -> bool:
    return o.key_org is not None and o.org != o.key_org


# -- what the client sent -----------------------------------------------------------------
@exchange_check("request_parameters", "year and month, when given, follow the spec's rules",
                side=REQUEST)
def request_parameters(contract: Contract, o: Observed) -> Problem | None:
    problems = cases.query_problems(contract, o)
    if not problems:
        return None
    p = problems[0]
    return f"{p.name} {p.rule}", f"{p.name}={p.given[:24]!r}"


@exchange_check("request_api_key", "the request carries one API key in a documented header",
                side=REQUEST)
def request_api_key(contract: Contract, o: Observed) -> Problem | None:
    use = cases.key_use(contract, o)
    if use.conflicting:
        return "one API key", "different keys in " + " and ".join(contract.key_headers)
    if use.key is None:
        return ("an API key in " + " or ".join(contract.key_headers),
                "an empty key header" if use.sent_empty else "no key header")
    return None


# -- the key ----------------------------------------------------------------------------------
@exchange_check("missing_key_401", "no API key: 401 with the documented code and type")
def missing_key_401(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or o.header_values(contract.key_headers):
        return None
    return cases.expect_error(contract, o.reply, (401,))


@exchange_check("empty_key_401", "an empty API key: 401 with the documented code and type")
def empty_key_401(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or not cases.key_use(contract, o).sent_empty:
        return None
    return cases.expect_error(contract, o.reply, (401,))


@exchange_check("unknown_key_401", "a key known to be invalid: 401 (any error code)")
def unknown_key_401(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or o.key_valid is not False:
        return None
    return cases.expect_error(contract, o.reply, (401,), pin=False)


@exchange_check("alias_key_header", "the key in the spec's alternative header works too")
def alias_key_header(contract: Contract, o: Observed) -> Problem | None:
    use = cases.key_use(contract, o)
    if (o.reply is None or o.key_org != o.org or use.header in (None, contract.key_headers[0])
            or cases.query_problems(contract, o) or o.reply.status == RATE_LIMITED):
        return None
    if o.reply.status != 200:
        return f"HTTP 200 with the key in {use.header}", o.reply.brief()
    return None


@exchange_check("key_headers_any_case", "the key header's name is case-insensitive (RFC "
                "9110): x-api-key and X-API-KEY work too")
def key_headers_any_case(contract: Contract, o: Observed) -> Problem | None:
    documented = {n.lower(): n for n in contract.key_headers}
    spelled = [n for n, v in o.headers
               if n.lower() in documented and n != documented[n.lower()] and v.strip()]
    if (o.reply is None or not spelled or o.key_org != o.org
            or cases.query_problems(contract, o) or o.reply.status == RATE_LIMITED):
        return None
    if o.reply.status != 200:
        return f"HTTP 200 with the key in a {spelled[0]} header", o.reply.brief()
    return None


# -- the organization -----------------------------------------------------------------------
@exchange_check("no_cross_tenant_read", "a key reads no other organization's summary")
def no_cross_tenant_read(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or not _other_org(o) or not 200 <= o.reply.status < 300:
        return None
    return f"no access to {o.org!r} with the key of {o.key_org!r}", o.reply.brief()


@exchange_check("foreign_org_403", "another organization: 403 with the documented code")
def foreign_org_403(contract: Contract, o: Observed) -> Problem | None:
    if (o.reply is None or not _other_org(o) or o.org_exists is False
            or cases.query_problems(contract, o) or o.reply.status == RATE_LIMITED):
        return None
    return cases.expect_error(contract, o.reply, (403,))


@exchange_check("nonexistent_org_403", "a nonexistent organization: 403 with the documented code")
def nonexistent_org_403(contract: Contract, o: Observed) -> Problem | None:
    if (o.reply is None or o.org_exists is not False or cases.key_use(contract, o).key is None
            or o.key_valid is False or cases.query_problems(contract, o)):
        return None
    return cases.expect_error(contract, o.reply, (403,))


@exchange_check("forbidden_and_malformed", "another org with bad values: 400 or 403")
def forbidden_and_malformed(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or not _other_org(o) or not cases.query_problems(contract, o):
        return None
    return cases.expect_error(contract, o.reply, (400, 403))


@exchange_check("long_org_id_handled", f"an org id of {LONG_ORG_LENGTH}+ characters: an "
                "error envelope, no 5xx")
def long_org_id_handled(contract: Contract, o: Observed) -> Problem | None:
    if o.reply is None or len(o.org) < LONG_ORG_LENGTH:
        return None
    return cases.expect_error(contract, o.reply, (403, 400, 404, 414), pin=False)


# -- the parameters -------------------------------------------------------------------------
def _bad_parameter(contract: Contract, o: Observed, kind: str) -> Problem | None:
    """A parameter of ``kind`` is bad: 400 when the key is known to read this org, or the
    429 of a rate limit (judged before the parameters, so a legitimate first answer); when
    the observer does not know the key, an auth error (checked first) will do too."""
    if (o.reply is None or _other_org(o) or cases.key_use(contract, o).key is None
            or o.key_valid is False):
        return None
    problems = [p for p in cases.query_problems(contract, o) if p.kind == kind]
    if not problems:
        return None
    if o.key_org == o.org:
        if o.reply.status == RATE_LIMITED:
            return cases.expect_error(contract, o.reply, (RATE_LIMITED,))
        return cases.expect_error(contract, o.reply, (400,))
    return cases.expect_error(contract, o.reply, (400, 401, 403, RATE_LIMITED),
                              unpinned={401})


@exchange_check("out_of_range_400", "year/month outside the spec's bounds: 400 INVALID_REQUEST")
def out_of_range_400(contract: Contract, o: Observed) -> Problem | None:
    return _bad_parameter(contract, o, OUT_OF_RANGE)


@exchange_check("non_integer_400", "year/month that are not integers: 400 INVALID_REQUEST")
def non_integer_400(contract: Contract, o: Observed) -> Problem | None:
    return _bad_parameter(contract, o, NOT_INTEGER)
