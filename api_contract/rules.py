"""The compiled rules: what a parameter accepts, what a documented error or example is."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api_contract.spec import ContractError
from api_contract.validators import compile_schema

# The integer form a query parameter accepts: one to nine ASCII digits (no sign, no
# spaces, no other digits); the mock parses with it, the checks judge with it.
INTEGER = re.compile(r"[0-9]{1,9}", re.ASCII)


@dataclass(frozen=True, slots=True)
class QueryParam:
    """One query parameter, compiled to a check that needs no schema walk per request."""

    name: str
    rule: str  # human text of the rule, e.g. "an integer from 1 to 12"
    check: Callable[[int], bool]
    default_from_clock: str | None


@dataclass(frozen=True, slots=True)
class ErrorTemplate:
    """A documented error: its pinned code/type and the document's example wording."""

    status: int
    code: str
    type: str
    message: str
    system_message: str


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    status: int
    value: Any


def compile_integer_rule(
    name: str, schema: Mapping[str, Any]
) -> tuple[str, Callable[[int], bool]]:
    if schema.get("type") != "integer":
        raise ContractError(f"query parameter {name!r}: only integer parameters are supported")
    lo, hi = schema.get("minimum"), schema.get("maximum")
    known = {"type", "minimum", "maximum", "description", "default"}
    if set(schema) - known:
        # Keywords without a fast path: fall back to the compiled JSON Schema validator.
        validator = compile_schema(schema)
        return f"an integer matching {json.dumps(schema)}", validator.is_valid
    if lo is not None and hi is not None:
        return f"an integer from {lo} to {hi}", lambda v: lo <= v <= hi
    if lo is not None:
        return f"an integer of at least {lo}", lambda v: v >= lo
    if hi is not None:
        return f"an integer of at most {hi}", lambda v: v <= hi
    return "an integer", lambda v: True


def pinned(schema: Mapping[str, Any], prop: str) -> Any:
    """The ``const`` a (possibly allOf-composed) envelope schema pins on ``error.<prop>``."""
    for part in [schema, *schema.get("allOf", [])]:
        value = part.get("properties", {}).get("error", {}).get("properties", {}).get(prop, {})
        if "const" in value:
            return value["const"]
    return None


def error_template(status: int, schema: Mapping[str, Any],
                   example: Mapping[str, Any]) -> ErrorTemplate:
    """``status``'s template: code and type pinned by the schema (else the example's), the
    wording of the row's first example (its ``error`` member)."""
    return ErrorTemplate(
        status=status,
        code=pinned(schema, "code") or example["code"],
        type=pinned(schema, "type") or example["type"],
        message=example["message"],
        system_message=example["system_message"],
    )
