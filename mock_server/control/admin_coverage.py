"""Coverage under the admin API (only with ``--admin``; same edge, token and rules):

    GET  /__mock/coverage[?session=S]    which of the contract's outcomes clients met:
         {"outcomes": {NAME: count}, "missing": [...], "covered": N, "total": M,
          "switches": [NAME, ...], "hints": {NAME: what to send}, "next": [queued]}
    POST /__mock/coverage/next           {"outcome": NAME}: the next request answers it

``switches`` are the outcomes a switch can make the next answer (qa/oneshot.py); ``hints``
say what a client must send for the others. Counts are read from the runtime state, so
every worker and replica answers the same; while Redis is lost: 503.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from mock_server.control.admin_guard import guarded
from mock_server.engine import routing
from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import JSON, ApiError
from mock_server.qa import oneshot
from mock_server.runtime.control import Control

PREFIX = routing.CONTROL_PREFIX + "coverage"


def _json(doc: Any) -> web.Response:
    return web.Response(body=orjson.dumps(doc), content_type=JSON)


async def coverage(request: web.Request) -> web.Response:
    qa = request.app[PARTS].qa
    session = request.query.get("session") or None
    doc = await qa.coverage.report(qa.catalog.scenarios, session)
    names = tuple(doc["outcomes"])
    doc["switches"] = oneshot.switchable(names, qa.coverage.contract)
    doc["hints"] = oneshot.hints(names)
    doc["next"] = list(qa.runtime.control.next)
    return _json(doc)


async def answer_next(request: web.Request) -> web.Response:
    """Queue an outcome: the next request of the API (any organization) answers it."""
    qa = request.app[PARTS].qa
    try:
        doc = orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError:
        raise ApiError(400, "The body must be JSON, e.g. {\"outcome\": \"status:429\"}") \
            from None
    name = doc.get("outcome") if isinstance(doc, dict) else None
    names = qa.coverage.names(qa.catalog.scenarios)
    allowed = oneshot.switchable(names, qa.coverage.contract)
    if not isinstance(name, str) or name not in allowed:
        shown = repr(name)[:64]
        raise ApiError(400, f"No switch makes an answer meet {shown}; these can: "
                            + ", ".join(allowed))

    def change(c: Control) -> Control:  # the cap checked on the shared state, atomically
        if len(c.next) >= oneshot.MAX_QUEUED:
            raise ApiError(400, f"At most {oneshot.MAX_QUEUED} outcomes wait at once")
        return c.queued(name)

    _, new = await qa.runtime.update(change)
    return _json({"next": list(new.next)})


def setup_admin_coverage(app: web.Application) -> None:
    routing.add(app, "GET", PREFIX, guarded(coverage))
    routing.add(app, "POST", PREFIX + "/next", guarded(answer_next))
