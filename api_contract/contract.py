"""Compile ``spec/openapi.yaml`` into the rules the mock applies and the kit checks.

Everything the mock knows about the API comes from here: the route, the parameters and their
rules, the key headers, the response schemas and the named examples. The spec is walked
once, at start-up; requests only touch the compiled :class:`Contract`.

The schemas become validators on first use (:mod:`api_contract.validators`). Validation
(every schema, and every example against its schema, up front) runs for any spec but the
bundled one, which the test suite checks (``api_contract.resources.is_bundled``).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from api_contract.fields import (
    COST,
    MONTH,
    NEURONS,
    REQUESTS,
    SYNAPSES,
    YEAR,
    SummaryFields,
    compile_fields,
)
from api_contract.resources import is_bundled
from api_contract.rules import (
    ErrorTemplate,
    Example,
    QueryParam,
    compile_integer_rule,
    error_template,
)
from api_contract.spec import MOCK_ONLY, ContractError, load_spec, resolve_refs, vendor_spec
from api_contract.validators import Validators

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

__all__ = ["OPERATION_ID", "Contract", "ContractError", "ErrorTemplate", "Example",
           "QueryParam", "compile_contract", "load_contract", "load_spec", "vendor_spec"]

OPERATION_ID = "getApiKeyUsageSummary"


@dataclass(frozen=True, slots=True)
class Contract:
    raw: Mapping[str, Any]
    base_path: str
    path_template: str
    path_param: str
    query_params: tuple[QueryParam, ...]
    key_headers: tuple[str, ...]
    statuses: tuple[int, ...]  # the vendor's rows (the document's, and 429)
    validators: Mapping[int, Draft202012Validator]  # a lazy Validators, for every row
    envelope: Validators  # {"envelope": the shared error envelope's schema}, lazy
    examples: Mapping[str, Example]  # the vendor's rows' examples (what Prefer can ask for)
    errors: Mapping[int, ErrorTemplate]  # the vendor's rows
    mock_errors: Mapping[int, ErrorTemplate]  # the mock-only rows (404, 405, 413, 414, ...)
    summary_fields: tuple[str, ...]  # the required properties of the summary
    fields: SummaryFields  # which property means what (x-meaning), the others' values
    clock_params: Mapping[str, str]  # "year" / "month" -> the query parameter giving it
    usage_example: Example  # the first 200 example with usage: what the generator imitates
    json_text: str = field(repr=False)
    source: str = "the spec"  # where it was read from, for messages

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


def compile_contract(raw: dict[str, Any], *, validate: bool = True) -> Contract:
    """``validate``: check every schema, and every example against its schema, now (else
    only when a validator is first used)."""
    try:
        return _compile(raw, validate)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
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
    resolved = resolve_refs(copy.deepcopy(raw), raw)
    path, op = _find_operation(resolved)
    base_path = urlsplit(resolved.get("servers", [{"url": "/"}])[0]["url"]).path.rstrip("/")

    path_params = [p for p in op.get("parameters", []) if p["in"] == "path"]
    if len(path_params) != 1:
        raise ContractError("the summary operation must have exactly one path parameter")
    query: list[QueryParam] = []
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        rule, check = compile_integer_rule(p["name"], p["schema"])
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
    statuses: set[int] = set()
    for status_text, response in op["responses"].items():
        # Mock-only rows (x-mock-only) give the mock its templates for statuses the
        # document lacks; they are not servable examples, nor statuses Prefer can ask for.
        mock_only = response.get(MOCK_ONLY) is True
        media = response["content"]["application/json"]
        schema = media["schema"]
        if status_text != "default":
            schemas[int(status_text)] = schema
            if not mock_only:
                statuses.add(int(status_text))
        for name, ex in media.get("examples", {}).items():
            if name in examples or name in mock_examples:
                raise ContractError(f"example name {name!r} is used twice")
            # A `default` row's examples carry their status in the body.
            status = int(ex["value"]["error"]["status"] if status_text == "default"
                         else status_text)
            (mock_examples if mock_only else examples)[name] = Example(name, status, ex["value"])
            schemas.setdefault(status, schema)
            if not mock_only:
                statuses.add(status)
            templates = mock_errors if mock_only else errors
            if status >= 400 and status not in templates:
                templates[status] = error_template(status, schema, ex["value"]["error"])
    if 200 not in schemas:
        raise ContractError(f"{OPERATION_ID} has no 200 response (the summary)")
    summary_schema = schemas[200]
    fields = compile_fields(summary_schema)
    clock_params = {q.default_from_clock or q.name: q.name for q in query}
    absent = [role for role in (YEAR, MONTH) if role not in clock_params]
    if absent:
        raise ContractError(f"{OPERATION_ID} has no query parameter for the "
                            f"{' and the '.join(absent)} (x-default-from-clock)")
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
        _check_filled(fields, summary_schema)
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
        summary_fields=tuple(summary_schema.get("required", ())),
        fields=fields,
        clock_params=clock_params,
        usage_example=_usage_example(examples.values(), fields),
        json_text=json.dumps(raw, indent=2),
    )


def _usage_example(examples: Any, fields: SummaryFields) -> Example:
    """The first 200 example with requests and neurons above 0: the generator calibrates
    its numbers (cost per neuron, neurons per request, synapses per neuron) on it."""
    for example in examples:
        if example.status != 200 or not isinstance(example.value, dict):
            continue
        values = fields.values(example.value)
        numbers = [values.get(m) for m in (REQUESTS, NEURONS, COST, SYNAPSES, YEAR, MONTH)]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers) \
                and values[REQUESTS] > 0 and values[NEURONS] > 0:
            return example
    raise ContractError(f"{OPERATION_ID}'s 200 response has no example with requests and "
                        "neurons above 0 (the mock's generator imitates one)")


def _check_filled(fields: SummaryFields, schema: Mapping[str, Any]) -> None:
    """The values served for the properties without a meaning keep their schemas."""
    from api_contract.validators import compile_schema

    for name, value in fields.filled.items():
        problem = next(iter(compile_schema(schema["properties"][name]).iter_errors(value)), None)
        if problem is not None:
            raise ContractError(f"summary property {name!r} has no x-meaning and the value "
                                f"made from its schema ({value!r}) breaks it: "
                                f"{problem.message}; give it an example")


_CHECKED: set[str] = set()  # digests of spec documents whose checks passed in this process


def load_contract(path: Path, *, validate: bool | None = None) -> Contract:
    """``validate``: None (default) checks every spec but the bundled one (once per
    document in a process: the checks are a pure function of it)."""
    if validate is None:
        validate = not is_bundled(path)
    raw = load_spec(path)  # (its errors name the file already)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()
                            ).hexdigest() if validate else ""
    try:
        contract = compile_contract(raw, validate=validate and digest not in _CHECKED)
        if validate:
            _CHECKED.add(digest)
    except ContractError as exc:
        raise ContractError(f"spec {path}: {exc}") from None
    return dataclasses.replace(contract, source=str(path))
