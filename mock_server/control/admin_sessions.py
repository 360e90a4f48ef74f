"""``/__mock/sessions``: the live sessions, and ending one (only with ``--admin``).

    GET    /__mock/sessions          every live session: name, last use, what is switched on
    DELETE /__mock/sessions/{name}   end it now (its switches and counters go; a request
                                     naming it later starts it again, with nothing switched)

A session's journal entries stay in the journal (it is bounded by itself) until they are
cleared (``DELETE /__mock/requests?session=NAME``) or pushed out by newer ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from mock_server.control.admin_calls import json_response
from mock_server.control.admin_guard import guarded
from mock_server.engine import routing
from mock_server.engine.parts import PARTS
from mock_server.foundation.clock import rfc3339
from mock_server.runtime.sessions import SessionView
from mock_server.stages.negotiate import session_name


def _view(session: SessionView) -> dict[str, Any]:
    control = session.control
    return {
        "name": session.name,
        "last_seen": rfc3339(datetime.fromtimestamp(session.seen, UTC)),
        "active": [{"name": a.name, "org": a.org} for a in control.active],
        "settings": {
            "delay_ms": control.overrides.delay_ms,
            "errors": [{"org": org, "status": status}
                       for org, status in control.overrides.errors.items()],
        },
    }


async def list_sessions(request: web.Request) -> web.Response:
    st = request.app[PARTS]
    runtime = st.qa.runtime
    live = await runtime.sessions(st.clock.ticks())
    return json_response({"sessions": [_view(s) for s in live], "count": len(live),
                          "limit": runtime.limits.cap, "ttl_s": runtime.limits.ttl})


async def end_session(request: web.Request) -> web.Response:
    st = request.app[PARTS]
    name = session_name(request.match_info["name"])
    ended = await st.qa.runtime.end(name)
    await st.qa.coverage.retire(name)  # its coverage counts join those of ended sessions
    return json_response({"ended": ended, "session": name})


def setup_session_admin(app: web.Application, prefix: str) -> None:
    routing.add(app, "GET", prefix + "sessions", guarded(list_sessions))
    routing.add(app, "DELETE", prefix + "sessions/{name}", guarded(end_session))
