"""Per-request controls, decoded once at the edge (Prism style).

``Prefer: code=401`` answers with the documented 401, ``Prefer: example=NAME`` with a named
example of the spec (its status follows the example unless ``code=`` says otherwise). The
query parameters ``__code`` and ``__example`` do the same for clients that cannot set
headers. Several preferences go in one header separated by commas (RFC 7240); unknown
preferences are ignored, a known one with a bad value is a 400 of its own.

A preference only chooses the answer of a request that is otherwise valid: authentication
and parameter validation run first, as they would on the real server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from multidict import MultiMapping

from mock_server.contract import Contract, Example
from mock_server.errors import ApiError

QUERY_PREFIX = "__"


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    example: str | None = None

    @property
    def empty(self) -> bool:
        return self.code is None and self.example is None


NO_PREFERENCES = Preferences()


def _tokens(header_values: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in header_values:
        for item in header.split(","):
            head = item.split(";", 1)[0].strip()
            if not head:
                continue
            name, _, value = head.partition("=")
            found.setdefault(name.strip().lower(), value.strip().strip('"'))
    return found


def decode(headers: MultiMapping[str], query: Mapping[str, str], contract: Contract) -> Preferences:
    prefer = headers.getall("Prefer", ())
    if not prefer and "__code" not in query and "__example" not in query:
        return NO_PREFERENCES
    tokens = _tokens(list(prefer))
    for name in ("code", "example"):
        if QUERY_PREFIX + name in query:
            tokens[name] = query[QUERY_PREFIX + name]
    code: int | None = None
    if "code" in tokens:
        text = tokens["code"]
        if not text.isascii() or not text.isdigit() or int(text) not in contract.statuses:
            documented = ", ".join(str(s) for s in contract.statuses)
            raise ApiError(
                400,
                f"Prefer code={text[:16]!r} is not a documented status (documented: {documented})",
            )
        code = int(text)
    example = tokens.get("example")
    if example is not None and example not in contract.examples:
        names = ", ".join(sorted(contract.examples))
        raise ApiError(400, f"Prefer example={example[:40]!r} is not in the spec (known: {names})")
    if example is not None and code is not None and contract.examples[example].status != code:
        raise ApiError(
            400,
            f"Prefer example={example!r} belongs to status "
            f"{contract.examples[example].status}, not {code}",
        )
    return Preferences(code=code, example=example)


def applied(prefs: Preferences) -> str:
    parts = []
    if prefs.code is not None:
        parts.append(f"code={prefs.code}")
    if prefs.example is not None:
        parts.append(f"example={prefs.example}")
    return ", ".join(parts)


def chosen_example(prefs: Preferences, contract: Contract) -> Example | None:
    """The example a preference asks for, or None when the normal answer is wanted."""
    if prefs.example is not None:
        return contract.examples[prefs.example]
    if prefs.code is not None and prefs.code != 200:
        return contract.example_for(prefs.code)
    return None
