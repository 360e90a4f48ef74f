"""The check families, in the order a run executes them."""

from __future__ import annotations

from contract_tests.checks import (
    conformance,
    drift,
    errors,
    freshness,
    isolation,
    semantics,
    sweep,
)
from contract_tests.registry import Check, collect

# isolation and sweep before semantics: key_never_echoed and json_content_type then also see
# their requests; freshness looks at every answer of the run, so it comes after them all.
FAMILIES = (conformance, errors, isolation, sweep, semantics, freshness, drift)


def all_checks() -> tuple[Check, ...]:
    return collect(FAMILIES)
