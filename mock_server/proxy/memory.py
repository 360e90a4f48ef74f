"""What the proxy learns about keys: the organization each one read first.

The contract says a key belongs to one organization. The first organization a key reads
with a 2xx is taken as its own; after that, the checks know the key's organization and
judge what another organization's request gets (403, never a summary). Only SHA-256
digests of keys are kept, never a key, in a bounded map (``cachetools.FIFOCache``: the
oldest forgotten first).
"""

from __future__ import annotations

from cachetools import FIFOCache

from api_contract.keys import digest

SIZE = 10_000


class KeyMemory:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._orgs: FIFOCache[bytes, str] = FIFOCache(size)

    def __len__(self) -> int:
        return len(self._orgs)

    def org_of(self, key: str | None) -> str | None:
        return None if key is None else self._orgs.get(digest(key))

    def remember(self, key: str, org: str) -> None:
        """``org`` answered ``key`` with a 2xx; the first such org is kept."""
        self._orgs.setdefault(digest(key), org)
