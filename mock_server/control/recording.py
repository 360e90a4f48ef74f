"""Middleware that writes each request of the API to the journal (only while it is on)."""

from __future__ import annotations

import time

from aiohttp import web

from mock_server.control.admin import PREFIX
from mock_server.engine.parts import PARTS
from mock_server.engine.steering import OUTCOME
from mock_server.stages.negotiate import session_of

DROPPED = ("reset", "empty")  # faults after which no status reached the client


@web.middleware
async def record(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    if request.path.startswith(PREFIX):
        return await handler(request)
    st = request.app[PARTS]
    journal = st.qa.journal
    assert journal is not None
    at_us = time.time_ns() // 1000
    note: dict[str, object] = {}
    request[OUTCOME] = note
    journal.in_flight += 1
    try:
        response = await handler(request)
    finally:
        journal.in_flight -= 1
    org = request.match_info.get(st.contract.path_param)
    applied = note.get("applied") or {}
    assert isinstance(applied, dict)
    journal.record(
        at_us=at_us,
        method=request.method,
        path=st.redact.path(request.path)[:512],  # redacted first: a cut key matches nothing
        query=st.redact.query(request.rel_url.raw_query_string)[:512],
        org=None if org is None else st.redact.value(org)[:256],
        key=st.auth.presented_key(request.headers, strict=False),
        status=None if applied.get("fault") in DROPPED else response.status,
        request_id=response.headers.get("X-Request-ID"),
        applied=applied,
        violations=tuple(note.get("violations") or ()),  # type: ignore[arg-type]
        session=session_of(request.headers, request.rel_url.query),
    )
    return response
