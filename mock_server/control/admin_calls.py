"""What every admin call reads and answers: its JSON body, its session, its scope, JSON.

Every call of ``/__mock/`` acts on one scope: the requests without a session (the
default), or session S, named by ``?session=S`` or ``{"session": "S"}`` in a JSON body
(the query wins). A bad name is a 400; a new session beyond ``--max-sessions`` a 503.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import JSON, ApiError
from mock_server.runtime.scope import Scope
from mock_server.stages.negotiate import session_name


def json_response(doc: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(doc), status=status, content_type=JSON)


async def body_of(request: web.Request, example: str) -> dict[str, Any]:
    """The call's JSON object ({} without a body); ``example`` goes into the 400."""
    if not request.can_read_body:
        return {}
    try:
        doc = orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError:
        raise ApiError(400, f"The body must be JSON, e.g. {example}") from None
    if not isinstance(doc, dict):
        raise ApiError(400, f"The body must be a JSON object, e.g. {example}")
    return doc


def session_of_call(request: web.Request, doc: dict[str, Any]) -> str | None:
    """The session the call names (``?session=`` or the body's ``session``), or None."""
    name = request.query.get("session")
    if name is None:
        name = doc.get("session")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, "\"session\" must be a string")
    return None if name is None or name == "" else session_name(name)


async def scope_of(request: web.Request, session: str | None) -> Scope:
    """The scope a call acts on (a named session starts now if it is new)."""
    st = request.app[PARTS]
    if session is None:
        return st.qa.runtime
    return await st.qa.runtime.scope(session, st.clock.ticks())
