"""Coverage under the admin API (only with ``--admin``; same edge, token and rules):

    GET  /__mock/coverage[?session=S|*]  which of the contract's outcomes clients met:
         {"outcomes": {NAME: count}, "missing": [...], "covered": N, "total": M,
          "switches": [NAME, ...], "hints": {NAME: what to send}, "next": [queued]}
    POST /__mock/coverage/next           {"outcome": NAME[, "session": S]}: the next
                                         request (of that session) answers it

Like every admin call it acts on one scope: the requests without a session (default) or
session S; ``?session=*`` reads the counts of every request, whatever its session.

``switches`` are the outcomes a switch can make the next answer (qa/oneshot.py); ``hints``
say what a client must send for the others. Counts are read from the runtime state, so
every worker and replica answers the same; while Redis is lost: 503.
"""

from __future__ import annotations

from aiohttp import web

from mock_server.control.admin_calls import body_of, json_response, scope_of, session_of_call
from mock_server.control.admin_guard import guarded
from mock_server.engine import routing
from mock_server.engine.edge import CONTROL_PREFIX
from mock_server.engine.parts import PARTS
from mock_server.foundation.errors import ApiError
from mock_server.qa import oneshot
from mock_server.qa.coverage import EVERY
from mock_server.runtime.control import Control
from mock_server.runtime.journal import ANY

PREFIX = CONTROL_PREFIX + "coverage"


async def coverage(request: web.Request) -> web.Response:
    qa = request.app[PARTS].qa
    every = request.query.get("session") == ANY
    session = None if every else session_of_call(request, {})
    doc = await qa.coverage.report(qa.catalog.scenarios, EVERY if every else session)
    names = tuple(doc["outcomes"])
    doc["switches"] = oneshot.switchable(names, qa.coverage.contract)
    doc["hints"] = oneshot.hints(names)
    doc["next"] = [] if every else list((await scope_of(request, session)).control.next)
    return json_response(doc)


async def answer_next(request: web.Request) -> web.Response:
    """Queue an outcome: the next request of the API in the call's scope answers it."""
    qa = request.app[PARTS].qa
    doc = await body_of(request, "{\"outcome\": \"status:429\"}")
    name = doc.get("outcome")
    names = qa.coverage.names(qa.catalog.scenarios)
    allowed = oneshot.switchable(names, qa.coverage.contract)
    if not isinstance(name, str) or name not in allowed:
        shown = repr(name)[:64]
        raise ApiError(400, f"No switch makes an answer meet {shown}; these can: "
                            + ", ".join(allowed))
    scope = await scope_of(request, session_of_call(request, doc))

    def change(c: Control) -> Control:  # the cap checked on the shared state, atomically
        if len(c.next) >= oneshot.MAX_QUEUED:
            raise ApiError(400, f"At most {oneshot.MAX_QUEUED} outcomes wait at once")
        return c.queued(name)

    _, new = await scope.update(change)
    return json_response({"next": list(new.next), "session": scope.session})


def setup_admin_coverage(app: web.Application) -> None:
    routing.add(app, "GET", PREFIX, guarded(coverage))
    routing.add(app, "POST", PREFIX + "/next", guarded(answer_next))
