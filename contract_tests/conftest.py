"""Loads the kit's pytest plugin for ``pytest contract_tests ...`` (see plugin.py)."""

from __future__ import annotations

import pytest

from contract_tests.plugin import add_options, kit_config, kit_context

__all__ = ["kit_config", "kit_context"]

PLUGIN = "contract_tests.plugin"


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.has_plugin(PLUGIN):  # not already given as ``-p contract_tests.plugin``
        add_options(parser)
