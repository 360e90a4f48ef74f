"""API keys as the contract treats them: secrets that are never shown in full."""

from __future__ import annotations

import hashlib

LONG_KEY = 12  # characters: a key shorter than this shows nothing of itself
SHOWN = 4  # characters shown of a long key (its last ones), at most


def digest(secret: str) -> bytes:
    """SHA-256 of a secret (a key, a token), as the mock keeps and compares them: never the
    secret itself. Lone surrogates (bytes a client sent that are not UTF-8) are kept."""
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()


def mask_key(key: str) -> str:
    """``mock-key-abc123`` -> ``…c123``: the last four characters of a key of 12 or more
    (enough to tell keys apart; eight or more stay hidden), nothing of a shorter one."""
    return "…" + key[-SHOWN:] if len(key) >= LONG_KEY else "…"
