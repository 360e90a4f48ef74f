"""Rules one summary body must keep, each a function returning ``(expected, got)`` when
broken and None when kept. The sampled checks (semantics) and the month sweep apply the same
functions, so a rule is written once however many answers it is applied to: here, the
kit's terms (its configured org, its contract) around the rules of
:mod:`api_contract.invariants`, which the registry of exchange checks (and so the mock's
validating proxy) applies too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api_contract import invariants
from api_contract.exchange import Problem
from api_contract.invariants import AVERAGE_TOLERANCE
from contract_tests.context import Context

__all__ = ["AVERAGE_TOLERANCE", "Problem", "average", "counts", "echo", "echo_wanted", "schema"]


def echo_wanted(ctx: Context, query: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The values a summary for ``query`` must echo, and the expectation in words."""
    return invariants.echo_wanted(ctx.contract, ctx.config.org_id, query)


def echo(ctx: Context, query: Mapping[str, str], doc: Mapping[str, Any]) -> Problem | None:
    return invariants.echo(ctx.contract, ctx.config.org_id, query, doc)


def average(ctx: Context, doc: Mapping[str, Any]) -> Problem | None:
    """The average = cost / requests (fields by x-meaning); None also when a field is
    missing (the drift checks name it)."""
    return invariants.average(ctx.contract, doc)


def counts(ctx: Context, doc: Mapping[str, Any]) -> Problem | None:
    """Numbers are numbers, integers integers (``6250`` is a number; ``25000.0`` is not an
    integer on the wire), and nothing is below its minimum."""
    return invariants.counts(ctx.summary_schema.get("properties", {}), doc)


def schema(ctx: Context, doc: Any) -> Problem | None:
    """The body validates against the spec's 200 schema (formats included)."""
    return invariants.schema_problem(ctx.contract.validators[200], doc,
                                     "a body valid against the 200 schema")
