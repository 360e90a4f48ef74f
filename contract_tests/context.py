"""What every check works with: the config, the compiled contract, and a memoizing client.

Requests are memoized by their shape, so checks that look at the same answer from
different angles (status, envelope, key echo) cost one request. Every exchange is kept in
``history`` for the checks that look across all answers. Checks that send many requests
(the month sweep, the look-alike org ids) hand them to :meth:`Context.summary_many`, which
keeps ``CONCURRENCY`` in flight and records them in the order they were asked for.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from api_contract.contract import Contract
from contract_tests.config import KitConfig
from contract_tests.failures import ContractViolation
from contract_tests.transport import CONCURRENCY, Client, Exchange, Reply, Request

DEFAULT = object()  # "the configured key"


@dataclass(frozen=True, slots=True)
class Probe:
    """One request of the summary's route, in the terms of :meth:`Context.summary`. The org
    and the query's values may be bytes: sent percent-encoded as they are (not UTF-8)."""

    org: str | bytes | None = None
    query: tuple[tuple[str, str | bytes], ...] = ()
    key: Any = DEFAULT
    header: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"


@dataclass(frozen=True, slots=True)
class Bounds:
    name: str
    minimum: int | None
    maximum: int | None


class Context:
    def __init__(self, config: KitConfig, contract: Contract, client: Client) -> None:
        self.config = config
        self.contract = contract
        self.client = client
        self.history: list[Exchange] = []
        self._memo: dict[tuple[Any, ...], Exchange] = {}
        self.cache: dict[str, Any] = {}  # per-run results shared between checks of a family

    # -- facts from the spec -------------------------------------------------------------
    @property
    def key_header(self) -> str:
        return self.contract.key_headers[0]

    @property
    def summary_schema(self) -> Mapping[str, Any]:
        return self.contract.validators[200].schema

    @property
    def error_schema(self) -> Mapping[str, Any]:
        return self.contract.envelope_validator.schema["properties"]["error"]

    def bounds(self) -> list[Bounds]:
        op = self.contract.raw["paths"][self.contract.path_template]["get"]
        out = []
        for p in op.get("parameters", []):
            if p.get("in") == "query":
                schema = p.get("schema", {})
                out.append(Bounds(p["name"], schema.get("minimum"), schema.get("maximum")))
        return out

    # -- requests ------------------------------------------------------------------------
    def summary(
        self,
        org: str | bytes | None = None,
        query: Sequence[tuple[str, str | bytes]] = (),
        *,
        key: Any = DEFAULT,
        header: str | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
        method: str = "GET",
    ) -> Exchange:
        """GET (or ``method``) the summary of ``org`` (default: the configured org) with the
        given key."""
        probe = Probe(org, tuple(query), key, header, tuple(extra_headers), method)
        memo, request, key_value = self._prepare(probe)
        if memo in self._memo:
            return self._memo[memo]
        return self._record(memo, self.client.send(request, key_value))

    def summary_many(
        self, probes: Sequence[Probe], *, budget: float | None = None
    ) -> list[Exchange | None]:
        """Send the probes ``CONCURRENCY`` at a time, in order; a probe not yet started when
        ``budget`` seconds have passed is not sent (None in its place)."""
        deadline = None if budget is None else time.monotonic() + budget
        prepared = [self._prepare(p) for p in probes]
        unique = {memo: (request, key) for memo, request, key in prepared}

        def send(memo: tuple[Any, ...]) -> Exchange | None:
            if memo in self._memo:
                return self._memo[memo]
            if deadline is not None and time.monotonic() >= deadline:
                return None
            return self.client.send(*unique[memo])

        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            sent = dict(zip(unique, pool.map(send, unique), strict=True))
        for memo, exchange in sent.items():
            if exchange is not None and memo not in self._memo:
                self._record(memo, exchange)
        return [sent[memo] for memo, _, _ in prepared]

    def _prepare(self, probe: Probe) -> tuple[tuple[Any, ...], Request, str | None]:
        org = self.config.org_id if probe.org is None else probe.org
        key_value = self.config.api_key if probe.key is DEFAULT else probe.key
        headers = [("Accept", "application/json"), *probe.extra_headers]
        if key_value is not None:
            headers.append((probe.header or self.key_header, key_value))
        memo = (probe.method, org, probe.query, tuple(headers))
        path = self.contract.path_template.replace(
            "{" + self.contract.path_param + "}", quote(org, safe="")
        )
        secrets = tuple(s for s in {self.config.api_key, key_value} if s)
        request = Request(probe.method, self.client.url(path, list(probe.query)), tuple(headers),
                          secrets, own_key=self.config.api_key)
        return memo, request, key_value

    def _record(self, memo: tuple[Any, ...], exchange: Exchange) -> Exchange:
        self._memo[memo] = exchange
        self.history.append(exchange)
        return exchange

    # -- turning answers into verdicts ---------------------------------------------------
    def reply(self, check: str, ex: Exchange, expected: str) -> Reply:
        if ex.reply is None:
            raise ContractViolation(check=check, expected=expected, got=ex.error or "nothing",
                                    request=ex.request)
        return ex.reply

    def json(self, check: str, ex: Exchange, expected: str) -> tuple[Reply, Any]:
        reply = self.reply(check, ex, expected)
        doc, why = reply.parse()
        if why is not None:
            raise ContractViolation(check=check, expected=expected,
                                    got=f"HTTP {reply.status} with {why}", request=ex.request)
        return reply, doc

    def fail(self, check: str, ex: Exchange | None, expected: str, got: str) -> ContractViolation:
        return ContractViolation(check=check, expected=expected, got=got,
                                 request=ex.request if ex else None)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
