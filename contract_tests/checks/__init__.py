"""The check families, in the order a run executes them."""

from __future__ import annotations

from contract_tests.checks import (
    conformance,
    credentials,
    drift,
    errors,
    freshness,
    inputs,
    isolation,
    semantics,
    sweep,
)
from contract_tests.registry import Check, collect

# credentials, inputs, isolation and sweep before semantics: key_never_echoed,
# json_content_type and json_numbers_only then also see their requests; freshness looks at
# every answer of the run, so it comes after them all.
FAMILIES = (conformance, errors, credentials, inputs, isolation, sweep, semantics, freshness,
            drift)


def all_checks() -> tuple[Check, ...]:
    return collect(FAMILIES)
