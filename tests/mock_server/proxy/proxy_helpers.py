"""A validating proxy (the mock with ``proxy=``) in front of an upstream, and the battery of
requests a frontend sends through it (a plain module: tests/ is on sys.path)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from mock_server.config import MockConfig, ProxyConfig, QaConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, SUMMARY

HEADER = "X-Contract-Violations"
OWN, FOREIGN, NONEXISTENT = "org_abc123", "org_xyz789", "org_nobody_knows"
UNKNOWN_KEY = "freddy-unknown-key-0042"
REQUEST_SIDE = {"request_parameters", "request_api_key"}


@dataclass(frozen=True)
class Probe:
    name: str
    org: str = OWN
    query: str = "year=2025&month=11"
    headers: tuple[tuple[str, str], ...] = (("X-API-Key", KEY_ABC),)


# What a frontend sends: its own month (first, so the proxy learns the key's org), the
# default month, bad months, no/empty/unknown key, the alias header, other orgs.
BATTERY = (
    Probe("own month"),
    Probe("default month", query=""),
    Probe("highest year", query="year=2030&month=1"),
    Probe("month 13", query="year=2025&month=13"),
    Probe("month 1.5", query="year=2025&month=1.5"),
    Probe("no key", headers=()),
    Probe("empty key", headers=(("X-API-Key", ""),)),
    Probe("unknown key", headers=(("X-API-Key", UNKNOWN_KEY),)),
    Probe("alias header", headers=(("Api-Key", KEY_ABC),)),
    Probe("foreign org", org=FOREIGN),
    Probe("nonexistent org", org=NONEXISTENT),
    Probe("long org id", org="org_" + "x" * 296),
    # Corners of the calendar and of the comparison a real backend gets wrong.
    Probe("leap February", query="year=2024&month=2"),
    Probe("finished December", query="year=2024&month=12"),
    Probe("a quiet month", query="year=2023&month=8"),  # the catalogue's month without usage
    Probe("empty alias", headers=(("Api-Key", ""),)),
    Probe("lower-case key header", headers=(("x-api-key", KEY_ABC),)),
    *(Probe(f"look-alike {alike!r}", org=alike) for alike in (
        "ORG_ABC123", "org_abc12", " org_abc123", "%6Frg_abc123", "\uff4frg_abc123")),
)


@contextmanager
def proxy(upstream: str, *, timeout: float = 5.0, strict: bool = False,
          record: Path | None = None, qa: QaConfig | None = None,
          cors_origins: tuple[str, ...] = (), **config: object) -> Iterator[MockServerThread]:
    cfg = MockConfig(port=0, proxy=ProxyConfig(upstream, timeout, strict, record,
                                               cors_origins),
                     qa=qa or QaConfig(), **config)  # type: ignore[arg-type]
    server = MockServerThread(cfg).start()
    try:
        yield server
    finally:
        server.stop()


def send(server: MockServerThread, probe: Probe,
         session: requests.Session | None = None) -> requests.Response:
    url = server.base_url + SUMMARY + quote(probe.org, safe="") + (
        "?" + probe.query if probe.query else "")
    return (session or requests).get(url, headers=dict(probe.headers), timeout=30,
                                     allow_redirects=False)


def names(resp: requests.Response) -> set[str]:
    return {n.strip() for n in resp.headers.get(HEADER, "").split(",") if n.strip()}


def battery(server: MockServerThread) -> dict[str, requests.Response]:
    with requests.Session() as session:
        return {p.name: send(server, p, session) for p in BATTERY}
