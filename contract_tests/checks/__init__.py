"""The check families, in the order a run executes them."""

from __future__ import annotations

from contract_tests.checks import conformance, drift, errors, isolation, semantics
from contract_tests.registry import Check, collect

FAMILIES = (conformance, errors, semantics, isolation, drift)


def all_checks() -> tuple[Check, ...]:
    return collect(FAMILIES)
