"""API keys as the contract treats them: secrets that are never shown in full."""

from __future__ import annotations

LONG_KEY = 12  # characters: a key shorter than this shows nothing of itself
SHOWN = 4  # characters shown of a long key (its last ones), at most


def mask_key(key: str) -> str:
    """``mock-key-abc123`` -> ``…c123``: the last four characters of a key of 12 or more
    (enough to tell keys apart; eight or more stay hidden), nothing of a shorter one."""
    return "…" + key[-SHOWN:] if len(key) >= LONG_KEY else "…"
