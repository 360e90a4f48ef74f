"""Freddy analytics mock server: an aiohttp server driven by ``spec/openapi.yaml``."""

from api_contract import __version__

__all__ = ["__version__"]
