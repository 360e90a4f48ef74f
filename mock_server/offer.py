"""What a test's mock offers wherever it runs: in-process (``pytest_plugin.FreddyMock``) or
a running one in a session of the test's own (``remote.RemoteMock``): the keys, the
summary's URL, and a client that sends what the mock needs to place the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests


class Offer:
    base_url: str  # e.g. http://127.0.0.1:PORT/v1
    headers: dict[str, str] = {}  # noqa: RUF012 (read only) what every request carries
    _keys: dict[str, str]
    _client: requests.Session | None = None

    @property
    def keys(self) -> dict[str, str]:
        """Organization -> API key."""
        return dict(self._keys)

    @property
    def org(self) -> str:
        return "org_abc123"

    @property
    def key(self) -> str:
        """The key of ``org_abc123`` (whose November 2025 is the document's example)."""
        return self._keys[self.org]

    def url(self, org: str | None = None) -> str:
        """The summary URL of ``org`` (default ``org_abc123``)."""
        return f"{self.base_url}/analytics/api-keys/summary/{org or self.org}"

    @property
    def client(self) -> requests.Session:
        """A ``requests.Session`` that sends ``headers`` (a session's name) on every call."""
        if self._client is None:
            import requests  # (the user's dependency, not the mock's)

            self._client = requests.Session()
            self._client.headers.update(self.headers)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
