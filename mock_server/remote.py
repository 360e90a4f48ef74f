"""A running mock, used by one test in a session of its own: the pytest plugin's remote mode.

``freddy_mock`` gives a :class:`RemoteMock` when the plugin is pointed at a running mock
(``--freddy-url URL`` or ``$FREDDY_MOCK_URL``): every test gets a session name of its own,
its ``client`` and ``headers`` send it (``X-Mock-Session``), and every admin call below acts
on that session only, so the tests of many runs (pytest-xdist workers, CI jobs) can share
one mock without seeing each other's switches. The mock needs ``--admin`` (and the
token, if it has one: ``--freddy-admin-token`` or ``$FREDDY_MOCK_ADMIN_TOKEN``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
import urllib3

from mock_server.foundation.clock import parse_instant
from mock_server.offer import Offer
from mock_server.runtime.journal import Entry, to_us
from mock_server.stages.negotiate import SESSION

TIMEOUT = 30.0  # seconds an admin call may take at most


class RemoteError(RuntimeError):
    """An admin call the mock refused (the message has its status and error text)."""


def session_for(test_name: str) -> str:
    """A fresh session name that says which test it is: ``test_x-1a2b3c4d5e6f``."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", test_name).strip("-")[:40] or "test"
    return f"{readable}-{uuid.uuid4().hex[:16]}"


def entry_from_json(doc: dict[str, Any]) -> Entry:
    """A journal entry of ``GET /__mock/requests`` as the in-process journal gives it."""
    fields = dict(doc)
    fields["at_us"] = to_us(parse_instant(fields.pop("at")))
    fields["violations"] = tuple(fields.get("violations") or ())
    return Entry(**fields)


class RemoteMock(Offer):
    """The same offer as the in-process fixture (``base_url``, ``keys`` (the bundled
    fixtures', which a default mock serves), ``client``, ``scenario()``, ``journal``,
    ``reset()``), over HTTP, for one session."""

    def __init__(self, url: str, session: str, keys: dict[str, str],
                 token: str | None = None, base_path: str = "/v1") -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--freddy-url: not an http(s) URL: {url[:80]!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_url = self.origin + base_path
        self.session = session
        self._keys = keys
        self._token = token
        self._http = urllib3.PoolManager(timeout=TIMEOUT, retries=False)

    @property
    def headers(self) -> dict[str, str]:  # type: ignore[override]
        """Put these on your client's requests: they put them in this test's session."""
        return {str(SESSION): self.session}

    # -- the admin API, on this session ---------------------------------------------------
    def admin(self, method: str, path: str, body: dict[str, Any] | None = None,
              **query: str) -> Any:
        """One call of ``/__mock/PATH`` in this session; the decoded JSON answer."""
        query["session"] = self.session
        qs = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        resp = self._http.request(method, f"{self.origin}/__mock/{path}?{qs}", body=data,
                                  headers=headers)
        try:
            doc = orjson.loads(resp.data) if resp.data else {}
        except orjson.JSONDecodeError:
            doc = {}
        if resp.status >= 400:
            error = doc.get("error", {}) if isinstance(doc, dict) else {}
            detail = error.get("system_message") or error.get("message") or resp.reason
            raise RemoteError(f"{method} /__mock/{path}: {resp.status} {detail}")
        return doc

    @property
    def scenarios(self) -> list[str]:
        return [s["name"] for s in self.admin("GET", "scenarios")["scenarios"]]

    @contextmanager
    def scenario(self, name: str, org: str | None = None) -> Iterator[RemoteMock]:
        """Apply a scenario in this test's session for the duration of the block."""
        target = {} if org is None else {"org": org}
        self.admin("POST", f"scenarios/{quote(name, safe='')}/activate", **target)
        try:
            yield self
        finally:
            self.admin("POST", f"scenarios/{quote(name, safe='')}/deactivate", **target)

    def settings(self, **changes: Any) -> dict[str, Any]:
        """``POST /__mock/settings`` in this session, e.g. ``settings(error=500)``."""
        return self.admin("POST", "settings", body=changes)

    @property
    def journal(self) -> list[Entry]:
        """This session's requests, oldest first (keys masked)."""
        return self.requests()

    def requests(self, *, org: str | None = None, status: int | None = None,
                 since: datetime | None = None) -> list[Entry]:
        filters = {k: str(v) for k, v in (("org", org), ("status", status)) if v is not None}
        if since is not None:
            filters["since"] = since.isoformat()
        return [entry_from_json(e) for e in self.admin("GET", "requests", **filters)["requests"]]

    @property
    def coverage(self) -> dict[str, Any]:
        """Which of the contract's outcomes this test's session met (``GET
        /__mock/coverage?session=``)."""
        return self.admin("GET", "coverage")

    def reset(self) -> None:
        """This session back to the start-up scenarios; its counters and journal cleared."""
        self.admin("POST", "reset")

    def end(self) -> None:
        """End the session (it would expire by itself after --session-ttl unused)."""
        self.admin("DELETE", f"sessions/{self.session}")
        self.close()
        self._http.clear()
