"""Freddy analytics mock server: an aiohttp server driven by ``spec/openapi.yaml``.

For scripts and test suites: ``from mock_server import MockConfig, QaConfig,
MockServerThread`` (imported on first use, so the pytest plugin stays cheap to load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from api_contract import __version__

__all__ = ["MockConfig", "MockServerThread", "QaConfig", "__version__"]

if TYPE_CHECKING:
    from mock_server.config import MockConfig, QaConfig
    from mock_server.testing import MockServerThread


def __getattr__(name: str) -> Any:
    if name in ("MockConfig", "QaConfig"):
        from mock_server import config

        return getattr(config, name)
    if name == "MockServerThread":
        from mock_server.testing import MockServerThread

        return MockServerThread
    raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
