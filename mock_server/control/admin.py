"""Runtime control under the reserved prefix ``/__mock/`` (only with ``--admin``).

    GET    /__mock/health                        liveness and what is loaded
    GET    /__mock/scenarios                     every scenario, and where it is active
    POST   /__mock/scenarios/{name}/activate     for everyone, or ?org=ORG (or {"org": ORG})
    POST   /__mock/scenarios/{name}/deactivate   the same activation, removed
    POST   /__mock/reset                         start-up scenarios, counters and journal
    GET    /__mock/requests?org=&status=&since=  the journal, oldest first
    DELETE /__mock/requests                      clear the journal
    GET    /__mock/settings                      run-time latency and forced errors
    GET    /__mock/coverage, POST .../next       coverage (control/admin_coverage.py)
    POST   /__mock/settings                      {"delay_ms": N} and/or {"error": S, "org": ORG}
    GET    /__mock/sessions, DELETE /__mock/sessions/{name}   (admin_sessions.py)

Every call acts on one scope: the requests without a session, or the session named by
``?session=NAME`` (or ``"session"`` in the JSON body); see admin_calls.py.

Same-origin only: the edge in ``admin_guard`` refuses changes from other origins (403) and
bodies that are not JSON (415), adds CORS headers only for ``--admin-cors`` origins, and
with ``--admin-token`` (required on a non-loopback address) asks every call for
``Authorization: Bearer TOKEN``. Errors use the API's envelope. Without ``--admin`` these
routes do not exist: ``/__mock/*`` is a 404.

Changes reach every process that shares the runtime state (``--workers N``, ``--state
redis://``); while a shared state cannot be reached they answer 503 in the envelope, and
``health`` says "degraded".
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import web

from mock_server import __version__
from mock_server.config import MAX_DELAY_MS
from mock_server.control.admin_calls import body_of, json_response, scope_of, session_of_call
from mock_server.control.admin_guard import guarded, preflight
from mock_server.control.admin_sessions import setup_session_admin
from mock_server.engine import routing
from mock_server.engine.edge import CONTROL_PREFIX
from mock_server.engine.parts import PARTS, MockParts
from mock_server.foundation.clock import parse_instant
from mock_server.foundation.errors import ApiError
from mock_server.foundation.syntax import int_in, is_int
from mock_server.runtime.base import StateUnavailable
from mock_server.runtime.control import Control, Overrides
from mock_server.runtime.journal import ANY
from mock_server.runtime.scope import Scope
from mock_server.stages.negotiate import session_name

PREFIX = CONTROL_PREFIX  # "/__mock/"
# Bounded state: each activation and forced error is kept until reset, and every API
# request looks through the activations (20,000 of them made /__mock/scenarios 8.9 MB and
# the API's latency 0.5 -> 2.2 ms). Beyond these: 400, nothing stored.
MAX_ORG_ID = 128  # characters of an org id named in an activation or a forced error
MAX_ACTIVATIONS = 1_000  # scenario activations at once (for everyone or per org)
MAX_FORCED_ERRORS = 1_000  # organizations with a forced error at once


_json = json_response


def _active(scope: Scope) -> list[dict[str, Any]]:
    return [{"name": a.name, "org": a.org} for a in scope.active()]


async def health(request: web.Request) -> web.Response:
    """``status`` is "degraded" while the shared state cannot be reached (``state`` says
    why); the API still answers then, with the last state this process knew."""
    st = request.app[PARTS]
    qa = st.qa
    state = qa.runtime.describe()
    entries: int | None = None
    if qa.journal is not None and state["connected"]:
        with contextlib.suppress(StateUnavailable):
            entries = await qa.journal.count()
    return _json({
        "status": "ok" if state["connected"] else "degraded",
        "version": __version__,
        "state": state,
        "scenarios": len(qa.catalog.scenarios),
        "active": _active(qa.runtime),
        "sessions": {"limit": qa.runtime.limits.cap, "ttl_s": qa.runtime.limits.ttl},
        "rate_limit": None if qa.rate_limit is None else
        {"limit": qa.rate_limit.limit, "period_s": qa.rate_limit.period},
        "journal": None if qa.journal is None else
        {"size": qa.journal.size, "entries": entries, "in_flight": qa.journal.in_flight},
        "delayed": {"now": qa.delays.active, "limit": qa.delays.limit},
        "reloads": qa.reloads,
        "reload_error": qa.reload_error,
        "watching": qa.watching,
    })


async def list_scenarios(request: web.Request) -> web.Response:
    st = request.app[PARTS]
    scope = await scope_of(request, session_of_call(request, {}))
    active = scope.active()
    items = []
    for s in sorted(st.qa.catalog.scenarios.values(), key=lambda s: s.name):
        orgs = [a.org for a in active if a.name == s.name and a.org is not None]
        items.append({
            "name": s.name,
            "description": s.description,
            "source": Path(s.source).name,  # the file's name only: no absolute paths shown
            "rules": len(s.rules),
            "active": any(a.name == s.name and a.org is None for a in active),
            "active_orgs": orgs,
        })
    return _json({"scenarios": items, "active": _active(scope), "session": scope.session})


async def _target(request: web.Request) -> tuple[str, str | None, Scope]:
    st = request.app[PARTS]
    name = request.match_info["name"]
    if name not in st.qa.catalog:
        raise ApiError(404, f"No scenario named {name[:64]!r}; GET {PREFIX}scenarios lists them")
    doc = await body_of(request, "{\"org\": \"org_abc123\"}")
    org = request.query.get("org", doc.get("org"))
    if not isinstance(org, str | None):
        raise ApiError(400, "The body must be a JSON object with an optional \"org\" string")
    _check_org(org)
    return name, org, await scope_of(request, session_of_call(request, doc))


def _check_org(org: Any) -> None:
    """None (absent, or null) means everyone; anything else must name one organization:
    an empty ``?org=`` or ``{"org": 0}`` is refused, never read as everyone."""
    if org is None:
        return
    if not isinstance(org, str) or not org:
        raise ApiError(400, "org must be a non-empty string (leave it out for everyone)")
    if len(org) > MAX_ORG_ID:
        raise ApiError(400, f"org must be at most {MAX_ORG_ID} characters")


async def activate(request: web.Request) -> web.Response:
    name, org, scope = await _target(request)

    def change(c: Control) -> Control:  # the cap is checked on the shared state, atomically
        if len(c.active) >= MAX_ACTIVATIONS and (name, org) not in c.active:
            raise ApiError(400, f"At most {MAX_ACTIVATIONS} activations at once; deactivate "
                                f"some or POST {PREFIX}reset")
        return c.activated(name, org)

    await scope.update(change)
    return _json({"activated": {"name": name, "org": org}, "active": _active(scope),
                  "session": scope.session})


async def deactivate(request: web.Request) -> web.Response:
    name, org, scope = await _target(request)
    was = await scope.deactivate(name, org)
    return _json({"deactivated": {"name": name, "org": org}, "was_active": was,
                  "active": _active(scope), "session": scope.session})


async def reset(request: web.Request) -> web.Response:
    """The call's scope only: its scenarios, settings, counters (every process) and its
    journal entries; the other sessions keep theirs."""
    st = request.app[PARTS]
    scope = await scope_of(request, session_of_call(request, await body_of(request, "{}")))
    await scope.reset()
    await st.qa.coverage.clear(scope.session)  # the scope's coverage counts too
    journal = st.qa.journal
    cleared = await journal.clear(scope.session) if journal is not None else 0
    return _json({"reset": True, "journal_cleared": cleared, "active": _active(scope),
                  "session": scope.session})


def _filters(query: Any) -> dict[str, Any]:
    session = query.get("session")  # "*": every session's entries and those without one
    found: dict[str, Any] = {
        "org": query.get("org"),
        "session": ANY if session == ANY else None if not session else session_name(session)}
    status = query.get("status")
    if status is not None:
        if not status.isascii() or not status.isdigit() or len(status) != 3:
            raise ApiError(400, f"status must be an HTTP status such as 429 (got {status[:16]!r})")
        found["status"] = int(status)
    since = query.get("since")
    if since is not None:
        try:
            found["since"] = parse_instant(since)
        except ValueError:
            raise ApiError(400, f"since must be an ISO-8601 instant (got {since[:40]!r})") \
                from None
    return found


async def requests(request: web.Request) -> web.Response:
    journal = request.app[PARTS].qa.journal
    if journal is None:
        raise ApiError(404, "The journal is off (--journal-size 0)")
    entries = await journal.entries(**_filters(request.query))
    return _json({"size": journal.size, "requests": [e.to_json() for e in entries]})


async def clear_requests(request: web.Request) -> web.Response:
    journal = request.app[PARTS].qa.journal
    session = session_of_call(request, await body_of(request, "{}"))
    return _json({"cleared": await journal.clear(session) if journal is not None else 0})


def _error_statuses(st: MockParts) -> list[int]:
    return [s for s in st.contract.statuses if s >= 400]


def _settings(st: MockParts, scope: Scope) -> dict[str, Any]:
    o = scope.overrides
    return {
        "session": scope.session,
        "delay_ms": o.delay_ms,
        "errors": [{"org": org, "status": status} for org, status in o.errors.items()],
        "error_statuses": _error_statuses(st),
        "max_delay_ms": MAX_DELAY_MS,
    }


async def get_settings(request: web.Request) -> web.Response:
    scope = await scope_of(request, session_of_call(request, {}))
    return _json(_settings(request.app[PARTS], scope))


async def post_settings(request: web.Request) -> web.Response:
    """Change the fields given: ``delay_ms`` (every answer, everyone), ``error`` (a
    documented error status, or null to stop) for everyone or for ``org``."""
    st = request.app[PARTS]
    doc = await body_of(request, "{\"delay_ms\": 300}")
    if set(doc) - {"delay_ms", "error", "org", "session"}:
        raise ApiError(400, "The body must be a JSON object with \"delay_ms\", \"error\" "
                            "and/or \"org\" (and \"session\")")
    scope = await scope_of(request, session_of_call(request, doc))
    if "delay_ms" in doc:
        delay = doc["delay_ms"]
        if not int_in(delay, 0, MAX_DELAY_MS):
            raise ApiError(400, f"delay_ms must be an integer from 0 to {MAX_DELAY_MS}")
    org = doc.get("org")
    _check_org(org)
    if org is not None and "error" not in doc:
        raise ApiError(400, "org must be a string and comes with \"error\"")
    error = doc.get("error")
    if error is not None and not (is_int(error) and error in _error_statuses(st)):
        raise ApiError(400, "error must be null or a documented error status: "
                            + ", ".join(map(str, _error_statuses(st))))

    def change(o: Overrides) -> Overrides:  # applied to the shared settings, atomically
        if "delay_ms" in doc:
            o = replace(o, delay_ms=doc["delay_ms"])
        if "error" in doc:
            errors = dict(o.errors)
            if error is None:
                errors.pop(org, None)
            elif len(errors) >= MAX_FORCED_ERRORS and org not in errors:
                raise ApiError(400, f"At most {MAX_FORCED_ERRORS} organizations with a forced "
                                    "error at once; clear some (\"error\": null) or reset")
            else:
                errors[org] = error
            o = replace(o, errors=errors)
        return o

    await scope.set_overrides(change)
    return _json(_settings(st, scope))


def setup_admin(app: web.Application) -> None:
    routing.add(app, "GET", PREFIX + "health", guarded(health))
    routing.add(app, "GET", PREFIX + "scenarios", guarded(list_scenarios))
    routing.add(app, "POST", PREFIX + "scenarios/{name}/activate", guarded(activate))
    routing.add(app, "POST", PREFIX + "scenarios/{name}/deactivate", guarded(deactivate))
    routing.add(app, "POST", PREFIX + "reset", guarded(reset))
    routing.add(app, "GET", PREFIX + "requests", guarded(requests))
    routing.add(app, "DELETE", PREFIX + "requests", guarded(clear_requests))
    routing.add(app, "GET", PREFIX + "settings", guarded(get_settings))
    routing.add(app, "POST", PREFIX + "settings", guarded(post_settings))
    setup_session_admin(app, PREFIX)
    routing.add(app, "OPTIONS", PREFIX + "{tail:.*}", preflight)
