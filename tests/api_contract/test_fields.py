"""The field map (x-meaning): compiled from the spec, and a spec that breaks it refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api_contract.contract import ContractError, load_contract
from api_contract.fields import MEANINGS, schema_value
from api_contract.resources import default_spec_path

from specs import SNAKE_CASE, broken_spec, mutate

BUNDLED = {
    "organization": "organization_id", "month": "month", "year": "year",
    "requests": "totalApiKeyRequests", "cost": "totalApiKeyCost",
    "average": "averageCostPerRequest", "synapses": "total_synapses",
    "neurons": "totalNeurons", "generated": "generatedAt",
}


def test_the_bundled_spec_declares_every_meaning_once() -> None:
    c = load_contract(default_spec_path(), validate=True)
    assert dict(c.fields.names) == BUNDLED
    assert c.fields.order == c.summary_fields  # every property, in the spec's order
    assert not c.fields.filled
    assert c.usage_example.name == "documented"
    assert dict(c.clock_params) == {"year": "year", "month": "month"}


def test_the_second_spec_renames_every_field_and_adds_one() -> None:
    c = load_contract(SNAKE_CASE)
    assert set(c.fields.names) == set(MEANINGS)
    assert not set(c.fields.names.values()) & set(BUNDLED.values())
    assert dict(c.fields.filled) == {"currency": "CHF"}
    assert "currency" in c.summary_fields
    body = c.fields.body({m: 1 for m in MEANINGS})
    assert list(body) == list(c.fields.order) and body["currency"] == "CHF"


@pytest.mark.parametrize(("schema", "value"), [
    ({"type": "string", "const": "CHF"}, "CHF"),
    ({"type": "string", "enum": ["EUR", "CHF"]}, "EUR"),
    ({"type": "string", "example": "x-1"}, "x-1"),
    ({"type": "integer", "examples": [7, 8]}, 7),
    ({"type": "boolean", "default": True}, True),
    ({"type": "integer", "minimum": 3, "maximum": 9}, 3),
    ({"type": "integer", "exclusiveMinimum": 3}, 4),
    ({"type": "number", "maximum": -2}, -2.0),
    ({"type": "string", "minLength": 2}, "xx"),
    ({"type": ["null", "boolean"]}, False),
    ({"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2}, [1, 1]),
    ({"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}}, {"a": 1}),
])
def test_a_property_without_meaning_is_served_from_its_schema(schema: dict[str, Any],
                                                               value: Any) -> None:
    got = schema_value(schema, "p")
    assert got == value and type(got) is type(value)


def test_a_property_with_nothing_to_serve_it_from_is_refused() -> None:
    with pytest.raises(ContractError, match="'p' has no meaning"):
        schema_value({"description": "?"}, "'p'")


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]["ApiKeyUsageSummary"]


def _example(doc: dict[str, Any]) -> dict[str, Any]:
    op = doc["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]
    return op["responses"]["200"]["content"]["application/json"]["examples"]["documented"]


@pytest.mark.parametrize(("change", "needle"), [
    (lambda d: _summary(d)["properties"]["totalApiKeyCost"].pop("x-meaning"),
     "no summary property declares x-meaning 'cost'"),
    (lambda d: _summary(d)["properties"]["totalApiKeyCost"].update({"x-meaning": "price"}),
     "unknown x-meaning 'price'"),
    (lambda d: _summary(d)["properties"]["totalNeurons"].update({"x-meaning": "synapses"}),
     "x-meaning 'synapses' is declared twice"),
    (lambda d: _summary(d)["properties"]["totalApiKeyRequests"].update({"type": "string"}),
     "'totalApiKeyRequests' (x-meaning 'requests') must be of type 'integer'"),
    (lambda d: _summary(d)["properties"]["generatedAt"].pop("format"),
     "must be of type 'string' with format 'date-time'"),
    (lambda d: _summary(d)["properties"].update(
        {"region": {"type": "string", "pattern": "^[a-z]{2}$"}}),
     "'region' has no x-meaning and the value made from its schema"),
    (lambda d: d["paths"]["/analytics/api-keys/summary/{org_id}"]["get"].update(
        {"operationId": "getSomethingElse"}), "no operation 'getApiKeyUsageSummary'"),
    (lambda d: _example(d)["value"].update(totalApiKeyRequests=0),
     "no example with requests and neurons above 0"),
    (lambda d: d["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]["parameters"][2].update(
        {"name": "m", "x-default-from-clock": None}), "no query parameter for the month"),
])
def test_a_spec_that_cannot_drive_the_mock_is_one_line(tmp_path: Path, change: Any,
                                                      needle: str) -> None:
    path = mutate(tmp_path, change)
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    message = str(caught.value)
    assert needle in message and str(path) in message and "\n" not in message


@pytest.mark.parametrize("kind", ["no-operation", "meaning-missing", "meaning-wrong-type",
                                  "example-contradicts"])
def test_each_broken_spec_kind_is_refused(tmp_path: Path, kind: str) -> None:
    path, needle = broken_spec(tmp_path, kind)
    with pytest.raises(ContractError, match=needle):
        load_contract(path)
