"""What the client gets from a forwarded exchange, and where its violations are shown.

- the answer relayed, with ``X-Contract-Violations: name, name`` naming every check the
  exchange broke (request checks first), like Prism's ``sl-violations``;
- under ``--strict``, an answer the server got wrong becomes a 502 in the API's envelope
  naming the checks (a client's own mistake, e.g. ``month=13``, is still relayed);
- no usable answer: 504 (timeout) or 502 in the envelope, saying why;
- one log line per violation, the journal entry (``--admin``) and the proxy's counters.

Keys are masked in every message (a broken server may quote one back).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from api_contract.exchange import Observed, Violation, mask_in
from api_contract.verdicts import RESPONSE
from mock_server.engine.parts import MockParts
from mock_server.engine.steering import OUTCOME
from mock_server.foundation.errors import ApiError
from mock_server.foundation.renderer import new_trace_id
from mock_server.proxy.parts import ProxyParts
from mock_server.proxy.upstream import Fetched
from mock_server.qa import usage
from mock_server.qa.scenarios import Usage

VIOLATIONS_HEADER = "X-Contract-Violations"
NO_BODY = (204, 304)
UNAUTHORISED = (401, 403)  # the upstream refused the key: no rate-limit counter relayed
LIMIT_PREFIX = "x-ratelimit-"
log = logging.getLogger("freddy_mock.proxy")


def _names(violations: Sequence[Violation]) -> str:
    return ", ".join(dict.fromkeys(v.check for v in violations))


def relay(st: MockParts, px: ProxyParts, fetched: Fetched, violations: Sequence[Violation],
          usage_rule: Usage | None, headers: dict[str, str]) -> web.Response:
    """``headers``: the mock's own (rate limit, Preference-Applied), added to the answer."""
    names = _names(violations)
    extra = {**headers, **({VIOLATIONS_HEADER: names} if names else {})}
    reply = fetched.reply
    if reply is None or fetched.headers is None:
        return st.errors.response(ApiError(
            fetched.status, f"The upstream gave no usable answer: {fetched.error}",
            headers=extra))
    wrong = [v for v in violations if v.side == RESPONSE]
    if wrong and px.config.strict:
        return st.errors.response(ApiError(
            502, f"The upstream's answer violates the contract: {_names(wrong)}",
            headers=extra))
    body = None if reply.status in NO_BODY else reply.body
    if usage_rule is not None and reply.status == 200 and not wrong:
        body = usage.apply(reply.body, usage_rule, st.clock.now(), st.contract.fields)
    relayed = px.upstream.relayed(fetched.headers)
    if reply.status in UNAUTHORISED:  # the org's counter is not the caller's to see
        extra = {k: v for k, v in extra.items() if not k.lower().startswith(LIMIT_PREFIX)}
    relayed.update(extra)
    if "X-Request-ID" not in relayed:
        relayed["X-Request-ID"] = new_trace_id()
    return web.Response(status=reply.status, body=body, headers=relayed)


def report(request: web.Request, st: MockParts, px: ProxyParts, observed: Observed,
           violations: Sequence[Violation]) -> None:
    secrets = [v for _, v in observed.header_values(st.contract.key_headers)]
    px.stats.violating += 1
    px.stats.violations.update({v.check for v in violations})
    url = request.rel_url
    query = st.redact.query(url.raw_query_string)  # ?api_key=... and the like, as the journal
    where = mask_in(st.redact.path(url.raw_path) + ("?" + query if query else ""), secrets)[:300]
    notes = []
    for v in violations:
        message = mask_in(v.message(), secrets)
        log.warning("contract violation %s (%s) on GET %s: %s", v.check, v.side, where,
                    message)
        notes.append({"check": v.check, "side": v.side, "message": message})
    if st.qa.journal is not None and OUTCOME in request:
        request[OUTCOME]["violations"] = notes
