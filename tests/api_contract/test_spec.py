"""The spec itself: valid OpenAPI 3.1, and saying what the document says."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from api_contract.contract import load_contract, vendor_spec
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


VENDOR_STATUSES = (200, 400, 401, 403, 429, 500)
MOCK_ONLY_ROWS = {"404", "405", "408", "414", "421", "431", "503", "default"}


def responses(spec: dict) -> dict:
    return spec["paths"]["/analytics/api-keys/summary/{org_id}"]["get"]["responses"]


def test_each_error_schema_is_the_envelope_narrowed() -> None:
    """Written out per status (no allOf, for the client generators), each error schema must
    still be the shared envelope with only code, type and status pinned by a const."""
    c = load_contract(default_spec_path())
    envelope = c.envelope_validator.schema
    detail = envelope["properties"]["error"]
    statuses = [int(k) for k in responses(raw_spec()) if k not in ("200", "default")]
    assert len(statuses) == 12
    for status in statuses:  # (`default` is the envelope itself)
        schema = c.validators[status].schema
        assert schema["required"] == envelope["required"], status
        assert schema["properties"]["success"] == envelope["properties"]["success"], status
        narrowed = schema["properties"]["error"]
        assert narrowed["required"] == detail["required"], status
        assert narrowed["properties"].keys() == detail["properties"].keys(), status
        for name, prop in narrowed["properties"].items():
            base = detail["properties"][name]
            if name in ("code", "type", "status"):
                assert prop["type"] == base["type"] and "const" in prop, (status, name)
            else:
                assert prop == base, (status, name)
        assert narrowed["properties"]["status"]["const"] == status


def test_mock_only_rows_are_marked_and_left_out_of_the_vendor_contract() -> None:
    c = load_contract(default_spec_path())
    spec = raw_spec()
    rows = responses(spec)
    marked = {k for k, r in rows.items() if r.get("x-mock-only") is True}
    assert marked == MOCK_ONLY_ROWS
    assert all(rows[k]["description"].startswith("Mock-only") for k in marked)
    vendor = responses(vendor_spec(spec))
    assert set(vendor) == {str(s) for s in VENDOR_STATUSES}
    assert all(vendor[k] == rows[k] for k in vendor)  # the vendor's rows are untouched
    assert responses(c.vendor_raw) == vendor
    assert c.statuses == VENDOR_STATUSES
    assert set(c.errors) == set(VENDOR_STATUSES) - {200}
    assert set(c.mock_errors) == {404, 405, 408, 413, 414, 421, 431, 502, 503, 504}
    assert set(c.examples).isdisjoint(
        name for k in marked for name in rows[k]["content"]["application/json"]["examples"])


def test_every_row_declares_the_request_id_header() -> None:
    for status, row in responses(raw_spec()).items():
        assert row["headers"]["X-Request-ID"] == {"$ref": "#/components/headers/RequestId"}, \
            status
