"""The registry's machinery: a check is a named pure function over one exchange.

``fn(contract, observed)`` returns ``(expected, got)`` when the exchange breaks the rule and
None otherwise (also when the rule does not apply, or needs a fact the observer lacks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api_contract.contract import Contract
from api_contract.exchange import Observed, Problem, Violation

CheckFn = Callable[[Contract, Observed], Problem | None]
REQUEST, RESPONSE = "request", "response"


@dataclass(frozen=True, slots=True)
class ExchangeCheck:
    name: str
    summary: str
    fn: CheckFn
    side: str = RESPONSE  # REQUEST: the client broke the contract, not the server

    def __call__(self, contract: Contract, o: Observed) -> Violation | None:
        problem = self.fn(contract, o)
        return None if problem is None else Violation(self.name, *problem, side=self.side)


REGISTRY: dict[str, ExchangeCheck] = {}


def exchange_check(name: str, summary: str, side: str = RESPONSE) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` under ``name`` (the kit's check name where the kit has the rule)."""

    def wrap(fn: CheckFn) -> CheckFn:
        if name in REGISTRY:
            raise ValueError(f"exchange check {name!r} declared twice")
        REGISTRY[name] = ExchangeCheck(name, summary, fn, side)
        return fn

    return wrap


def verify(contract: Contract, o: Observed) -> list[Violation]:
    """Every registered check that ``o`` breaks: request checks first, then in order."""
    found = [v for c in REGISTRY.values() if (v := c(contract, o)) is not None]
    return sorted(found, key=lambda v: v.side != REQUEST)
