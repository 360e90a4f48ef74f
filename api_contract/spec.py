"""Read the OpenAPI document and inline its local ``$ref``s: the spec as plain data."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from api_contract import yaml_input
from api_contract.resources import is_bundled
from api_contract.yaml_input import YamlRefused, bounded


class ContractError(Exception):
    """The spec cannot be read or lacks what the mock needs; the message is one short line."""

    def __init__(self, message: str) -> None:
        super().__init__(bounded(message))


def load_spec(path: Path) -> dict[str, Any]:
    """A user's spec is bounded like every YAML file a user brings (api_contract.yaml_input:
    size cap, no aliases); the bundled one is trusted."""
    try:
        text = yaml_input.read_text(path)
        is_yaml = str(path).endswith((".yaml", ".yml"))
        data = (yaml_input.load(text, trusted=is_bundled(path)) if is_yaml
                else json.loads(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError,
            YamlRefused, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise ContractError(f"cannot read spec {path}: {reason}") from None
    if not isinstance(data, dict) or "paths" not in data:
        raise ContractError(f"{path} is not an OpenAPI document (no 'paths')")
    return data


def resolve_refs(node: Any, root: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
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
            return resolve_refs(merged, root, (*seen, ref))
        return {k: resolve_refs(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_refs(v, root, seen) for v in node]
    return node


MOCK_ONLY = "x-mock-only"  # marks a response row the vendor's document does not have


def vendor_spec(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` whose operations keep only the vendor's response rows (what a real
    server is checked against): the rows marked ``x-mock-only: true`` are dropped."""
    spec = copy.deepcopy(dict(raw))
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and isinstance(op.get("responses"), dict):
                op["responses"] = {status: r for status, r in op["responses"].items()
                                   if not (isinstance(r, dict) and r.get(MOCK_ONLY) is True)}
    return spec
