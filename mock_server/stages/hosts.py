"""Which ``Host`` headers the mock answers: the defence against DNS rebinding.

A hostile name that resolves to 127.0.0.1 makes a browser treat the mock as that name's
own origin; the only trace of it in the request is the ``Host`` header. So every route
answers only loopback names and addresses (``localhost``, ``*.localhost``, ``127.0.0.0/8``,
``[::1]``, with any port) plus the names given with ``--allowed-host`` (``.example.com``
admits the name and its subdomains, ``*`` any Host); anything else is a 421 in the
envelope. A request without ``Host`` (HTTP/1.0) is answered: no browser sends one.

The check costs one header lookup and one set lookup per request (``admitted`` holds the
raw header values already found good, bounded), so it sits even on the hot path.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from multidict import istr

from mock_server.foundation.errors import ApiError
from mock_server.foundation.syntax import ANY_HOST, host_name, is_loopback

HOST = istr("Host")
MAX_ADMITTED = 256  # distinct good Host values remembered (ports vary); beyond: re-checked


def requested_name(value: str) -> str | None:
    """The host name of a ``Host`` header value, port left out, normalized as
    :func:`mock_server.foundation.syntax.host_name` does; None when it is malformed."""
    text = value.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        name, rest = text[1:end], text[end + 1:]
    else:
        name, colon, port = text.partition(":")
        rest = colon + port
    if rest and not (rest[0] == ":" and rest[1:].isascii() and rest[1:].isdigit()):
        return None
    if ":" in name:
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            return None
    return name.removesuffix(".") or None


def is_loopback_name(name: str) -> bool:
    """A loopback address, ``localhost``, or a name under it (RFC 6761)."""
    return name.endswith(".localhost") or is_loopback(name)


class HostGate:
    def __init__(self, allowed: Iterable[str] = ()) -> None:
        """``allowed``: ``--allowed-host`` values (ValueError for one that is no name)."""
        allowed = tuple(host_name(n) for n in allowed)
        self.any = ANY_HOST in allowed
        self.names = frozenset(n for n in allowed if not n.startswith("."))
        self.suffixes = tuple(n for n in allowed if n.startswith("."))
        self.admitted: set[str | None] = {None}  # raw Host values known to be good

    def allows(self, value: str | None) -> bool:
        if value is None or self.any:
            return True
        name = requested_name(value)
        if name is None:
            return False
        return (is_loopback_name(name) or name in self.names
                or any(name == s[1:] or name.endswith(s) for s in self.suffixes))

    def admit(self, value: str | None) -> None:
        """Raise the 421 unless ``value`` may be answered (callers first try
        ``value in gate.admitted``, the cheap check)."""
        if not self.allows(value):
            shown = (value or "")[:64]
            raise ApiError(421, f"This mock does not answer Host {shown!r}; start it with "
                                "--allowed-host NAME to answer that name")
        if len(self.admitted) < MAX_ADMITTED:
            self.admitted.add(value)
