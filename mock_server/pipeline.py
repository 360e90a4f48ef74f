"""The summary endpoint as one pass through the stages:

routing (aiohttp) -> preferences decoded (edge) -> auth -> parameters -> choice -> data.

Each stage raises :class:`~mock_server.errors.ApiError`; the edge middleware renders it.
"""

from __future__ import annotations

import orjson
from aiohttp import web

from mock_server import negotiate, params
from mock_server.errors import JSON, ApiError, new_trace_id
from mock_server.state import STATE


async def get_summary(request: web.Request) -> web.Response:
    if request.body_exists:
        raise ApiError(400, "A GET request takes no body")
    st = request.app[STATE]
    contract = st.contract
    org_id = request.match_info[contract.path_param]
    query = request.rel_url.query
    prefs = negotiate.decode(request.headers, query, contract)
    st.auth.authenticate(request.headers, org_id)
    now = st.clock.now()
    values = params.parse_query(query, contract.query_params, now)

    headers = {"X-Request-ID": new_trace_id()}
    if not prefs.empty:
        headers["Preference-Applied"] = negotiate.applied(prefs)
    example = negotiate.chosen_example(prefs, contract)
    if example is None:
        body = st.summaries.body(org_id, values["year"], values["month"], now)
    elif example.status >= 400:
        raise ApiError(example.status, headers=headers, body=example.value)
    else:
        body = orjson.dumps(example.value)
    return web.Response(body=body, content_type=JSON, headers=headers)


async def options(request: web.Request) -> web.Response:
    """CORS preflight when it is one; otherwise the methods this resource supports."""
    response = web.Response(status=204, headers={"Allow": "GET, OPTIONS"})
    if "Access-Control-Request-Method" in request.headers and "Origin" in request.headers:
        request.app[STATE].cors.preflight(response.headers)
    return response
