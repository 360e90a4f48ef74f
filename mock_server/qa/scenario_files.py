"""Scenario files: read, validate against their JSON Schema (qa/scenario_schema.py),
compile to :class:`Scenario`; the catalog of every known scenario.

A bad file fails with one line naming the file, the line and the path of the bad value.

Built-in scenarios ship in ``fixtures/scenarios/``; ``--scenarios`` takes a file or a
built-in name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api_contract import yaml_input
from api_contract.contract import Contract
from api_contract.resources import YAML_LOADER, is_bundled
from api_contract.yaml_input import YamlRefused
from mock_server.foundation.clock import parse_instant
from mock_server.qa.ratelimit import RateLimit
from mock_server.qa.scenario_schema import (
    ANSWERS,
    ANSWERS_TEXT,
    NAME_PATTERN,
    ScenarioError,
    fail,
    schema_error,
)
from mock_server.qa.scenarios import STALL_MS, Fault, Match, Rule, Scenario, Usage


def _set(value: Any) -> Any:
    if value is None:
        return None
    return frozenset(value) if isinstance(value, list) else frozenset([value])


def _rule(raw: Mapping[str, Any], path: Path, root: yaml.Node | None, where: list[Any],
          contract: Contract, name: str) -> Rule:
    answers = [a for a in ANSWERS if a in raw]
    if not answers and "delay" not in raw:
        raise fail(path, root, where, f"a rule needs an action: delay, {ANSWERS_TEXT}")
    if len(answers) > 1:
        raise fail(path, root, [*where, answers[1]],
                    f"a rule answers with one of {ANSWERS_TEXT}, not with "
                    f"{' and '.join(answers)}")
    status = raw.get("error")
    if status is not None and status not in contract.errors:
        raise fail(path, root, [*where, "error"],
                    f"{status} is not a documented error (documented: "
                    f"{', '.join(str(s) for s in sorted(contract.errors))})")
    example = raw.get("example")
    if example is not None and example not in contract.examples:
        raise fail(path, root, [*where, "example"],
                    f"no example {example!r} in the spec (known: "
                    f"{', '.join(sorted(contract.examples))})")
    m = raw.get("match", {})
    if "at" in m and "every" not in m:
        raise fail(path, root, [*where, "match", "at"], "'at' needs 'every'")
    if "at" in m and m["at"] > m["every"]:
        raise fail(path, root, [*where, "match", "at"], "'at' must be at most 'every'")
    keys = m.get("key")
    headers = tuple((k, v) for k, v in m.get("header", {}).items())
    delay = raw.get("delay")
    if isinstance(delay, int):
        delay = (delay, delay)
    elif isinstance(delay, dict):
        if delay["min"] > delay["max"]:
            raise fail(path, root, [*where, "delay"], "min must not exceed max")
        delay = (delay["min"], delay["max"])
    fault = raw.get("fault")
    if isinstance(fault, str):
        fault = Fault(fault)
    elif isinstance(fault, dict):
        fault = Fault(fault["type"], fault.get("stall_ms", STALL_MS))
    rate = raw.get("rate_limit")
    usage = raw.get("usage")
    if usage is not None:
        created = usage.get("created")
        try:
            created_at = parse_instant(created) if created else None
        except ValueError:
            raise fail(path, root, [*where, "usage", "created"],
                        f"not an ISO-8601 instant: {created!r}") from None
        usage = Usage(scale=float(usage.get("scale", 1.0)), created=created_at,
                      created_day=usage.get("created_day"))
    return Rule(
        match=Match(
            orgs=_set(m.get("org")),
            keys=None if keys is None else tuple(keys if isinstance(keys, list) else [keys]),
            years=_set(m.get("year")),
            months=_set(m.get("month")),
            headers=headers,
            every=m.get("every"),
            at=m.get("at"),
        ),
        delay=delay,
        status=status,
        example=example,
        fault=fault,
        rate_limit=RateLimit.parse(rate, name) if rate and rate != "exhausted" else None,
        exhausted=rate == "exhausted",
        usage=usage,
    )


def load_scenario(path: Path, contract: Contract, *, validate: bool | None = None) -> Scenario:
    """``validate``: None (default) checks every file against the JSON Schema but the
    built-in ones (``resources.is_bundled``); the compile step's own checks always run."""
    path = Path(path)
    trusted = is_bundled(path)
    if validate is None:
        validate = not trusted
    try:
        text = yaml_input.read_text(path)
    except (OSError, UnicodeDecodeError, YamlRefused) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        raise ScenarioError(f"cannot read scenario file {path}: {reason}") from None
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)  # aliases are shared nodes here
        if not trusted:
            yaml_input.refuse_alias_bombs(text, root)  # before anything expands them
        data = yaml_input.load(text, trusted=True)  # counted just above
    except YamlRefused as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}{at}: not valid YAML ({problem})") from None
    error = schema_error(path, root, data) if validate else None
    if error is not None:
        raise error
    name = data.get("name") or path.stem
    if not re.fullmatch(NAME_PATTERN, name):  # a stem is as free as a file name
        raise ScenarioError(f"{path}: {name[:64]!r} is not a scenario name (lower-case "
                            "letters, digits, '_', '.', '-'; at most 64): add name: to the file")
    rules = tuple(
        _rule(raw, path, root, ["rules", i], contract, name) for i, raw in enumerate(data["rules"])
    )
    return Scenario(name=name, description=data.get("description", "").strip(), rules=rules,
                    source=str(path))


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every known scenario by name; replaced as a whole on reload (never mutated)."""

    scenarios: Mapping[str, Scenario]
    files: tuple[Path, ...]  # user files (watched with --watch)

    def get(self, name: str) -> Scenario | None:
        return self.scenarios.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.scenarios


def builtin_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.yaml")) if Path(directory).is_dir() else []


def load_catalog(builtin_dir: Path, files: Iterable[Path], contract: Contract) -> Catalog:
    """Built-ins first, then the user's files; a user file may shadow a built-in name,
    two user files may not share one."""
    scenarios: dict[str, Scenario] = {}
    for path in builtin_files(builtin_dir):
        s = load_scenario(path, contract)
        scenarios[s.name] = s
    seen: dict[str, Path] = {}
    user = tuple(Path(f) for f in files)
    for path in user:
        s = load_scenario(path, contract)
        if s.name in seen:
            raise ScenarioError(f"{path}: scenario name {s.name!r} is already used by "
                                f"{seen[s.name]}")
        seen[s.name] = path
        scenarios[s.name] = s
    return Catalog(scenarios, user)


def resolve(spec: str, builtin_dir: Path) -> tuple[Path | None, str]:
    """``--scenarios`` value -> (file to load or None for a built-in, scenario name)."""
    candidate = Path(spec)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists() or "/" in spec:
        return candidate, ""
    builtin = Path(builtin_dir) / f"{spec}.yaml"
    if builtin.is_file():
        return None, spec
    known = ", ".join(p.stem for p in builtin_files(builtin_dir))
    raise ScenarioError(f"--scenarios {spec!r}: no such file or built-in scenario "
                        f"(built-ins: {known})")
