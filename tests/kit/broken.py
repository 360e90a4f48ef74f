"""A small, separate implementation of the endpoint with named defect switches.

With no switch on it honours the contract (it reuses the mock's compiled contract, its
parameter rules and its data generator, but none of its pipeline), so each switch adds one
defect, or one legitimate variation the kit must accept. The mock itself stays clean.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from api_contract.contract import Contract, load_contract
from api_contract.resources import default_spec_path
from mock_server.stages.clock import rfc3339
from mock_server.stages.data import Calibration, summary
from mock_server.stages.errors import ApiError
from mock_server.stages.params import parse_query

KEYS = {"mock-key-abc123": "org_abc123", "mock-key-xyz789": "org_xyz789"}

# Switches that break the contract: name -> what the server then does wrong.
DEFECTS = {
    "snake_case": "answers the 200 body in all snake_case (the later public document's shape)",
    "cross_tenant_leak": "lets a key read any existing organization",
    "swapped_401_403": "answers 403 for a missing key and 401 for another org",
    "wrong_echo_org": "echoes the key's org without its prefix",
    "wrong_echo_month": "echoes a zero-based month",
    "wrong_average": "divides the cost by the neurons, not the requests",
    "wrong_defaults": "defaults an omitted month to the previous month",
    "wrong_error_status": "puts 400 in error.status whatever the HTTP status",
    "key_echoed": "quotes an unknown key in the 401 message",
    "key_in_405_header": "repeats the key in a debug header of its 405 answers",
    "hang": "never answers a month above the bound",
    "hang_all": "accepts connections but never answers",
    "plain_text_401": "answers 401 as text/plain",
    "long_org_500": "crashes (500) on org ids over 256 characters",
    "invalid_month_200": "accepts a month above the bound",
    "missing_field": "omits generatedAt",
    "float_counts": "sends totalApiKeyRequests as a float",
    "bad_timestamp": "sends generatedAt without 'T' and zone",
    "success_true": "sends success: true in errors",
    "empty_trace_id": "sends an empty trace_id",
    "ignores_unknown_key": "accepts any non-empty key",
    "nonexistent_org_404": "answers 404 for an organization it does not know",
    "text_content_type": "labels the 200 body text/plain",
    "crash_at_max_year": "answers 500 for the highest documented year",
    "alias_ignored": "ignores the Api-Key alias header",
    "non_integer_accepted": "truncates a decimal month (1.5 -> 1) instead of rejecting it",
    "no_405": "answers undocumented methods 404 instead of 405",
    "negative_cost": "sends a negative totalApiKeyCost",
    "reset_unknown_key": "drops the connection when the key is unknown",
    "html_200": "answers the summary with an HTML page",
    "redirect": "redirects the summary to another server (redirect_to)",
    "invalid_json": "labels the summary application/json but cuts the body mid-way",
    "huge_body": "answers the summary with a 10 MB JSON body",
}

# Switches for legitimate variations a correct server may show.
VARIATIONS = {
    "extra_fields": "adds fields the contract does not declare",
    "fractional_offset_time": "timestamps with fractional seconds and a +00:00 offset",
    "average_2dp": "rounds averageCostPerRequest to 2 decimals",
    "trace_id_format": "a trace_id in its own format",
    "unknown_key_code": "its own 401 code and type for an unknown key",
    "params_before_auth": "validates parameters before the org (400 for forbidden+malformed)",
    "extra_headers": "rate-limit, server and request-id headers",
    "rate_limited": "every 10th summary request answered 429 with Retry-After: 0",
}

SNAKE = {"totalApiKeyRequests": "total_api_key_requests", "totalApiKeyCost": "total_api_key_cost",
         "averageCostPerRequest": "average_cost_per_request", "totalNeurons": "total_neurons",
         "generatedAt": "generated_at"}
LONG_ORG = 256


class BrokenApp:
    def __init__(self, switches: frozenset[str], contract: Contract,
                 redirect_to: str = "http://127.0.0.1:9/") -> None:
        unknown = switches - DEFECTS.keys() - VARIATIONS.keys()
        if unknown:
            raise ValueError(f"unknown switches {sorted(unknown)}")
        self.on = switches
        self.contract = contract
        self.cal = Calibration.from_example(contract.examples["documented"].value)
        self.release = asyncio.Event()  # set at shutdown: frees hanging handlers
        self.redirect_to = redirect_to
        self.hits = 0  # summary requests received

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

    def error(self, status: int, detail: str, *, code: str | None = None,
              kind: str | None = None) -> web.Response:
        if "swapped_401_403" in self.on and status in (401, 403):
            status = 403 if status == 401 else 401
        if "plain_text_401" in self.on and status == 401:
            return web.Response(status=401, text="Unauthorized")
        tpl = self.contract.errors.get(status)
        error: dict[str, Any] = {
            "code": code or (tpl.code if tpl else "NOT_FOUND"),
            "message": tpl.message if tpl else "Not found",
            "system_message": detail,
            "type": kind or (tpl.type if tpl else "client_error"),
            "status": 400 if "wrong_error_status" in self.on else status,
            "trace_id": "" if "empty_trace_id" in self.on else (
                "t" if "trace_id_format" in self.on else str(uuid.uuid4())),
            "timestamp": self.stamp(datetime.now(UTC)),
        }
        if "extra_fields" in self.on:
            error["documentation_url"] = "https://example.invalid/errors"
        body = {"success": "success_true" in self.on, "error": error}
        return web.json_response(body, status=status, headers=self.headers())

    # -- the endpoint --------------------------------------------------------------------
    def key_of(self, request: web.Request) -> str | None:
        names = self.contract.key_headers
        if "alias_ignored" in self.on:
            names = names[:1]
        for name in names:
            value = request.headers.get(name, "").strip()
            if value:
                return value
        return None

    def auth(self, request: web.Request, org: str) -> web.Response | None:
        key = self.key_of(request)
        if key is None:
            return self.error(401, "No API key provided")
        own = KEYS.get(key)
        if own is None and "ignores_unknown_key" in self.on:
            own = org
        if own is None and "reset_unknown_key" in self.on:
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if own is None:
            detail = f"Invalid API key {key}" if "key_echoed" in self.on else "Invalid API key"
            if "unknown_key_code" in self.on:
                return self.error(401, detail, code="INVALID_API_KEY", kind="authentication_error")
            return self.error(401, detail)
        if own == org or ("cross_tenant_leak" in self.on and org in KEYS.values()):
            return None
        if "nonexistent_org_404" in self.on and org not in KEYS.values():
            return self.error(404, "No such organization")
        return self.error(403, "API key doesn't belong to organization")

    def values(self, request: web.Request, now: datetime) -> Mapping[str, int] | web.Response:
        query = request.rel_url.query
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
        org = request.match_info[self.contract.path_param]
        now = datetime.now(UTC)
        self.hits += 1
        if "rate_limited" in self.on and self.hits % 10 == 0:
            response = self.error(429, "Rate limit exceeded")
            response.headers["Retry-After"] = "0"
            return response
        if "hang_all" in self.on:
            await self.release.wait()
        if "hang" in self.on and request.rel_url.query.get("month", "").isdigit() and int(
            request.rel_url.query["month"]
        ) > 12:
            await self.release.wait()
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
        if "crash_at_max_year" in self.on and values["year"] == 2030:
            return self.error(500, "Database query failed")
        body = self.body(org, values["year"], values["month"], now)
        if "redirect" in self.on:
            raise web.HTTPFound(self.redirect_to)
        if "invalid_json" in self.on:
            text = web.json_response(body).text
            return web.Response(text=text[: len(text) // 2], content_type="application/json")
        if "huge_body" in self.on:
            padded = {**body, "padding": "x" * 10_000_000}
            return web.json_response(padded, headers=self.headers())
        if "html_200" in self.on:
            return web.Response(text="<html><body>Summary</body></html>", content_type="text/html")
        if "text_content_type" in self.on:
            return web.Response(text=web.json_response(body).text, content_type="text/plain",
                                headers=self.headers())
        return web.json_response(body, headers=self.headers())

    def body(self, org: str, year: int, month: int, now: datetime) -> dict[str, Any]:
        if 1 <= month <= 12:
            doc = summary(org, year, month, now, 0, self.cal)
        else:  # only reached with invalid_month_200
            doc = summary(org, year, 12, now, 0, self.cal) | {"month": month}
        doc["generatedAt"] = self.stamp(datetime.fromisoformat(doc["generatedAt"]))
        if "wrong_echo_org" in self.on:
            doc["organization_id"] = org.removeprefix("org_")
        if "wrong_echo_month" in self.on:
            doc["month"] = month - 1
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

    async def other_method(self, request: web.Request) -> web.Response:
        if "no_405" in self.on:
            return self.error(404, "Not found")
        response = self.error(405, "Method not allowed")
        response.headers["Allow"] = "GET"
        if "key_in_405_header" in self.on:
            response.headers["X-Debug-Key"] = self.key_of(request) or ""
        return response

    def app(self) -> web.Application:
        app = web.Application()
        route = self.contract.route
        app.router.add_get(route, self.get, allow_head=False)
        app.router.add_route("*", route, self.other_method)
        return app


class BrokenServer:
    """A BrokenApp on a free loopback port, in a background thread."""

    def __init__(self, *switches: str, redirect_to: str | None = None) -> None:
        self.impl = BrokenApp(frozenset(switches), load_contract(default_spec_path()),
                              *([redirect_to] if redirect_to else []))
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.impl.contract.base_path}"

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self.impl.release = asyncio.Event()
        runner = web.AppRunner(self.impl.app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            self.impl.release.set()
            await runner.cleanup()

    def __enter__(self) -> BrokenServer:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("broken server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
