"""One exchange as the checks see it: what was asked, what the observer knows, the answer.

The kit builds an :class:`Observed` from each request it sends (it knows more about them:
the key's organization, that a key is invalid); the mock's validating proxy builds one from
each request it forwards (it knows only what it saw). The checks of
:mod:`api_contract.verdicts` take an :class:`Observed` and return :class:`Violation`\\ s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api_contract.keys import mask_key

Problem = tuple[str, str]  # (what the contract expects, what came back)
MAX_BODY = 1 << 20  # a summary is a few hundred bytes; more than a MiB is read no further


@dataclass(slots=True)
class Reply:
    """An answer: status, headers (lower-case names) and the body as received."""

    status: int
    headers: dict[str, str]
    body: bytes
    cut: bool = False  # the body went on past MAX_BODY and was read no further
    _json: Any = field(default=None, repr=False)
    _json_error: str | None = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def parse(self) -> tuple[Any, str | None]:
        """(document, None) or (None, why it is not JSON)."""
        if not self._parsed:
            self._parsed = True
            if self.cut:
                self._json_error = f"a body of more than {MAX_BODY >> 20} MiB (read no further)"
                return None, self._json_error
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                self._json_error = f"a body that is not JSON ({exc.__class__.__name__}): " + (
                    repr(self.body[:80]) if self.body else "empty body")
        return self._json, self._json_error

    def brief(self) -> str:
        text = self.body[:160].decode("utf-8", "replace")
        more = "…" if len(self.body) > 160 else ""
        return f"HTTP {self.status} {self.content_type or '(no content type)'} {text}{more}"


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    expected: str
    got: str
    side: str = "response"  # "request": the client broke the contract, not the server

    def message(self) -> str:
        return f"expected {self.expected}; got {self.got}"


@dataclass(slots=True)
class Observed:
    """A summary request, what is known about it beyond the wire, and its answer.

    ``query`` and ``headers`` are as sent (names in any case). The facts default to
    "unknown" (None): a check that needs one does not apply without it.
    """

    org: str
    query: Sequence[tuple[str, str]]
    headers: Sequence[tuple[str, str]]
    reply: Reply | None
    error: str | None = None  # why there is no reply (timeout, broken connection)
    key_org: str | None = None  # the organization the sent key belongs to
    key_valid: bool | None = None  # False: the observer knows the key is not valid
    org_exists: bool | None = None  # False: the observer knows the org does not exist
    # The clock just before the request was sent and just after the answer came.
    sent_between: tuple[datetime, datetime] | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # what checks share

    def header_values(self, names: Sequence[str]) -> list[tuple[str, str]]:
        """(documented name, value) of every header among ``names`` that was sent."""
        wanted = {n.lower(): n for n in names}
        return [(wanted[k.lower()], v) for k, v in self.headers if k.lower() in wanted]

    def query_values(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def json(self) -> Any:
        """The answer's JSON document, or None (no answer, or not JSON)."""
        return None if self.reply is None else self.reply.parse()[0]


def mask_in(text: str, secrets: Sequence[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_key(secret))
    return text

