"""What every check works with: the config, the compiled contract, and a memoizing client.

Requests are memoized by their shape, so checks that look at the same answer from
different angles (status, envelope, key echo) cost one request. Every exchange is kept in
``history`` for the checks that look across all answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from api_contract.contract import Contract
from contract_tests.config import KitConfig
from contract_tests.failures import ContractViolation
from contract_tests.transport import Client, Exchange, Reply, Request

DEFAULT = object()  # "the configured key"


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
        org: str | None = None,
        query: Sequence[tuple[str, str]] = (),
        *,
        key: Any = DEFAULT,
        header: str | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> Exchange:
        """GET the summary of ``org`` (default: the configured org) with the given key."""
        org = self.config.org_id if org is None else org
        key_value = self.config.api_key if key is DEFAULT else key
        headers = [("Accept", "application/json"), *extra_headers]
        if key_value is not None:
            headers.append((header or self.key_header, key_value))
        memo = (org, tuple(query), tuple(headers))
        if memo in self._memo:
            return self._memo[memo]
        path = self.contract.path_template.replace(
            "{" + self.contract.path_param + "}", quote(org, safe="")
        )
        secrets = tuple(s for s in {self.config.api_key, key_value} if s)
        request = Request("GET", self.client.url(path, list(query)), tuple(headers), secrets,
                          own_key=self.config.api_key)
        exchange = self.client.send(request, key_value)
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
