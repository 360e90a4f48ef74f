"""The summary's field map: which property of the 200 body means what, read from the spec.

Each property of the summary schema declares its meaning with ``x-meaning`` (one of
:data:`MEANINGS`). Everything that builds or judges a summary (the mock's generator, usage
scenarios, fixtures and recorder; the rules the kit and the proxy share) asks
:class:`SummaryFields` for a name, so a renamed field is a change of the spec alone. A
property without a meaning gets a value from its schema (:func:`schema_value`): a field the
vendor adds (``currency: {const: CHF}``) is served at once, and checked by the schema.

A spec that breaks these rules raises :class:`~api_contract.spec.ContractError` (one line).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from api_contract.spec import ContractError

MEANING = "x-meaning"
ORGANIZATION, YEAR, MONTH = "organization", "year", "month"
REQUESTS, COST, AVERAGE = "requests", "cost", "average"
SYNAPSES, NEURONS, GENERATED = "synapses", "neurons", "generated"

# Each meaning, the JSON Schema type its property must have, and what it says.
MEANINGS: Mapping[str, tuple[str, str]] = MappingProxyType({
    ORGANIZATION: ("string", "the organization of the path, echoed"),
    YEAR: ("integer", "the year summarised (the request's, or the current one)"),
    MONTH: ("integer", "the month summarised (the request's, or the current one)"),
    REQUESTS: ("integer", "requests made with the organization's keys in the month"),
    COST: ("number", "their total cost"),
    AVERAGE: ("number", "cost / requests, 0 without requests"),
    SYNAPSES: ("number", "synapses consumed"),
    NEURONS: ("number", "neurons consumed"),
    GENERATED: ("string", "when the summary was generated (format date-time)"),
})
_FORMAT = {GENERATED: "date-time"}


@dataclass(frozen=True, slots=True)
class SummaryFields:
    """Property names by meaning, in the spec's order, and the values of the others."""

    names: Mapping[str, str]  # meaning -> property name
    order: tuple[str, ...]  # every property of the summary, as the spec lists them
    filled: Mapping[str, Any]  # property without a meaning -> the value it is served with

    def __getitem__(self, meaning: str) -> str:
        return self.names[meaning]

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A summary from ``values`` by meaning, its properties in the spec's order."""
        meaning_of = {name: m for m, name in self.names.items()}
        return {name: values[meaning_of[name]] if name in meaning_of else self.filled[name]
                for name in self.order}

    def values(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """``doc``'s values by meaning (the meanings it has)."""
        return {m: doc[name] for m, name in self.names.items() if name in doc}

    def update(self, doc: dict[str, Any], values: Mapping[str, Any]) -> None:
        """Set the properties of the meanings in ``values``."""
        for meaning, value in values.items():
            doc[self.names[meaning]] = value

    def rows(self) -> list[tuple[str, str, str]]:
        """(property, meaning or "from its schema", what it says), in the spec's order."""
        meaning_of = {name: m for m, name in self.names.items()}
        return [(name, meaning_of.get(name, ""),
                 MEANINGS[meaning_of[name]][1] if name in meaning_of
                 else f"served as {self.filled[name]!r} (from its schema)")
                for name in self.order]


def compile_fields(schema: Mapping[str, Any]) -> SummaryFields:
    """The field map of the summary's (resolved) schema; ContractError if it has none."""
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict) or not properties:
        raise ContractError("the summary (200) schema must be an object with properties")
    names: dict[str, str] = {}
    filled: dict[str, Any] = {}
    for name, prop in properties.items():
        meaning = prop.get(MEANING) if isinstance(prop, dict) else None
        if meaning is None:
            filled[name] = schema_value(prop, f"summary property {name!r}")
            continue
        if meaning not in MEANINGS:
            raise ContractError(f"summary property {name!r}: unknown {MEANING} {meaning!r} "
                                f"(known: {', '.join(MEANINGS)})")
        if meaning in names:
            raise ContractError(f"{MEANING} {meaning!r} is declared twice, by summary "
                                f"properties {names[meaning]!r} and {name!r}")
        _check_type(name, meaning, prop)
        names[meaning] = name
    missing = [m for m in MEANINGS if m not in names]
    if missing:
        raise ContractError(f"no summary property declares {MEANING} "
                            + ", ".join(repr(m) for m in missing)
                            + " (each of " + ", ".join(MEANINGS) + " is needed once)")
    return SummaryFields(MappingProxyType(names), tuple(properties),
                         MappingProxyType(filled))


def _check_type(name: str, meaning: str, prop: Mapping[str, Any]) -> None:
    want = MEANINGS[meaning][0]
    kind = prop.get("type")
    fmt = _FORMAT.get(meaning)
    if kind != want or (fmt is not None and prop.get("format") != fmt):
        said = f"type {kind!r}" if kind != want else f"format {prop.get('format')!r}"
        needed = f"type {want!r}" + (f" with format {fmt!r}" if fmt else "")
        raise ContractError(f"summary property {name!r} ({MEANING} {meaning!r}) must be of "
                            f"{needed}; the spec gives it {said}")


_FILLERS = {"string": "", "integer": 0, "number": 0.0, "boolean": False, "null": None}


def schema_value(schema: Any, where: str) -> Any:
    """A value for a property with no meaning: its const, first enum value, example or
    default; else a value of its type within its bounds (the compiled contract checks it
    against the schema when it validates the spec)."""
    if not isinstance(schema, dict):
        raise ContractError(f"{where}: the schema is not an object")
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "example" in schema:
        return schema["example"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = max(0, low + (1 if "exclusiveMinimum" in schema else 0))
        high = schema.get("maximum")
        value = min(value, high) if high is not None else value
        return int(value) if kind == "integer" else float(value)
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind == "array":
        item = schema.get("items", {})
        return [schema_value(item, where + "[]") for _ in range(int(schema.get("minItems", 0)))]
    if kind == "object":
        props = schema.get("properties", {})
        return {n: schema_value(props.get(n, {}), f"{where}.{n}")
                for n in schema.get("required", [])}
    if kind in _FILLERS:
        return _FILLERS[kind]
    raise ContractError(f"{where} has no meaning ({MEANING}) and no type, const, enum, "
                        "example or default to serve it from")
