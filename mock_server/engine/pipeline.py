"""The summary endpoint as one pass through the stages:

routing (aiohttp) -> Host allowed -> preferences decoded -> auth -> (body, bad preference) ->
rate limit -> parameters -> scenario choice -> data -> response (or a network fault). The
key is judged before anything else about the request: a bad ``Prefer`` or ``__code`` is
decoded first but answered only once the key has passed.

Each stage raises :class:`~mock_server.foundation.errors.ApiError`. The handler is the
mock's fast path: it does the edge's steps (engine/edge.py) inline, with the same pieces,
rather than behind a wrapper. When no preference, scenario or override is in play, the
scenario and answer stages have nothing to decide and the summary goes straight out; that
shortcut gives the same bytes (checked by tests/mock_server/stages/test_summary.py). What
steers any other answer is decided once (engine/steering.py), for the proxy's route too.
With rate limiting on, every answer of this route carries the ``x-ratelimit-*`` headers, but
a 401 or 403: the counter is the path organisation's, and an unauthorised caller learns
nothing of another tenant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime

import orjson
from aiohttp import web

from mock_server.engine import edge
from mock_server.engine.parts import PARTS, MockParts
from mock_server.engine.steering import Steering, steer
from mock_server.foundation.errors import JSON, JSON_HEADERS, NOSNIFF, ApiError
from mock_server.foundation.renderer import new_trace_id
from mock_server.qa import faults, ratelimit, usage
from mock_server.qa.coverage import STEER, Steer
from mock_server.qa.tally import LIMIT
from mock_server.runtime.scope import Scope
from mock_server.stages import negotiate
from mock_server.stages.hosts import HOST
from mock_server.stages.negotiate import NO_PREFERENCES


@edge.fast_path  # the edge's steps inline (engine/edge.py): no wrapper layer
async def get_summary(request: web.Request) -> web.StreamResponse:
    st = request.app[PARTS]
    qa = st.qa
    headers = request.headers
    org_id = request.match_info[st.contract.path_param]
    limit_headers: dict[str, str] = {}
    authorised = False  # a 401/403 carries no rate-limit counter: it is the org's, not theirs
    plain = False
    scope: Scope = qa.runtime  # the requests without a session (X-Mock-Session) share it
    prefs = NO_PREFERENCES  # (counted in its session even when refused before the scope)
    try:
        host = headers.get(HOST)  # edge.check_host, inlined
        if host not in st.hosts.admitted:
            st.hosts.admit(host)
        refused = None  # a bad preference is decoded here but judged after the key
        try:
            prefs = negotiate.decode(headers, request.rel_url, st.contract, qa.catalog)
        except ApiError as bad:
            prefs, refused = NO_PREFERENCES, bad
        st.auth.authenticate(headers, org_id)  # the key first, whatever else is wrong
        authorised = True
        if request.body_exists:
            raise ApiError(400, "A GET request takes no body")
        if refused is not None:
            raise refused
        if prefs.session is not None:  # its own switches and counters (503 beyond the cap)
            scope = await qa.runtime.scope(prefs.session, st.clock.ticks())
            limit_headers[negotiate.SESSION] = prefs.session  # echoed on every answer
        if qa.rate_limit is not None:  # (a shared backend: one round trip)
            await qa.rate_limit.consume(scope, org_id, st.clock.now(), limit_headers)
        values = st.params.parse(request.rel_url, st.clock)
        # quiet: nothing active, no setting; an attribute of this process's copy of the
        # shared state (a shared backend keeps it current: no I/O here).
        if (prefs is NO_PREFERENCES or prefs.empty) and scope.quiet:
            # Nothing steers the answer (the common case): the summary, with no detour.
            hour = st.clock.hour()
            body = st.summaries.body(org_id, values["year"], values["month"], hour)
            out = JSON_HEADERS.copy()  # Content-Type, nosniff: cheaper than a dict literal
            out["X-Request-ID"] = new_trace_id()
            if limit_headers:
                out.update(limit_headers)
            response: web.StreamResponse = web.Response(body=body, headers=out)
            # Coverage: one count in this process's memory, sorted into outcomes later
            # (qa/tally.py); inlined here, as the hot path's other stages are.
            tally = qa.coverage.tally
            signature = (body, request.rel_url.raw_query_string, hour,
                         tally.alias in headers, scope.session)
            pending = tally.pending
            pending[signature] = pending.get(signature, 0) + 1
            if len(pending) > LIMIT:  # client-chosen queries: bounded
                tally.fold()
            plain = True
        else:
            response = await _steered(request, st, scope, org_id, values, prefs,
                                      limit_headers)
    except ApiError as err:
        if qa.rate_limit is not None and authorised:
            if not limit_headers:
                limit_headers = await qa.rate_limit.peek(scope, org_id, st.clock.now())
            err.headers = {**limit_headers, **err.headers}
        elif limit_headers:  # (the session's name)
            err.headers = {**limit_headers, **err.headers}
        response = st.errors.response(err)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # as the edge does for every other route
        response = edge.render_failure(request, exc)
    if not plain:
        qa.coverage.exchange(request, response.status, st.clock.now(), prefs.session)
    origin = headers.get(edge.ORIGIN)  # edge.add_cors, inlined (nosniff: in every answer)
    if origin is not None:
        st.cors.decorate(response.headers, origin)
    return response


async def _steered(
    request: web.Request,
    st: MockParts,
    scope: Scope,
    org_id: str,
    values: Mapping[str, int],
    prefs: negotiate.Preferences,
    limit_headers: dict[str, str],
) -> web.StreamResponse:
    """Scenario choice, then the answer a preference, a scenario or an override asks for."""
    now = st.clock.now()
    steering = await steer(request, st, org_id, values, prefs, scope, queued=True)
    return await steered_answer(request, st, org_id, values, now, steering, limit_headers)


async def steered_answer(
    request: web.Request,
    st: MockParts,
    org_id: str,
    values: Mapping[str, int],
    now: datetime,
    steering: Steering,
    limit_headers: dict[str, str],
) -> web.StreamResponse:
    """The answer once a scenario is chosen (also the proxy's, for what it answers itself),
    in the request's scope (its session's, or that of the requests without one)."""
    scope = steering.scope
    contract = st.contract
    prefs, decision, forced = steering.prefs, steering.decision, steering.forced
    headers = {"X-Request-ID": new_trace_id(), **limit_headers, **NOSNIFF}
    if not prefs.empty:
        headers["Preference-Applied"] = negotiate.applied(prefs)
    counted = request[STEER] = Steer(steering.scenario)  # for the coverage count
    steering.journal(request, st)
    if steering.delay:
        await st.qa.delays.sleep(steering.delay)  # 503 beyond the cap on delayed requests

    example = negotiate.chosen_example(prefs, contract)
    if forced is not None:  # POST /__mock/settings {"error": N}: beats the scenarios
        example = contract.example_for(forced)
    elif not prefs.chooses_answer:  # the request's own code=/example= beat the scenario's
        if decision.exhausted or decision.status == 429:
            raise _exhausted(st, now, headers)
        if decision.rate_limit is not None:
            await decision.rate_limit.consume(scope, org_id, now, headers)
        if decision.example is not None:
            example = contract.examples[decision.example]
        elif decision.status is not None:
            example = contract.example_for(decision.status)
    if example is None:
        body = st.summaries.body(org_id, values["year"], values["month"], st.clock.hour())
        if decision.usage is not None:
            body = usage.apply(body, decision.usage, now, contract.fields)
        counted.body = body
    elif example.status == 429:
        raise _exhausted(st, now, headers)
    elif example.status >= 400:
        raise ApiError(example.status, headers=headers, body=example.value)
    else:
        body = counted.body = orjson.dumps(example.value)
    fault = steering.fault
    if fault is not None:
        counted.fault = fault.kind
        if fault.kind == "stall":  # holds the connection: counts as a delay
            with st.qa.delays.slot():
                return await faults.perform(request, fault, body, headers)
        return await faults.perform(request, fault, body, headers)
    headers["Content-Type"] = JSON  # set as a plain header: cheaper than content_type=
    return web.Response(body=body, headers=headers)


def _exhausted(st: MockParts, now: datetime, headers: dict[str, str]) -> ApiError:
    err = ratelimit.exhausted(st.qa.documented_limit, now)
    err.headers = {**headers, **err.headers}
    return err


async def options(request: web.Request) -> web.Response:
    """CORS preflight when it is one; otherwise the methods this resource supports."""
    response = web.Response(status=204, headers={"Allow": "GET, OPTIONS"})
    if "Access-Control-Request-Method" in request.headers and "Origin" in request.headers:
        request.app[PARTS].cors.preflight(
            response.headers, request.headers.get("Access-Control-Request-Headers"),
            request.headers["Origin"])
    return response
