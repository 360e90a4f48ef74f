"""Specs other than the bundled one: a second contract (snake_case.yaml, the vendor's later
version with one required field added) and broken ones made from the bundled spec."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from api_contract.resources import default_spec_path

SNAKE_CASE = Path(__file__).resolve().parent / "snake_case.yaml"
OPERATION = ("paths", "/analytics/api-keys/summary/{org_id}", "get")


def bundled() -> dict[str, Any]:
    return yaml.safe_load(default_spec_path().read_text())


def mutate(directory: Path, change: Callable[[dict[str, Any]], object],
           name: str = "openapi.yaml") -> Path:
    """The bundled spec with ``change`` applied, written to ``directory/name``."""
    doc = bundled()
    change(doc)
    path = directory / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]["ApiKeyUsageSummary"]["properties"]


def _documented(doc: dict[str, Any]) -> dict[str, Any]:
    op = doc
    for part in OPERATION:
        op = op[part]
    return op["responses"]["200"]["content"]["application/json"]["examples"]["documented"]


# kind -> (the change, what the one line says)
BROKEN: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "no-operation": (lambda d: d["paths"].clear() or d["paths"].update({"/other": {}}),
                     "no operation 'getApiKeyUsageSummary'"),
    "meaning-missing": (lambda d: _summary(d)["totalNeurons"].pop("x-meaning"),
                        "no summary property declares x-meaning 'neurons'"),
    "meaning-wrong-type": (lambda d: _summary(d)["totalApiKeyCost"].update(type="string"),
                           "'totalApiKeyCost' \\(x-meaning 'cost'\\) must be of type 'number'"),
    "example-contradicts": (lambda d: _documented(d)["value"].update(totalApiKeyRequests="many"),
                            "example 'documented' violates its schema"),
}


def broken_spec(directory: Path, kind: str) -> tuple[Path, str]:
    """A spec broken in the way ``kind`` says, and a regex of what its one line says."""
    change, needle = BROKEN[kind]
    return mutate(directory, change, f"broken-{kind}.yaml"), needle


OLD_NAMES_BODY = {  # a canned body written for the bundled spec's field names
    "organization_id": "org_abc123", "month": 11, "year": 2025,
    "totalApiKeyRequests": 4, "totalApiKeyCost": 1.0, "averageCostPerRequest": 0.25,
    "total_synapses": 2000.0, "totalNeurons": 40.0, "generatedAt": "2025-12-01T00:00:00Z",
}


def old_names_fixtures(directory: Path) -> Path:
    """A fixtures directory whose canned summary has the bundled spec's field names."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "keys.yaml").write_text("keys:\n  - {key: mock-key-abc123, org: org_abc123}\n")
    (directory / "summaries.yaml").write_text(yaml.safe_dump({"summaries": [
        {"org": "org_abc123", "year": 2025, "month": 11, "body": OLD_NAMES_BODY}]}))
    return directory
