"""A key is one exact secret (OWASP API2): strings that only look like it open nothing.

Servers compare keys with ``startswith`` (either way round), lower-case them, cut them to a
length, or look them up by their last characters, and so accept look-alikes of a valid key.
Each look-alike of ``--api-key`` must get the documented 401, never the key's summary.
Whitespace around the key is not a look-alike: HTTP strips it from a header's value.
"""

from __future__ import annotations

from contract_tests.checks.errors import expect_error
from contract_tests.checks.isolation import distinct
from contract_tests.context import Context, Probe
from contract_tests.registry import check

_CYCLES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _other(char: str) -> str:
    """Another character of the same kind (a digit for a digit, a letter of the same case),
    so a look-alike still passes a check of the key's alphabet."""
    for cycle in _CYCLES:
        if char in cycle:
            return cycle[(cycle.index(char) + 1) % len(cycle)]
    return "x" if char != "x" else "y"


def key_look_alikes(key: str) -> list[tuple[str, str]]:
    """(how it differs, the look-alike): keys a careless comparison takes for ``key``."""
    first, last = key[:1], key[-1:]
    candidates = [
        ("with a character appended", key + _other(last)),
        ("with a character prepended", _other(first) + key),
        ("without its last character", key[:-1]),
        ("without its first character", key[1:]),
        ("with its last character changed", key[:-1] + _other(last)),
        ("with its first character changed", _other(first) + key[1:]),
        ("in upper case", key.upper()),
        ("in lower case", key.lower()),
        ("with its first letter's case swapped", key[:1].swapcase() + key[1:]),
        ("cut to its first half (a prefix)", key[: len(key) // 2]),
    ]
    # An empty key is the "no key" case; whitespace around a key is stripped by HTTP, so a
    # padded key is the key itself, not a look-alike.
    return distinct(key, candidates, keep=lambda alike: alike.strip() == alike != "")


@check("near_miss_keys_401", "keys that look almost like --api-key (a character more, less "
       "or changed at either end, case, a prefix): 401, never the key's summary")
def near_miss_keys(ctx: Context) -> str:
    alikes = key_look_alikes(ctx.config.api_key)
    exchanges = ctx.summary_many([Probe(key=alike) for _, alike in alikes])
    limited = 0
    for (how, _), ex in zip(alikes, exchanges, strict=True):
        assert ex is not None  # no budget: every probe is sent
        if ex.rate_limited:  # a server may throttle bad keys: no verdict either way
            limited += 1
            continue
        expect_error(ctx, "near_miss_keys_401", ex, (401,), pin=False,
                     about=f"the key {how}")
    return f"{len(alikes) - limited} look-alike keys" + (
        f"; {limited} still rate-limited (429) after waiting" if limited else "")
