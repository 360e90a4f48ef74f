"""The registry of exchange checks: every rule that one request and its answer can break.

Each check is a small pure function ``(contract, observed) -> (expected, got) | None``
under a name, built on the rules of :mod:`api_contract.invariants` and
:mod:`api_contract.cases`. The names are the contract kit's: the kit's checks craft
requests and apply the same rules to the answers (``contract_tests/checks/``); the mock's
validating proxy (``freddy-mock --proxy``) applies every check here to every exchange it
forwards (:func:`verify`). A check that needs a fact the observer does not have (that a key
is invalid, which organization a key belongs to) does not apply without it.

Request checks (side ``request``) judge what the client sent; the others what the server
answered.
"""

from __future__ import annotations

from api_contract.verdicts import answers, requests  # noqa: F401  (they register the checks)
from api_contract.verdicts.registry import (
    REGISTRY,
    REQUEST,
    RESPONSE,
    ExchangeCheck,
    exchange_check,
    verify,
)

__all__ = ["REGISTRY", "REQUEST", "RESPONSE", "ExchangeCheck", "exchange_check", "verify"]
