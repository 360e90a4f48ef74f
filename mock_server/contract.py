"""Compile ``spec/openapi.yaml`` into the rules the mock applies.

Everything the mock knows about the API comes from here: the route, the parameters and their
rules, the key headers, the response schemas and the named examples. The spec is walked
once, at start-up; requests only touch the compiled :class:`Contract`.

The response schemas become jsonschema validators on first use (:class:`Validators`):
jsonschema with its format checkers, and compiling the schemas, were a quarter of the
mock's start-up, and serving never needs them. Validation (every schema, and every example
against its schema, up front) runs for any spec but the bundled one, which the test suite
checks (``resources.is_bundled``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from mock_server.resources import YAML_LOADER, is_bundled

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

OPERATION_ID = "getApiKeyUsageSummary"


class ContractError(Exception):
    """The spec cannot be read or lacks what the mock needs."""


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


class Validators(Mapping[Any, "Draft202012Validator"]):
    """Schemas by key (a status, or ``"envelope"``), each compiled on first access."""

    def __init__(self, schemas: Mapping[Any, Mapping[str, Any]]) -> None:
        self.schemas = dict(schemas)
        self._compiled: dict[Any, Draft202012Validator] = {}

    def __getitem__(self, key: Any) -> Draft202012Validator:
        validator = self._compiled.get(key)
        if validator is None:
            validator = self._compiled[key] = _validator(self.schemas[key])
        return validator

    def __iter__(self) -> Iterator[Any]:
        return iter(self.schemas)

    def __len__(self) -> int:
        return len(self.schemas)

    def compile_all(self) -> None:
        """Check and compile every schema now (jsonschema raises on a bad one)."""
        for key in self.schemas:
            self[key]


@dataclass(frozen=True, slots=True)
class Contract:
    raw: Mapping[str, Any]
    base_path: str
    path_template: str
    path_param: str
    query_params: tuple[QueryParam, ...]
    key_headers: tuple[str, ...]
    statuses: tuple[int, ...]  # the vendor's rows (documented, and 429)
    validators: Mapping[int, Draft202012Validator]  # a lazy Validators, every explicit row
    envelope: Validators  # {"envelope": the shared error envelope's schema}, lazy
    examples: Mapping[str, Example]  # the vendor's rows' examples (servable by Prefer)
    errors: Mapping[int, ErrorTemplate]  # the vendor's rows
    mock_errors: Mapping[int, ErrorTemplate]  # the mock-only rows (404, 405, 413, ...)
    summary_fields: tuple[str, ...]
    json_text: str = field(repr=False)

    @property
    def vendor_raw(self) -> dict[str, Any]:
        """The spec without its mock-only rows: what a real server is checked against."""
        return vendor_spec(self.raw)

    @property
    def envelope_validator(self) -> Draft202012Validator:
        return self.envelope["envelope"]

    @property
    def route(self) -> str:
        return self.base_path + self.path_template

    def example_for(self, status: int) -> Example:
        for example in self.examples.values():
            if example.status == status:
                return example
        raise KeyError(status)


def _resolve(node: Any, root: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline local ``$ref``s (the spec uses only ``#/...`` references)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/") or ref in seen:
                raise ContractError(f"unsupported or cyclic $ref {ref!r}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _resolve(merged, root, (*seen, ref))
        return {k: _resolve(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, seen) for v in node]
    return node


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _compile_integer_rule(
    name: str, schema: Mapping[str, Any]
) -> tuple[str, Callable[[int], bool]]:
    if schema.get("type") != "integer":
        raise ContractError(f"query parameter {name!r}: only integer parameters are supported")
    lo, hi = schema.get("minimum"), schema.get("maximum")
    known = {"type", "minimum", "maximum", "description", "default"}
    if set(schema) - known:
        # Keywords without a fast path: fall back to the compiled JSON Schema validator.
        validator = _validator(schema)
        return f"an integer matching {json.dumps(schema)}", validator.is_valid
    if lo is not None and hi is not None:
        return f"an integer from {lo} to {hi}", lambda v: lo <= v <= hi
    if lo is not None:
        return f"an integer of at least {lo}", lambda v: v >= lo
    if hi is not None:
        return f"an integer of at most {hi}", lambda v: v <= hi
    return "an integer", lambda v: True


def _pinned(schema: Mapping[str, Any], prop: str) -> Any:
    """The ``const`` a (possibly allOf-composed) envelope schema pins on ``error.<prop>``."""
    for part in [schema, *schema.get("allOf", [])]:
        value = part.get("properties", {}).get("error", {}).get("properties", {}).get(prop, {})
        if "const" in value:
            return value["const"]
    return None


MOCK_ONLY = "x-mock-only"  # marks a response row the vendor's document does not have


def vendor_spec(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` whose operations keep only the vendor's response rows."""
    spec = copy.deepcopy(dict(raw))
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and isinstance(op.get("responses"), dict):
                op["responses"] = {status: r for status, r in op["responses"].items()
                                   if not (isinstance(r, dict) and r.get(MOCK_ONLY) is True)}
    return spec


def _template(status: int, schema: Mapping[str, Any], first: Mapping[str, Any]) -> ErrorTemplate:
    return ErrorTemplate(
        status=status,
        code=_pinned(schema, "code") or first["code"],
        type=_pinned(schema, "type") or first["type"],
        message=first["message"],
        system_message=first["system_message"],
    )


def load_spec(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
        is_yaml = str(path).endswith((".yaml", ".yml"))
        data = yaml.load(text, Loader=YAML_LOADER) if is_yaml else json.loads(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ContractError(f"cannot read spec {path}: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict) or "paths" not in data:
        raise ContractError(f"{path} is not an OpenAPI document (no 'paths')")
    return data


def compile_contract(raw: dict[str, Any], *, validate: bool = True) -> Contract:
    """``validate``: check every schema, and every example against its schema, now (else
    only when a validator is first used)."""
    try:
        return _compile(raw, validate)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ContractError(f"spec lacks what the mock needs: {exc!r}") from None


def _find_operation(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    for path, item in raw["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == OPERATION_ID:
                if method != "get":
                    raise ContractError(f"{OPERATION_ID} must be a GET operation")
                return path, op
    raise ContractError(f"the spec has no operation {OPERATION_ID!r}")


def _compile(raw: dict[str, Any], validate: bool) -> Contract:
    resolved = _resolve(copy.deepcopy(raw), raw)
    path, op = _find_operation(resolved)
    base_path = urlsplit(resolved.get("servers", [{"url": "/"}])[0]["url"]).path.rstrip("/")

    path_params = [p for p in op.get("parameters", []) if p["in"] == "path"]
    if len(path_params) != 1:
        raise ContractError("the summary operation must have exactly one path parameter")
    query: list[QueryParam] = []
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        rule, check = _compile_integer_rule(p["name"], p["schema"])
        query.append(QueryParam(p["name"], rule, check, p.get("x-default-from-clock")))

    schemes = resolved.get("components", {}).get("securitySchemes", {})
    requirements = op.get("security", resolved.get("security", []))
    key_headers = tuple(
        schemes[name]["name"]
        for req in requirements
        for name in req
        if schemes[name].get("type") == "apiKey" and schemes[name].get("in") == "header"
    )
    if not key_headers:
        raise ContractError("the spec declares no API-key header")

    schemas: dict[int, Mapping[str, Any]] = {}
    examples: dict[str, Example] = {}
    mock_examples: dict[str, Example] = {}
    errors: dict[int, ErrorTemplate] = {}
    mock_errors: dict[int, ErrorTemplate] = {}
    statuses: list[int] = []
    for status_text, response in op["responses"].items():
        mock_only = response.get(MOCK_ONLY) is True
        media = response["content"]["application/json"]
        schema = media["schema"]
        for name, ex in media.get("examples", {}).items():
            if name in examples or name in mock_examples:
                raise ContractError(f"example name {name!r} is used twice")
            # A `default` row's examples carry their status in the body.
            status = int(ex["value"]["error"]["status"] if status_text == "default"
                         else status_text)
            (mock_examples if mock_only else examples)[name] = Example(name, status, ex["value"])
            schemas.setdefault(status, schema)
            if status >= 400 and status not in errors and status not in mock_errors:
                (mock_errors if mock_only else errors)[status] = _template(
                    status, schema, ex["value"]["error"])
            if not mock_only and status not in statuses:
                statuses.append(status)
        if status_text != "default":
            schemas[int(status_text)] = schema
            if not mock_only and int(status_text) not in statuses:
                statuses.append(int(status_text))
    summary_schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = Validators({"envelope": resolved["components"]["schemas"]["ErrorEnvelope"]})
    validators = Validators(schemas)
    if validate:
        validators.compile_all()
        envelope.compile_all()
        for example in [*examples.values(), *mock_examples.values()]:
            problems = [e.message for e in validators[example.status].iter_errors(example.value)]
            if problems:
                raise ContractError(
                    f"example {example.name!r} violates its schema: {problems[0]}")
    return Contract(
        raw=raw,
        base_path=base_path,
        path_template=path,
        path_param=path_params[0]["name"],
        query_params=tuple(query),
        key_headers=key_headers,
        statuses=tuple(sorted(statuses)),
        validators=validators,
        envelope=envelope,
        examples=examples,
        errors=errors,
        mock_errors=mock_errors,
        summary_fields=tuple(summary_schema["required"]),
        json_text=json.dumps(raw, indent=2),
    )


def load_contract(path: Path, *, validate: bool | None = None) -> Contract:
    """``validate``: None (default) checks every spec but the bundled one."""
    if validate is None:
        validate = not is_bundled(path)
    return compile_contract(load_spec(path), validate=validate)
