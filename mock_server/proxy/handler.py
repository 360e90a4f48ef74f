"""The summary route in proxy mode: forward, check, report.

    Prefer decoded -> rate limit (--rate-limit) -> scenario choice
      -> an answer the mock gives itself (Prefer code=/example=, a forced error, a scenario's
         error, example or fault), exactly as without --proxy; the upstream is not called
      -> or: the delay asked for, then the request forwarded (key, query, a few headers)
      -> the exchange checked by the contract's registry (api_contract.verdicts)
      -> the upstream's answer relayed (a usage scenario applied to a good 200), with
         ``X-Contract-Violations``; under --strict a violating answer becomes a 502

The proxy does not authenticate or validate parameters itself: the upstream does, and the
checks judge what it answered (and tell the client what it sent wrong).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from aiohttp import web

from api_contract.contract import Contract
from api_contract.exchange import Observed
from api_contract.verdicts import verify
from mock_server.engine.parts import PARTS, MockParts
from mock_server.engine.pipeline import steered_answer
from mock_server.engine.steering import OUTCOME, steer
from mock_server.foundation.errors import ApiError
from mock_server.proxy.parts import PROXY, ProxyParts
from mock_server.proxy.report import relay, report
from mock_server.qa import scenarios
from mock_server.qa.coverage import STEER, Steer
from mock_server.runtime.scope import Scope
from mock_server.stages import negotiate
from mock_server.stages.negotiate import QUERY_PREFIX


def _another_path(org: str) -> bool:
    """An org id the upstream would read as another path: a (back)slash once decoded
    (``%2F``, ``%5C``), or a dot segment (``..``, ``%2e%2e``). Never forwarded."""
    return "/" in org or "\\" in org or org in (".", "..")


async def proxy_summary(request: web.Request) -> web.StreamResponse:
    """The route behind the edge (engine/edge.py: Host check, envelope, CORS), like every
    route but the mock's own fast path."""
    st = request.app[PARTS]
    org = request.match_info[st.contract.path_param]
    try:
        if _another_path(org):
            raise ApiError(404, "The organization id decodes to another path; not forwarded")
        if request.body_exists:
            raise ApiError(400, "A GET request takes no body")
        response = await _steer_or_forward(request, st, request.app[PROXY], org)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # rendered by the edge: counted with the status it gets
        _met(request, st, exc.status if isinstance(exc, ApiError | web.HTTPException)
             else 500)
        raise
    _met(request, st, response.status)
    return response


def _met(request: web.Request, st: MockParts, status: int) -> None:
    """Coverage: what the client met, from the upstream or from the mock (qa/coverage.py)."""
    st.qa.coverage.exchange(request, status, st.clock.now(),
                            negotiate.session_of(request.headers, request.rel_url.query))


async def _steer_or_forward(request: web.Request, st: MockParts, px: ProxyParts,
                            org: str) -> web.StreamResponse:
    qa = st.qa
    headers = request.headers
    prefs = negotiate.decode(headers, request.rel_url, st.contract, qa.catalog)
    now = st.clock.now()
    limit_headers: dict[str, str] = {}
    scope: Scope = qa.runtime  # (or the request's session: its own switches and counters)
    if prefs.session is not None:
        scope = await qa.runtime.scope(prefs.session, st.clock.ticks())
    if qa.rate_limit is not None:
        await qa.rate_limit.consume(scope, org, now, limit_headers)
    values: Mapping[str, int] | None = None
    bad_query: ApiError | None = None
    try:
        values = st.params.parse(request.rel_url, st.clock)
    except ApiError as err:  # the upstream answers it; only a local answer needs values
        bad_query = err
    steering = await steer(request, st, org, values, prefs, scope)
    if steering.answers_locally:
        if bad_query is not None:
            raise bad_query  # as the mock: a preference steers only a valid request
        assert values is not None
        px.stats.local += 1
        return await steered_answer(request, st, org, values, now, steering, limit_headers)
    steering.journal(request, st)
    decision = steering.decision
    if decision.rate_limit is not None:
        await decision.rate_limit.consume(scope, org, now, limit_headers)
    if not prefs.empty:
        limit_headers["Preference-Applied"] = negotiate.applied(prefs)
    if steering.delay:
        await qa.delays.sleep(steering.delay)  # 503 beyond the cap on delayed requests
    return await _forward(request, st, px, org, decision, limit_headers)


def _path(request: web.Request, contract: Contract, org: str) -> str:
    """The summary's path below the base path, encoded as the client sent it."""
    raw = request.rel_url.raw_path
    if raw.startswith(contract.base_path + "/"):
        return raw[len(contract.base_path):]
    return contract.path_template.replace("{" + contract.path_param + "}", quote(org, safe=""))


def _query(request: web.Request) -> tuple[str, list[tuple[str, str]]]:
    """The query as sent (raw, for the upstream; decoded pairs, for the checks), without
    the mock's own ``__code``-style controls."""
    url = request.rel_url
    raw = url.raw_query_string
    if QUERY_PREFIX not in raw and "%5" not in raw:
        return raw, list(url.query.items())
    kept = [(k, v) for k, v in url.query.items() if not k.startswith(QUERY_PREFIX)]
    return url.with_query(kept).raw_query_string, kept


async def _forward(request: web.Request, st: MockParts, px: ProxyParts, org: str,
                   decision: scenarios.Decision,
                   extra: dict[str, str]) -> web.StreamResponse:
    contract = st.contract
    raw_query, query = _query(request)
    sent = [(k, v) for k, v in request.headers.items() if k.lower() in px.upstream.forwarded]
    px.stats.forwarded += 1
    before = datetime.now(UTC)  # the real clock, as the upstream's (not --now's)
    fetched = await px.upstream.fetch(_path(request, contract, org), raw_query, sent)
    observed = Observed(org, query, sent, fetched.reply, fetched.error,
                        sent_between=(before, datetime.now(UTC)))
    key = st.auth.presented_key(request.headers, strict=False)
    observed.key_org = px.memory.org_of(key)
    violations = verify(contract, observed)
    reply = fetched.reply
    if reply is not None and 200 <= reply.status < 300 and key is not None:
        px.memory.remember(key, org)
    if px.recorder is not None:
        px.recorder.observe(org, reply, violations, (v for _, v in observed.header_values(
            contract.key_headers)))
    if reply is None:
        px.stats.failed += 1
    if st.qa.journal is not None and OUTCOME in request:
        request[OUTCOME].setdefault("applied", {})["upstream"] = (
            reply.status if reply is not None else fetched.error)
    response = relay(st, px, fetched, violations, decision.usage, extra)
    if response.status == 200 and isinstance(response, web.Response) and not violations:
        request[STEER] = Steer(body=response.body)  # (its data: outcomes are counted)
    if violations:
        report(request, st, px, observed, violations)
    return response

