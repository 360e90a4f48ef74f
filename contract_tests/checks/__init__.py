"""The check families, in the order a run executes them."""

from __future__ import annotations

from contract_tests.checks import conformance, drift, errors, isolation, semantics
from contract_tests.registry import Check, collect

# isolation before semantics: key_never_echoed then also sees the isolation requests.
FAMILIES = (conformance, errors, isolation, semantics, drift)


def all_checks() -> tuple[Check, ...]:
    return collect(FAMILIES)
