"""The spec itself: valid OpenAPI 3.1, and saying what the document says."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from api_contract.contract import load_contract
from api_contract.resources import default_fixtures_dir, default_spec_path

from helpers import DOCUMENTED_ERRORS

DOC_FIELDS = [
    "organization_id", "month", "year", "totalApiKeyRequests", "totalApiKeyCost",
    "averageCostPerRequest", "total_synapses", "totalNeurons", "generatedAt",
]


def raw_spec() -> dict:
    return yaml.safe_load(default_spec_path().read_text())


def test_spec_is_valid_openapi_31() -> None:
    spec = raw_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_spec_and_fixtures_ship_with_the_installed_package() -> None:
    assert default_spec_path().is_file()
    assert (default_fixtures_dir() / "keys.yaml").is_file()


def test_route_server_and_parameters() -> None:
    c = load_contract(default_spec_path())
    assert raw_spec()["servers"][0]["url"] == "https://api.aitronos.com/v1"
    assert c.route == "/v1/analytics/api-keys/summary/{org_id}"
    assert [(q.name, q.rule) for q in c.query_params] == [
        ("year", "an integer from 2020 to 2030"),
        ("month", "an integer from 1 to 12"),
    ]
    op = raw_spec()["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]
    org = next(p for p in op["parameters"] if p["name"] == "org_id")
    assert org["required"] is True and org["schema"] == {"type": "string"}
    assert all(not p.get("required") for p in op["parameters"] if p["in"] == "query")
    assert c.key_headers == ("X-API-Key", "Api-Key")


def test_summary_schema_keeps_the_documents_mixed_casing() -> None:
    c = load_contract(default_spec_path())
    assert list(c.summary_fields) == DOC_FIELDS
    snake = {**c.examples["documented"].value}
    snake["total_api_key_requests"] = snake.pop("totalApiKeyRequests")
    assert not c.validators[200].is_valid(snake)
    assert "QUIRK" in default_spec_path().read_text()


def test_documented_example_is_the_documents() -> None:
    c = load_contract(default_spec_path())
    assert c.examples["documented"].value == {
        "organization_id": "org_abc123", "month": 11, "year": 2025,
        "totalApiKeyRequests": 25000, "totalApiKeyCost": 6250.0,
        "averageCostPerRequest": 0.25, "total_synapses": 12500000.0,
        "totalNeurons": 250000.0, "generatedAt": "2025-11-15T10:30:00Z",
    }


def test_each_error_pins_code_and_type() -> None:
    c = load_contract(default_spec_path())
    for status, (code, kind) in DOCUMENTED_ERRORS.items():
        tpl = c.errors[status]
        assert (tpl.code, tpl.type) == (code, kind)
        example = c.example_for(status).value
        wrong = {**example, "error": {**example["error"], "code": "SOMETHING_ELSE"}}
        assert c.validators[status].is_valid(example)
        assert not c.validators[status].is_valid(wrong)
        wrong_status = {**example, "error": {**example["error"], "status": 418}}
        assert not c.validators[status].is_valid(wrong_status)


def test_error_envelope_requires_all_seven_fields() -> None:
    c = load_contract(default_spec_path())
    example = c.example_for(401).value
    for field in example["error"]:
        broken = {**example, "error": {k: v for k, v in example["error"].items() if k != field}}
        assert not c.envelope_validator.is_valid(broken), field
    assert not c.envelope_validator.is_valid({**example, "success": True})
