"""Freddy analytics mock server: an aiohttp server driven by ``spec/openapi.yaml``."""

__version__ = "0.1.0"
