"""One configuration object, built by the CLI and by tests alike."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from api_contract.resources import default_fixtures_dir, default_spec_path


@dataclass(slots=True)
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    spec_path: Path = field(default_factory=default_spec_path)
    fixtures_dir: Path = field(default_factory=default_fixtures_dir)
    seed: int = 0
    now: datetime | None = None  # frozen clock; None follows the real UTC clock
    keys: tuple[tuple[str, str], ...] = ()  # extra (key, org) pairs on top of the fixtures
    access_log: bool = False
    expose: bool = False  # explicit consent to bind to a non-loopback address
    # CORS request headers a preflight may use: None echoes whatever it asks for (valid
    # names only); a tuple allows the API's own headers plus these (--cors-allow-header).
    cors_allow_headers: tuple[str, ...] | None = None
    workers: int = 1  # processes serving the port (SO_REUSEPORT); >1 shares runtime state
    qa: QaConfig = field(default_factory=lambda: QaConfig())
    proxy: ProxyConfig | None = None  # --proxy: forward to a real server, check its answers


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class QaConfig:
    """QA features (scenarios, rate limit, admin API, journal); all off by default."""

    scenarios: tuple[str, ...] = ()  # files or built-in names, active from the start
    watch: bool = False
    watch_interval: float = 0.5  # seconds between mtime polls with --watch
    rate_limit: str | None = None  # e.g. "100/min"
    admin: bool = False
    admin_token: str | None = None
    journal_size: int = 1000  # ring buffer size when the admin API is on; 0 = no journal


@dataclass(slots=True)
class ProxyConfig:
    """``--proxy UPSTREAM``: the routes forwarded to a real implementation, every exchange
    checked against the contract (mock_server.proxy)."""

    upstream: str  # base URL with the version prefix, e.g. https://staging.example/v1
    timeout: float = 10.0  # seconds for the upstream's whole answer; then 504
    strict: bool = False  # a violating answer becomes a 502 naming the checks
    record_dir: Path | None = None  # every contract-valid 200 written as a canned summary
