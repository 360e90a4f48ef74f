"""Authentication stage: which organization does the request's API key belong to?

Order (from the contract): no key or an empty key -> 401; an unknown key -> 401; a known key
asking for another organization (existing or not) -> 403. A request carrying different keys
is refused with 401, whether in both key headers or in one header sent twice (e.g. two
``X-API-Key``): which one a server honours would otherwise be a guess (and a proxy checking
one while the API reads the other is a known bypass). The same key sent twice is one key.

Keys are never compared with ``==`` on the secret: the store keeps SHA-256 digests, looks
the request's digest up and confirms with :func:`hmac.compare_digest`, so timing reveals
nothing about how much of a key matched. Keys are never logged or echoed in full; use
:func:`api_contract.keys.mask_key`. The organization a key belongs to is compared with
``!=``: it is no secret (every URL carries one).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from multidict import MultiMapping, istr

from api_contract.keys import digest, mask_key
from mock_server.foundation.errors import ApiError

MISSING_KEY = "No API key provided"
UNKNOWN_KEY = "Invalid API key"
WRONG_ORG = "API key doesn't belong to organization"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key of the store: its SHA-256 digest (never the key), its organization, and the
    key masked for display."""

    digest: bytes
    org: str
    masked: str


class KeyStore:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._by_digest: dict[bytes, KeyEntry] = {}
        self._longest = 0
        for key, org in pairs:
            entry = KeyEntry(digest(key), org, mask_key(key))
            self._by_digest[entry.digest] = entry
            self._longest = max(self._longest, len(key))

    def __len__(self) -> int:
        return len(self._by_digest)

    def entries(self) -> list[KeyEntry]:
        return list(self._by_digest.values())

    def is_key(self, text: str) -> bool:
        """Is ``text`` one of the keys? (For redaction; no longer text is hashed.)"""
        return bool(text) and len(text) <= self._longest and self.lookup(text) is not None

    def lookup(self, key: str) -> KeyEntry | None:
        sought = digest(key)
        entry = self._by_digest.get(sought)
        if entry is not None and hmac.compare_digest(entry.digest, sought):
            return entry
        return None


class Authenticator:
    def __init__(self, store: KeyStore, header_names: Iterable[str]) -> None:
        self.store = store
        # istr: multidict then skips case-folding the name on every lookup.
        self.header_names = tuple(istr(name) for name in header_names)
        # The spec's key headers (securitySchemes), named as the spec writes them.
        self.conflicting = "Conflicting API keys in " + " and ".join(self.header_names)

    def presented_key(self, headers: MultiMapping[str], *, strict: bool = True) -> str | None:
        """The key sent, or None. When the key headers disagree (every value of each key
        header counts): a 401 if ``strict``, else the first non-empty one (for the journal,
        which only shows it masked)."""
        found: str | None = None
        for name in self.header_names:
            for value in headers.getall(name, ()):
                value = value.strip()
                if found is not None and value != found:
                    if not strict:
                        return found or value or None
                    raise ApiError(401, self.conflicting)
                found = value
        return found or None

    def authenticate(self, headers: MultiMapping[str], org_id: str) -> KeyEntry:
        key = self.presented_key(headers)
        if key is None:
            raise ApiError(401, MISSING_KEY)
        entry = self.store.lookup(key)
        if entry is None:
            raise ApiError(401, UNKNOWN_KEY)
        if entry.org != org_id:  # not a secret: org ids are in every URL
            raise ApiError(403, WRONG_ORG)
        return entry
