"""The layout's import rules: imports point down only, and no module imports itself back.

api_contract  <-  mock_server.{foundation, config, stages | runtime, qa, engine, proxy,
                               control, serve}
              <-  contract_tests
The contract package imports neither the mock nor the kit; the kit does not import the
mock; inside the mock each layer imports only the layers ``MAY_IMPORT`` names for it
(``stages`` and ``runtime`` sit side by side: neither imports the other); and no chain of
imports among the mock's modules comes back to where it started (imports inside functions
and under ``TYPE_CHECKING`` count too: a cycle hidden in a function is still a cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

import api_contract
import contract_tests
import mock_server

# Each layer of the mock, and the layers it may import besides itself.
MAY_IMPORT: dict[str, frozenset[str]] = {}
_BELOW: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ()),
    ("config", ("foundation",)),
    ("stages", ("foundation", "config")),
    ("runtime", ("foundation", "config")),
    ("qa", ("foundation", "config", "stages", "runtime")),
    ("engine", ("foundation", "config", "stages", "runtime", "qa")),
    ("proxy", ("foundation", "config", "stages", "runtime", "qa", "engine")),
    ("control", ("foundation", "config", "stages", "runtime", "qa", "engine", "proxy")),
    ("serve", ("foundation", "config", "stages", "runtime", "qa", "engine", "proxy",
               "control")),
]
for _name, _below in _BELOW:
    MAY_IMPORT[_name] = frozenset({_name, *_below})

ROOT = Path(mock_server.__file__).parent.parent


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(package: object) -> list[Path]:
    root = Path(package.__file__).parent  # type: ignore[attr-defined]
    return sorted(root.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "mock_server" or len(parts) < 2 or parts[1] not in MAY_IMPORT:
        return None
    return parts[1]


def upward(module: str, imported: set[str]) -> set[str]:
    """What ``module`` imports that its layer may not."""
    own = layer(module)
    if own is None:
        return set()
    return {m for m in imported if (lvl := layer(m)) is not None and lvl not in MAY_IMPORT[own]}


def cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (module -> modules it imports), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        if start in done:
            continue
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return [*path[path.index(child):], child]
            elif child not in done and child in graph:
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
                on_path.add(child)
    return None


def import_graph() -> dict[str, set[str]]:
    """The mock's modules and which of them each imports (a name imported from a module
    counts as the module; ``from package import module`` as the module)."""
    paths = {module_name(p): p for p in modules(mock_server)}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in paths:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and paths[imported].name != "__init__.py":
                targets.add(imported)
        graph[name] = targets
    return graph


@pytest.mark.parametrize("path", modules(api_contract), ids=lambda p: p.name)
def test_contract_package_imports_neither_mock_nor_kit(path: Path) -> None:
    bad = {m for m in imports_of(path) if m.split(".")[0] in {"mock_server", "contract_tests"}}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules(contract_tests), ids=lambda p: p.name)
def test_kit_does_not_import_the_mock(path: Path) -> None:
    bad = {m for m in imports_of(path) if m.split(".")[0] == "mock_server"}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path", [p for p in modules(mock_server) if layer(module_name(p)) is not None],
    ids=lambda p: module_name(p).removeprefix("mock_server."))
def test_mock_layers_import_only_downwards(path: Path) -> None:
    name = module_name(path)
    up = upward(name, imports_of(path))
    assert not up, f"{name} ({layer(name)}) imports {sorted(up)}"


def test_every_mock_package_has_a_layer() -> None:
    """A new package gets a place in MAY_IMPORT (and in docs/architecture.md)."""
    packages = {p.parent.name for p in modules(mock_server) if p.parent != ROOT / "mock_server"}
    assert packages <= set(MAY_IMPORT), sorted(packages - set(MAY_IMPORT))


def test_no_import_cycle_among_the_mock_modules() -> None:
    found = cycle(import_graph())
    assert found is None, " -> ".join(found or ())


def test_rules_catch_a_violation(tmp_path: Path) -> None:
    """The rules above can fail: an upward import, a side step between the two layers
    that sit side by side, an import of a layer by the foundation, and a cycle."""
    bad = tmp_path / "bad.py"
    bad.write_text("from mock_server.serve.app import create_app\nimport mock_server.engine\n"
                   "from mock_server.stages.auth import KeyStore\n"
                   "from mock_server.config import MockConfig\n")
    found = imports_of(bad)
    assert upward("mock_server.engine.pipeline", found) == {
        "mock_server.serve.app", "mock_server.serve.app.create_app"}
    assert "mock_server.stages.auth" in upward("mock_server.runtime.base", found)
    assert "mock_server.config" in upward("mock_server.foundation.clock", found)
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
