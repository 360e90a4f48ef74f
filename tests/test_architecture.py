"""The layout's import rules: imports point down only.

api_contract  <-  mock_server.{config, stages, qa, engine, proxy, control, serve}
              <-  contract_tests
The contract package imports neither the mock nor the kit; the kit does not import the
mock; inside the mock each layer imports only the layers below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import api_contract
import contract_tests
import mock_server

# Lower index = lower layer. A module may import its own layer or any lower one.
MOCK_LAYERS = ["config", "stages", "qa", "engine", "proxy", "control", "serve"]


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


def layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "mock_server" or len(parts) < 2 or parts[1] not in MOCK_LAYERS:
        return None
    return MOCK_LAYERS.index(parts[1])


@pytest.mark.parametrize("path", modules(api_contract), ids=lambda p: p.name)
def test_contract_package_imports_neither_mock_nor_kit(path: Path) -> None:
    bad = {m for m in imports_of(path) if m.split(".")[0] in {"mock_server", "contract_tests"}}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules(contract_tests), ids=lambda p: p.name)
def test_kit_does_not_import_the_mock(path: Path) -> None:
    bad = {m for m in imports_of(path) if m.split(".")[0] == "mock_server"}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path", [p for p in modules(mock_server) if p.parent.name in MOCK_LAYERS],
    ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mock_layers_import_only_downwards(path: Path) -> None:
    own = MOCK_LAYERS.index(path.parent.name)
    up = {m for m in imports_of(path) if (lvl := layer(m)) is not None and lvl > own}
    assert not up, f"{path.parent.name}/{path.name} imports upper layers {sorted(up)}"


def test_rules_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from mock_server.serve.app import create_app\nimport mock_server.engine\n")
    assert {layer(m) for m in imports_of(bad)} >= {MOCK_LAYERS.index("serve")}
