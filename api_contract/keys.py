"""API keys as the contract treats them: secrets that are never shown in full."""

from __future__ import annotations


def mask_key(key: str) -> str:
    """``mock-key-abc123`` -> ``mock-…123``: enough to tell keys apart, never the secret."""
    if len(key) <= 8:
        return "…" if len(key) <= 2 else "…" + key[-2:]
    return f"{key[:5]}…{key[-3:]}"
