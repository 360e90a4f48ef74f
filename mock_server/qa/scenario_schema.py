"""The shape of a scenario file (a JSON Schema), and its one-line errors.

``SCENARIO_SCHEMA`` says what a file may hold; :func:`schema_error` checks a document
against it (jsonschema, imported only when a file is checked) and :func:`fail` names the
file, the line and the path of a bad value, for the schema's errors and the compile step's
(qa/scenario_files.py) alike::

    slow.yaml line 4: rules/0/delay: -5 is less than the minimum of 0
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from api_contract.yaml_input import bounded
from mock_server.config import MAX_DELAY_MS
from mock_server.foundation.syntax import PERIODS
from mock_server.qa.scenarios import FAULTS

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

NAME_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,63}$"  # a name goes into URLs, headers and the UI
_RATE = r"^[0-9]+/(" + "|".join(PERIODS) + r")$"


def _one_or_many(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "array", "minItems": 1, "items": schema}]}


_MS = {"type": "integer", "minimum": 0, "maximum": MAX_DELAY_MS}

SCENARIO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["rules"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": NAME_PATTERN},
        "description": {"type": "string"},
        "rules": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/rule"}},
    },
    "$defs": {
        "rule": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "description": {"type": "string"},
                "match": {"$ref": "#/$defs/match"},
                "delay": {"oneOf": [_MS, {
                    "type": "object", "required": ["min", "max"], "additionalProperties": False,
                    "properties": {"min": _MS, "max": _MS},
                }]},
                "error": {"type": "integer", "minimum": 400, "maximum": 599},
                "example": {"type": "string"},
                "fault": {"oneOf": [{"enum": list(FAULTS)}, {
                    "type": "object", "required": ["type"], "additionalProperties": False,
                    "properties": {"type": {"enum": list(FAULTS)}, "stall_ms": _MS},
                }]},
                "rate_limit": {"oneOf": [{"const": "exhausted"},
                                         {"type": "string", "pattern": _RATE}]},
                "usage": {
                    "type": "object", "minProperties": 1, "additionalProperties": False,
                    "properties": {
                        "scale": {"type": "number", "minimum": 0, "maximum": 1e7},
                        "created": {"type": "string", "format": "date-time"},
                        "created_day": {"type": "integer", "minimum": 1, "maximum": 31},
                    },
                },
            },
        },
        "match": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "org": _one_or_many({"type": "string", "minLength": 1}),
                "key": _one_or_many({"type": "string", "minLength": 1}),
                "year": _one_or_many({"type": "integer"}),
                "month": _one_or_many({"type": "integer", "minimum": 1, "maximum": 12}),
                "header": {"type": "object", "minProperties": 1,
                           "additionalProperties": {"type": ["string", "null"]}},
                "every": {"type": "integer", "minimum": 1},
                "at": {"type": "integer", "minimum": 1},
            },
        },
    },
}
ANSWERS = ("error", "example", "fault", "rate_limit", "usage")
ANSWERS_TEXT = "error, example, fault, rate_limit or usage"


class ScenarioError(Exception):
    """A scenario file is unreadable or invalid; the message is one short line."""

    def __init__(self, message: str) -> None:
        super().__init__(bounded(message))


def _line(node: yaml.Node | None, path: Iterable[Any]) -> int | None:
    """1-based line of the value at ``path`` in a composed YAML document."""
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            break
        if node is None:
            return None
    return None if node is None else node.start_mark.line + 1


def fail(path: Path, root: yaml.Node | None, where: list[Any], message: str) -> ScenarioError:
    line = _line(root, where)
    at = f" line {line}" if line else ""
    shown = "/".join(str(p) for p in where) or "(top level)"
    return ScenarioError(f"{path}{at}: {shown}: {message}")


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # imported when a file is checked, not before

    return Draft202012Validator(SCENARIO_SCHEMA)


def schema_error(path: Path, root: yaml.Node | None, data: Any) -> ScenarioError | None:
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(data))
    if error is None:
        return None
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        where += [k for k in error.instance if k not in known][:1]
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return fail(path, root, where, message)
