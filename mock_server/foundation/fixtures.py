"""Fixture files: the API keys (``keys.yaml``) and canned summaries (``summaries.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api_contract import yaml_input
from api_contract.contract import Contract
from api_contract.invariants import drift
from api_contract.resources import is_bundled
from api_contract.yaml_input import YamlRefused, bounded

KEYS_SCHEMA = {
    "type": "object",
    "required": ["keys"],
    "additionalProperties": False,
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "org"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "minLength": 1},
                    "org": {"type": "string", "minLength": 1},
                    "label": {"type": "string"},
                },
            },
        }
    },
}

SUMMARIES_SCHEMA = {
    "type": "object",
    "required": ["summaries"],
    "additionalProperties": False,
    "properties": {
        "summaries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["org", "year", "month"],
                "additionalProperties": False,
                "oneOf": [{"required": ["example"]}, {"required": ["body"]}],
                "properties": {
                    "org": {"type": "string", "minLength": 1},
                    "year": {"type": "integer"},
                    "month": {"type": "integer", "minimum": 1, "maximum": 12},
                    "example": {"type": "string"},
                    "body": {"type": "object"},
                },
            },
        }
    },
}


class FixtureError(Exception):
    """A fixture file is missing, unreadable or invalid; the message is one short line."""

    def __init__(self, message: str) -> None:
        super().__init__(bounded(message))


@dataclass(frozen=True, slots=True)
class Fixtures:
    keys: tuple[tuple[str, str], ...]
    canned: dict[tuple[str, int, int], dict[str, Any]]


def _read(path: Path, schema: dict[str, Any], validate: bool = True) -> dict[str, Any]:
    """``validate`` False: a bundled file, trusted (no schema check, no alias scan)."""
    try:
        data = yaml_input.load(yaml_input.read_text(path), trusted=not validate)
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"cannot read fixtures file {path}: {exc.__class__.__name__}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from None
    except YamlRefused as exc:
        raise FixtureError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise FixtureError(f"{path}{where}: not valid YAML "
                           f"({getattr(exc, 'problem', exc)})") from None
    if not validate:
        return data
    from jsonschema import Draft202012Validator  # only when checking (start-up cost)

    error = next(iter(Draft202012Validator(schema).iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise FixtureError(f"{path}: {where}: {error.message}")
    return data


def read_document(path: Path, schema: dict[str, Any]) -> dict[str, Any]:
    """A fixture file a user brings, checked against ``schema``; raises FixtureError."""
    return _read(path, schema, validate=True)


def load_fixtures(directory: Path, contract: Contract, *,
                  validate: bool | None = None) -> Fixtures:
    """``validate``: None (default) checks every fixtures directory but the bundled one.
    The canned summaries are checked against the spec unless both are the bundled ones (the
    test suite checks those): bundled fixtures under another spec are checked too."""
    directory = Path(directory)
    if validate is None:
        validate = not is_bundled(directory)
    check_bodies = validate or not is_bundled(Path(contract.source))
    if not directory.is_dir():
        raise FixtureError(f"fixtures directory {directory} does not exist")
    keys_doc = _read(directory / "keys.yaml", KEYS_SCHEMA, validate)
    keys = tuple((k["key"], k["org"]) for k in keys_doc["keys"])
    canned: dict[tuple[str, int, int], dict[str, Any]] = {}
    summaries_path = directory / "summaries.yaml"
    if summaries_path.exists():
        for i, item in enumerate(_read(summaries_path, SUMMARIES_SCHEMA, validate)["summaries"]):
            if "example" in item:
                example = contract.examples.get(item["example"])
                if example is None or example.status != 200:
                    raise FixtureError(
                        f"{summaries_path}: summaries/{i}: no 200 example named "
                        f"{item['example']!r} in spec {contract.source}")
                body = dict(example.value)
            else:
                body = dict(item["body"])
            if check_bodies:
                check_body(contract, body, f"{summaries_path}: summaries/{i}")
            canned[(item["org"], item["year"], item["month"])] = body
    return Fixtures(keys=keys, canned=canned)


def check_body(contract: Contract, body: dict[str, Any], where: str) -> None:
    """A canned body has the spec's field names (all named if not) and keeps its schema."""
    schema = contract.validators[200].schema
    names = drift("the summary", schema, body, strict=True)
    if names is not None:
        raise FixtureError(f"{where}: written for other field names than spec "
                           f"{contract.source}: {names[1]}")
    problem = next(iter(contract.validators[200].iter_errors(body)), None)
    if problem is not None:
        raise FixtureError(f"{where}: {problem.message}")


def read_keys(directory: Path) -> list[dict[str, str]]:
    """The entries of ``keys.yaml`` as written (key, org and optional label), validated
    unless bundled."""
    path = Path(directory) / "keys.yaml"
    return list(_read(path, KEYS_SCHEMA, validate=not is_bundled(path))["keys"])
