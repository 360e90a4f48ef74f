"""A small, separate implementation of the endpoint with named defect switches.

With no switch on it honours the contract (it reuses the mock's compiled contract, its
parameter rules and its data generator, but none of its pipeline), so each switch adds one
defect, or one legitimate variation the kit must accept. The mock itself stays clean.
"""

from __future__ import annotations

import asyncio
import calendar
import itertools
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any

from aiohttp import web

from api_contract.contract import Contract, load_contract
from api_contract.resources import default_spec_path
from mock_server.foundation.clock import rfc3339
from mock_server.foundation.errors import ApiError
from mock_server.stages.data import Calibration, month_bounds, summary
from mock_server.stages.params import parse_query

from .careless import choke, key_owner, read_query
from .serving import LoopThread
from .switches import DEFECTS, LAX_MATCH, VARIATIONS, whole

KEYS = {"mock-key-abc123": "org_abc123", "mock-key-xyz789": "org_xyz789"}

SNAKE = {"totalApiKeyRequests": "total_api_key_requests", "totalApiKeyCost": "total_api_key_cost",
         "averageCostPerRequest": "average_cost_per_request", "totalNeurons": "total_neurons",
         "generatedAt": "generated_at"}
LONG_ORG = 256
BUSY_MONTH = ("2021", "6")  # busy_month: always 429 for it
QUIET_MONTH = (2023, 8)  # a finished month without usage, for every organization
NO_USAGE = {"totalApiKeyRequests": 0, "totalApiKeyCost": 0.0, "averageCostPerRequest": 0.0,
            "total_synapses": 0.0, "totalNeurons": 0.0}
SLOW = 0.1  # seconds per answer under slow_100ms
PADDING = "x" * 10_000_000  # of huge_body
FRAMING = {"content-length", "content-encoding", "transfer-encoding", "connection"}  # as sent
class BrokenApp:
    def __init__(self, switches: frozenset[str], contract: Contract,
                 redirect_to: str = "http://127.0.0.1:9/") -> None:
        unknown = switches - DEFECTS.keys() - VARIATIONS.keys()
        if unknown:
            raise ValueError(f"unknown switches {sorted(unknown)}")
        self.on = switches
        self.contract = contract
        self.cal = Calibration.from_contract(contract)
        self.release = asyncio.Event()  # set at shutdown: frees hanging handlers
        self.redirect_to = redirect_to
        self.hits = 0  # summary requests received
        self.bad_keys = 0  # requests with a key it does not know (bad_key_throttle)
        self.errors = itertools.count(1)  # numbers the trace ids of trace_id_format

    # -- rendering -----------------------------------------------------------------------
    def stamp(self, when: datetime) -> str:
        if "fractional_offset_time" in self.on:
            return when.astimezone(UTC).isoformat(timespec="microseconds")
        if "bad_timestamp" in self.on:
            return when.strftime("%Y-%m-%d %H:%M:%S")
        return rfc3339(when)

    def headers(self) -> dict[str, str]:
        if "extra_headers" not in self.on:
            return {}
        return {"X-RateLimit-Limit-Requests": "100", "X-RateLimit-Remaining-Requests": "99",
                "X-Request-ID": str(uuid.uuid4()), "Server": "freddy/1.0"}

    def render(self, body: Any, status: int = 200, content_type: str = "application/json",
               text: str | None = None) -> web.Response:
        """Every answer: ``body`` as JSON (or ``text``), with the variations switched on."""
        if "whole_numbers" in self.on:
            body = whole(body)
        if content_type == "application/json" and "charset_utf8" in self.on:
            content_type += "; charset=utf-8"
        data = (json.dumps(body) if text is None else text).encode()
        response = web.Response(body=data, status=status,
                                headers={**self.headers(), "Content-Type": content_type})
        if "gzip" in self.on:
            response.enable_compression(web.ContentCoding.gzip)
        return response

    def documented(self, status: int, field: str) -> Any:
        """A field of the document's error example for ``status`` (the copy-paste defects)."""
        return self.contract.example_for(status).value["error"][field]

    def error(self, status: int, detail: str, *, code: str | None = None,
              kind: str | None = None) -> web.Response:
        if "swapped_401_403" in self.on and status in (401, 403):
            status = 403 if status == 401 else 401
        if "plain_text_401" in self.on and status == 401:
            return self.render(None, 401, "text/plain", text="Unauthorized")
        tpl = self.contract.errors.get(status)
        error: dict[str, Any] = {
            "code": code or (tpl.code if tpl else "NOT_FOUND"),
            "message": tpl.message if tpl else "Not found",
            "system_message": detail,
            "type": kind or (tpl.type if tpl else "client_error"),
            "status": 400 if "wrong_error_status" in self.on else status,
            "trace_id": "" if "empty_trace_id" in self.on else (
                f"t{next(self.errors)}" if "trace_id_format" in self.on else str(uuid.uuid4())),
            "timestamp": self.stamp(datetime.now(UTC)),
        }
        if tpl is not None and "constant_trace_id" in self.on:
            error["trace_id"] = self.documented(status, "trace_id")
        if tpl is not None and "docs_error_timestamp" in self.on:
            error["timestamp"] = self.documented(status, "timestamp")
        if "extra_fields" in self.on:
            error["documentation_url"] = "https://example.invalid/errors"
        body = {"success": "success_true" in self.on, "error": error}
        return self.render(body, status)

    # -- the endpoint --------------------------------------------------------------------
    def key_of(self, request: web.Request) -> str | None:
        names = self.contract.key_headers
        if "alias_ignored" in self.on:
            names = names[:1]
        if "case_sensitive_key_header" in self.on:
            exact = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.raw_headers}
            return next((exact[n].strip() for n in names if exact.get(n, "").strip()), None)
        for name in names:
            value = request.headers.get(name, "").strip()
            if value:
                return value
        return None

    def auth(self, request: web.Request, org: str) -> web.Response | None:
        if "empty_alias_500" in self.on and request.headers.get("Api-Key") == "":
            return self.error(500, "'NoneType' object has no attribute 'strip'")
        key = self.key_of(request)
        if key is None:
            return self.error(401, "No API key provided")
        own = key_owner(self.on, KEYS, key)
        if own is None and "ignores_unknown_key" in self.on:
            own = org
        if own is None and "reset_unknown_key" in self.on:
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if own is None:
            return self.refuse_key(key)
        if own == org or ("cross_tenant_leak" in self.on and org in KEYS.values()):
            return None
        if any(LAX_MATCH[name](org, own) for name in self.on & LAX_MATCH.keys()):
            return None
        if "nonexistent_org_404" in self.on and org not in KEYS.values():
            return self.error(404, "No such organization")
        return self.error(403, "API key doesn't belong to organization")

    def refuse_key(self, key: str) -> web.Response:
        self.bad_keys += 1
        if "bad_key_throttle" in self.on and self.bad_keys % 3 == 0:
            response = self.error(429, "Too many failed authentications")
            response.headers["Retry-After"] = "0"
            return response
        detail = f"Invalid API key {key}" if "key_echoed" in self.on else "Invalid API key"
        if "unknown_key_code" in self.on:
            return self.error(401, detail, code="INVALID_API_KEY", kind="authentication_error")
        response = self.error(401, detail)
        if "key_in_first_cookie" in self.on:  # two Set-Cookie headers, the key in the first
            response.headers.add("Set-Cookie", f"last_key={key}; HttpOnly")
            response.headers.add("Set-Cookie", "session=anonymous; HttpOnly")
        return response

    def values(self, request: web.Request, now: datetime) -> Mapping[str, int] | web.Response:
        query = read_query(self.on, request.rel_url.query,
                           tuple(q.name for q in self.contract.query_params), self.error)
        if isinstance(query, web.Response):
            return query
        if "non_integer_accepted" in self.on and "." in query.get("month", ""):
            query = query.copy()
            query["month"] = query["month"].split(".")[0] or "0"
        month = query.get("month", "")
        if "invalid_month_200" in self.on and month.isdigit() and int(month) > 12:
            return {"year": now.year, "month": int(month)}
        try:
            values = dict(parse_query(query, self.contract.query_params, now))
        except ApiError as err:
            return self.error(400, err.system_message or "Invalid query parameters")
        if "wrong_defaults" in self.on and "month" not in query:
            previous = now.replace(day=1) - timedelta(days=1)
            values["month"] = previous.month
            if "year" not in query:
                values["year"] = previous.year
        return values

    async def get(self, request: web.Request) -> web.Response:
        if "slow_100ms" in self.on:
            await asyncio.sleep(SLOW)
        org = request.match_info[self.contract.path_param]
        now = datetime.now(UTC)
        self.hits += 1
        query = request.rel_url.query
        busy = "busy_month" in self.on and (query.get("year"), query.get("month")) == BUSY_MONTH
        if busy or ("rate_limited" in self.on and self.hits % 10 == 0):
            response = self.error(429, "Rate limit exceeded")
            response.headers["Retry-After"] = "0"
            return response
        if "hang_all" in self.on:
            await self.release.wait()
        if "hang" in self.on and request.rel_url.query.get("month", "").isdigit() and int(
            request.rel_url.query["month"]
        ) > 12:
            await self.release.wait()
        choked = choke(self.on, request, self.error)
        if choked is not None:
            return choked
        if "long_org_500" in self.on and len(org) > LONG_ORG:
            return self.error(500, "Database query failed")
        checks = ("values", "auth") if "params_before_auth" in self.on else ("auth", "values")
        values: Mapping[str, int] = {}
        for stage in checks:
            if stage == "auth":
                denied = self.auth(request, org)
                if denied is not None:
                    return denied
            else:
                got = self.values(request, now)
                if isinstance(got, web.Response):
                    return got
                values = got
        year, month = values["year"], values["month"]
        if "crash_at_max_year" in self.on and year == 2030:
            return self.error(500, "Database query failed")
        if "leap_february_500" in self.on and month == 2 and calendar.isleap(year):
            return self.error(500, "day is out of range for month")
        body = self.body(org, year, month, now)
        if "zero_usage_500" in self.on and not body["totalApiKeyRequests"] and (
            1 <= month <= 12 and month_bounds(year, month)[1] <= now
        ):
            return self.error(500, "float division by zero")
        if "redirect" in self.on:
            raise web.HTTPFound(self.redirect_to)
        if "invalid_json" in self.on:
            text = json.dumps(body)
            return self.render(None, text=text[: len(text) // 2])
        if "huge_body" in self.on:  # the 10 MB padding spliced in, not serialised each time
            return self.render(None, text=json.dumps(body)[:-1] + f', "padding": "{PADDING}"}}')
        if "html_200" in self.on:
            return self.render(None, content_type="text/html",
                               text="<html><body>Summary</body></html>")
        if "text_content_type" in self.on:
            return self.render(None, content_type="text/plain", text=json.dumps(body))
        return self.render(body)

    def body(self, org: str, year: int, month: int, now: datetime) -> dict[str, Any]:
        if 1 <= month <= 12:
            doc = summary(org, year, month, now, 0, self.cal)
        else:  # only reached with invalid_month_200
            doc = summary(org, year, 12, now, 0, self.cal) | {"month": month}
        if (year, month) == QUIET_MONTH:
            doc |= NO_USAGE
        if 1 <= month <= 12:
            self.misdate(doc, now, *month_bounds(year, month))
        doc["generatedAt"] = self.stamp(datetime.fromisoformat(doc["generatedAt"]))
        if "wrong_echo_org" in self.on:
            doc["organization_id"] = org.removeprefix("org_")
        if "wrong_echo_month" in self.on:
            doc["month"] = month - 1
        if "nan_average" in self.on and not doc["totalApiKeyRequests"]:
            doc["averageCostPerRequest"] = float("nan")  # 0 / 0 in floating point
        if "wrong_average" in self.on and doc["totalNeurons"]:
            doc["averageCostPerRequest"] = round(doc["totalApiKeyCost"] / doc["totalNeurons"], 4)
        if "average_2dp" in self.on:
            doc["averageCostPerRequest"] = round(doc["averageCostPerRequest"], 2)
        if "float_counts" in self.on:
            doc["totalApiKeyRequests"] = float(doc["totalApiKeyRequests"])
        if "negative_cost" in self.on:
            doc["totalApiKeyCost"] = -doc["totalApiKeyCost"] or -1.0
        if "missing_field" in self.on:
            del doc["generatedAt"]
        if "extra_fields" in self.on:
            doc["currency"] = "CHF"
        if "snake_case" in self.on:
            doc = {SNAKE.get(k, k): v for k, v in doc.items()}
        return doc

    def misdate(self, doc: dict[str, Any], now: datetime, start: datetime,
                end: datetime) -> None:
        """The defects of dates: a rolled-over December, copied or future timestamps."""
        if "december_rollover" in self.on and doc["month"] == 12 and end <= now:
            doc["year"], doc["month"] = doc["year"] + 1, 1
        if "docs_generated_at" in self.on:
            doc["generatedAt"] = self.contract.examples["documented"].value["generatedAt"]
        if "future_generated_at" in self.on and start <= now < end:
            doc["generatedAt"] = rfc3339(end)

    async def other_method(self, request: web.Request) -> web.Response:
        if "slow_100ms" in self.on:
            await asyncio.sleep(SLOW)
        if "no_405" in self.on:
            return self.error(404, "Not found")
        if "methods_auth_first" in self.on:  # a gateway's authorizer, before any routing
            return self.error(403, "Not authorized for this method")
        response = self.error(405, "Method not allowed")
        if "no_allow_header" not in self.on:
            response.headers["Allow"] = "GET"
        if "key_in_405_header" in self.on:
            response.headers["X-Debug-Key"] = self.key_of(request) or ""
        return response

    async def pad_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """padded_header_values: spaces and tabs around every header value it sets, and
        the Date (HTTP strips them: RFC 9110 section 5.5)."""
        response.headers.setdefault("Date", formatdate(usegmt=True))
        for name in list(response.headers):
            if name.lower() not in FRAMING:
                values = response.headers.getall(name)
                response.headers.popall(name)
                for value in values:
                    response.headers.add(name, f" \t{value}\t ")

    def app(self) -> web.Application:
        app = web.Application()
        if "padded_header_values" in self.on:
            app.on_response_prepare.append(self.pad_headers)
        route = self.contract.route
        app.router.add_get(route, self.get, allow_head=False)
        app.router.add_route("*", route, self.other_method)
        return app


class BrokenServer(LoopThread):
    """A BrokenApp on a free loopback port, in a background thread."""

    def __init__(self, *switches: str, redirect_to: str | None = None) -> None:
        super().__init__()
        self.impl = BrokenApp(frozenset(switches), load_contract(default_spec_path()),
                              *([redirect_to] if redirect_to else []))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.impl.contract.base_path}"

    async def serve(self, stop: asyncio.Event) -> None:
        self.impl.release = asyncio.Event()
        runner = web.AppRunner(self.impl.app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.ready()
        try:
            await stop.wait()
        finally:
            self.impl.release.set()
            await runner.cleanup()
