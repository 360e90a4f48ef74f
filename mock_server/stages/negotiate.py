"""Per-request controls, decoded once at the edge (Prism style).

``Prefer: code=401`` answers with the documented 401, ``Prefer: example=NAME`` with a named
example of the spec (its status follows the example unless ``code=`` says otherwise). The
query parameters ``__code`` and ``__example`` do the same for clients that cannot set
headers. ``Prefer: delay=MS`` delays the answer (0-60000 ms) and ``Prefer: scenario=NAME``
applies a named scenario to this one request (``__delay``/``__scenario`` in the query);
both combine with ``code=``/``example=``, which then choose the answer.

Several preferences go in one header separated by commas (RFC 7240); unknown
preferences are ignored, a known one with a bad value is a 400 of its own.

A preference only chooses the answer of a request that is otherwise valid: authentication
and parameter validation run first, as they would on the real server.

The session (``X-Mock-Session: NAME`` or ``?__session=NAME``) is decoded here too: the name
of the isolated set of switches the request belongs to (docs/qa.md, "sharing one mock").
It is not a preference of the answer (``Preference-Applied`` never lists it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container
from dataclasses import dataclass

from multidict import MultiMapping, istr
from yarl import URL

from api_contract.contract import Contract, Example
from mock_server.config import MAX_DELAY_MS
from mock_server.foundation.errors import ApiError

PREFER = istr("Prefer")  # istr: no case-folding per lookup
SESSION = istr("X-Mock-Session")
SESSION_QUERY = "__session"
QUERY_PREFIX = "__"
NAMES = ("code", "example", "delay", "scenario")
QUERY_NAMES = frozenset([*(QUERY_PREFIX + name for name in NAMES), SESSION_QUERY])
# The longest digit strings that can be valid: longer ones are refused before int() (which
# refuses more than 4,300 digits with a ValueError of its own, and costs quadratic time).
CODE_DIGITS, DELAY_DIGITS = 3, len(str(MAX_DELAY_MS))


def _number(text: str, digits: int) -> int | None:
    """ASCII digits, at most ``digits`` of them, as an int; else None."""
    if len(text) > digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


SESSION_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def session_name(value: str) -> str:
    """``value`` when it is a session name (1-64 of ``[A-Za-z0-9._-]``); else the 400."""
    if SESSION_NAME.fullmatch(value) is None:
        raise ApiError(400, f"Session name {value[:40]!r} must be 1-64 characters of "
                            "A-Z, a-z, 0-9, '.', '_' and '-'")
    return value


def session_of(headers: MultiMapping[str], query: MultiMapping[str]) -> str | None:
    """The request's session for its journal entry: a valid name, else None (the 400 of
    a bad one is the pipeline's)."""
    value = query.get(SESSION_QUERY, headers.get(SESSION))
    return value if value is not None and SESSION_NAME.fullmatch(value) else None


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    delay: int | None = None  # ms
    scenario: str | None = None
    session: str | None = None  # not a preference of the answer: not in ``empty``

    @property
    def empty(self) -> bool:
        return (self.code is None and self.example is None and self.delay is None
                and self.scenario is None)

    @property
    def chooses_answer(self) -> bool:
        return self.code is not None or self.example is not None


NO_PREFERENCES = Preferences()


@functools.lru_cache(maxsize=1024)
def _session_only(name: str) -> Preferences:
    """A request that names its session and nothing else (one value per name, cached:
    the common case of a session's requests); raises the 400 of a bad name."""
    return Preferences(session=session_name(name))


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


def decode(
    headers: MultiMapping[str],
    url: URL,
    contract: Contract,
    scenarios: Container[str] = (),
) -> Preferences:
    named = headers.get(SESSION)
    if PREFER not in headers:
        raw = url.raw_query_string
        if QUERY_PREFIX not in raw and "%5" not in raw:  # no __name (%5F is an encoded _)
            # the common cases, decided without parsing the query
            return NO_PREFERENCES if named is None else _session_only(named)
    prefer = headers.getall(PREFER, ())
    query = url.query
    session = query.get(SESSION_QUERY, named)  # (both: the query's, as for __code)
    if not prefer and session is None and QUERY_NAMES.isdisjoint(query):
        return NO_PREFERENCES
    if session is not None:
        session = session_name(session)
    tokens = _tokens(list(prefer))
    for name in NAMES:
        if QUERY_PREFIX + name in query:
            tokens[name] = query[QUERY_PREFIX + name]
    code: int | None = None
    if "code" in tokens:
        text = tokens["code"]
        code = _number(text, CODE_DIGITS)
        if code is None or code not in contract.statuses:
            documented = ", ".join(str(s) for s in contract.statuses)
            raise ApiError(
                400,
                f"Prefer code={text[:16]!r} is not a documented status (documented: {documented})",
            )
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
    delay: int | None = None
    if "delay" in tokens:
        text = tokens["delay"]
        delay = _number(text, DELAY_DIGITS)
        if delay is None or delay > MAX_DELAY_MS:
            raise ApiError(400, f"Prefer delay={text[:16]!r} must be milliseconds from 0 to "
                                f"{MAX_DELAY_MS}")
    scenario = tokens.get("scenario")
    if scenario is not None and scenario not in scenarios:
        raise ApiError(400, f"Prefer scenario={scenario[:40]!r} is not a known scenario")
    return Preferences(code=code, example=example, delay=delay, scenario=scenario,
                       session=session)


def applied(prefs: Preferences) -> str:
    parts = []
    if prefs.code is not None:
        parts.append(f"code={prefs.code}")
    if prefs.example is not None:
        parts.append(f"example={prefs.example}")
    if prefs.delay is not None:
        parts.append(f"delay={prefs.delay}")
    if prefs.scenario is not None:
        parts.append(f"scenario={prefs.scenario}")
    return ", ".join(parts)


def chosen_example(prefs: Preferences, contract: Contract) -> Example | None:
    """The example a preference asks for, or None when the normal answer is wanted."""
    if prefs.example is not None:
        return contract.examples[prefs.example]
    if prefs.code is not None and prefs.code != 200:
        return contract.example_for(prefs.code)
    return None
