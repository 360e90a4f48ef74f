"""How the broken server (tests/kit/broken.py) reads keys and raw input under the switches of
the credential and encoding defects, and their nearest legitimate variations.

Each function is the careless (or legitimately different) code a real backend ships:
``startswith`` on keys, ``int()`` on a query value, a strict UTF-8 decode, a 64-bit column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import unquote_to_bytes

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

INT64 = 2**63  # a signed 64-bit integer is below this, and at least its negative
KEY_PREFIX = 12  # key_truncated: only this many characters are compared
SHOWN = 4  # key_last4_lookup: the characters a key is looked up by (as a masked key shows)

# Careless comparisons of the key sent with a stored key (the look-alike key defects).
LAX_KEY: dict[str, Callable[[str, str], bool]] = {
    "key_startswith": lambda sent, stored: sent.startswith(stored),
    "key_prefix_accepted": lambda sent, stored: stored.startswith(sent),
    "key_lowercased": lambda sent, stored: sent.lower() == stored.lower(),
    "key_truncated": lambda sent, stored: sent[:KEY_PREFIX] == stored[:KEY_PREFIX],
    "key_last4_lookup": lambda sent, stored: sent[-SHOWN:] == stored[-SHOWN:],
}


def key_owner(on: frozenset[str], keys: Mapping[str, str], key: str) -> str | None:
    """The organization of ``key``: exactly, or by the careless comparisons switched on."""
    if key in keys:
        return keys[key]
    lax = [LAX_KEY[name] for name in on & LAX_KEY.keys()]
    return next((org for stored, org in keys.items() if any(f(key, stored) for f in lax)),
                None)


def raw_values(request: web.Request) -> list[bytes]:
    """The org id and every query value, percent-decoded to bytes (nothing else decoded)."""
    path = request.raw_path.split("?", 1)[0]
    values = [unquote_to_bytes(path.rsplit("/", 1)[-1])]
    for pair in request.rel_url.raw_query_string.split("&"):
        if pair:
            values.append(unquote_to_bytes(pair.partition("=")[2].replace("+", " ")))
    return values


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def choke(on: frozenset[str], request: web.Request,
          error: Callable[..., web.Response]) -> web.Response | None:
    """What the encoding defects answer before the request is read at all (None: go on)."""
    values = raw_values(request)
    org = values[0]
    if "utf8_choke_500" in on and not all(map(_utf8, values)):
        return error(500, "'utf-8' codec can't decode byte")
    if "html_debug_page" in on and any(b < 0x20 or b == 0x7F for v in values for b in v):
        page = "<!doctype html><title>ValueError: embedded null byte</title><pre>Traceback"
        return web.Response(status=500, text=page, content_type="text/html")
    if "separator_500" in on and (b"/" in org or b"\\" in org):
        return error(500, "No such file or directory")
    if "separator_404" in on and (b"/" in org or b"\\" in org):
        return error(404, "Not found")
    if "org_bytes_400" in on and (not _utf8(org) or b"\x00" in org):
        return error(400, "Malformed organization id", code="INVALID_REQUEST",
                     kind="validation_error")
    return None


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def read_query(on: frozenset[str], query: MultiDictProxy[str], names: tuple[str, ...],
               error: Callable[..., web.Response]) -> MultiDictProxy[str] | web.Response:
    """The query as the parameter rules will read it, after the careless reading switched on
    (or an answer: a crash)."""
    out: MultiDict[str] = MultiDict()
    for name in dict.fromkeys(query):
        given = query.getall(name)
        if name in names and len(given) > 1:
            if "repeated_params_500" in on:
                return error(500, "'list' object has no attribute 'isdigit'")
            if "repeated_last_wins" in on:
                given = given[-1:]
            elif "repeated_first_wins" in on:
                given = given[:1]
        for value in given:
            number = _as_int(value) if name in names else None
            wide = number is not None and not -INT64 <= number < INT64
            if wide and "int64_overflow_500" in on:
                return error(500, "Python int too large to convert to C long")
            if wide and "int64_wraparound" in on:
                value = str((number + INT64) % (2 * INT64) - INT64)  # type: ignore[operator]
            if number is not None and "lenient_integers" in on:
                value = str(number)  # int() took a sign, spaces, 1_2 or non-ASCII digits
            out.add(name, value)
    return MultiDictProxy(out)
