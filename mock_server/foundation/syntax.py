"""The syntax of values a user gives, checked once and normalized: header names, host
names (``--allowed-host``, a request's ``Host``), origins (``--admin-cors``), loopback
addresses, and rates (``100/min``). :class:`~mock_server.config.MockConfig` applies them
when it checks a configuration; the stages apply the same rules to a request at run time
(``stages/cors``, ``stages/hosts``), and ``qa/ratelimit`` and ``qa/scenario_files`` parse
rates with them. Also the type rules of numbers given in code or JSON (a bool is no number)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
           "h": 3600, "hour": 3600}


MAX_HEADER_NAME = 128
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def is_header_name(name: str) -> bool:
    """An RFC 9110 token of at most 128 characters."""
    return len(name) <= MAX_HEADER_NAME and _TOKEN.fullmatch(name) is not None


def is_int(value: object) -> bool:
    """An ``int`` that is not a ``bool`` (JSON's ``true`` is no number of anything)."""
    return isinstance(value, int) and not isinstance(value, bool)


def int_in(value: object, low: int, high: int) -> bool:
    return is_int(value) and low <= value <= high  # type: ignore[operator]


def seconds(value: object, most: float = 86_400) -> bool:
    """A number of seconds in (0, ``most``]."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and 0 < value <= most)


def parse_rate(text: str) -> tuple[int, int]:
    """``100/min`` -> (100, 60). Raises ValueError with a readable message."""
    count, sep, unit = text.strip().partition("/")
    unit = unit.strip().lower()
    if not sep or not count.strip().isdigit() or unit not in PERIODS:
        raise ValueError(f"expected N/sec, N/min or N/hour, got {text[:40]!r}")
    return int(count), PERIODS[unit]


def parse_duration(text: str) -> float:
    """``1800``, ``90s``, ``30m``, ``2h`` -> seconds. Raises ValueError (readable)."""
    value = text.strip().lower()
    number = value.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = value[len(number):].strip() or "s"
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if unit not in PERIODS or not 0 < amount < float("inf"):
        raise ValueError(f"expected seconds or N s/min/h, e.g. 30m, got {text[:40]!r}")
    return amount * PERIODS[unit]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it goes into a URL: an IPv6 address in brackets (``[::1]``)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


ANY_HOST = "*"
DEFAULT_PORTS = {"http": 80, "https": 443}


def host_name(value: str) -> str:
    """An ``--allowed-host`` value, normalized (lower case, no trailing dot, IPv6 without
    brackets); ``*`` and a leading dot are kept. Raises ValueError for anything that is not
    a bare host name or address (a port, a scheme or a path: any port is answered)."""
    name = value.strip().lower()
    if name == ANY_HOST:
        return name
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if ":" in name:
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            raise ValueError(f"not a host name (leave out the port and scheme: any port is "
                             f"answered): {value[:64]!r}") from None
    label = name[1:] if name.startswith(".") else name
    label = label[:-1] if label.endswith(".") else label
    parts = label.split(".")
    if not label or len(label) > 253 or not all(
        p and len(p) <= 63 and p.isascii() and p.replace("-", "").replace("_", "").isalnum()
        for p in parts
    ):
        raise ValueError(f"not a host name: {value[:64]!r}")
    return ("." if name.startswith(".") else "") + label


def origin(value: str) -> str:
    """An ``--admin-cors`` value, normalized as a browser sends it in ``Origin``:
    ``scheme://host[:port]``, lower case, no default port, no path. Raises ValueError
    otherwise (``*`` and ``null`` too: name the origin)."""
    bad = ValueError(f"not an origin such as http://localhost:3000: {value[:64]!r}")
    try:
        parts = urlsplit(value.strip().lower().removesuffix("/"))
        port = parts.port
    except ValueError:
        raise bad from None
    if (parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query
            or parts.fragment or "@" in parts.netloc):
        raise bad
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"
