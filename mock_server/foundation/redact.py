"""Secrets outside the key headers: redacted before a request is stored or written.

A client may send its key in the query string (``?api_key=...``), in the path, or carry it
in a ``Referer``; the journal and the access log must not keep it. Redacted, as
``REDACTED``:

- the value of every query parameter whose name looks like a secret (it contains ``key``,
  ``token``, ``secret``, ``auth``, ``passw``, ``signature`` or ``credential``, any case);
- every query value, bare query word or path segment equal to a known key;
- the user-info of a URL (``https://user:pass@host/``).

Names are matched percent-decoded; what is kept is the text as it was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, unquote_plus

REDACTED = "REDACTED"
SECRET_NAME = re.compile(r"key|token|secret|auth|passw|signature|credential", re.IGNORECASE)


class Redactor:
    def __init__(self, is_key: Callable[[str], bool]) -> None:
        self._is_key = is_key

    def query(self, raw: str) -> str:
        """A query string (without ``?``), secrets redacted."""
        if not raw:
            return raw
        parts = raw.split("&")
        for i, part in enumerate(parts):
            name, sep, value = part.partition("=")
            if not sep:
                if self._is_key(unquote_plus(name)):
                    parts[i] = REDACTED
            elif SECRET_NAME.search(unquote_plus(name)) or self._is_key(unquote_plus(value)):
                parts[i] = f"{name}={REDACTED}"
        return "&".join(parts)

    def path(self, path: str) -> str:
        """A path, every segment equal to a known key redacted."""
        segments = path.split("/")
        for i, segment in enumerate(segments):
            if segment and self._is_key(unquote(segment)):
                segments[i] = REDACTED
        return "/".join(segments)

    def target(self, target: str) -> str:
        """A request target (``/path?query``), as in the request line."""
        path, sep, query = target.partition("?")
        return self.path(path) + sep + self.query(query)

    def url(self, url: str) -> str:
        """A whole URL (a ``Referer``): user-info, path and query redacted."""
        url, hash_, fragment = url.partition("#")
        scheme, sep, rest = url.partition("://")
        if not sep:
            return self.target(url) + hash_ + (REDACTED if fragment else "")
        authority, slash, target = rest.partition("/")
        if "@" in authority:
            authority = REDACTED + "@" + authority.rsplit("@", 1)[1]
        return (scheme + sep + authority + slash + self.target(target) + hash_
                + (REDACTED if fragment else ""))

    def value(self, text: str) -> str:
        """Any other logged value (a header): redacted when it is a known key."""
        return REDACTED if self._is_key(text.strip()) else text
