"""One configuration object, built by the CLI and by tests alike."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

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
    tenants: int = 0  # generated organizations with keys (stages/tenants.py), 0-10000
    access_log: bool = False
    expose: bool = False  # explicit consent to bind to a non-loopback address
    # Host header names answered besides the loopback ones ("*": any; ".example.com": the
    # name and its subdomains), normalized by host_name(); see stages/hosts.py.
    allowed_hosts: tuple[str, ...] = ()
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


def exposure_problem(config: MockConfig) -> str | None:
    """The ``--expose`` / ``--allowed-host`` rule, as one line, or None when it holds.

    Off loopback the Host names to answer must be named (or ``*`` said explicitly): a name
    the mock does not know would otherwise reach it through DNS rebinding. Also checks each
    ``allowed_hosts`` and ``qa.admin_cors`` value. (For ``MockConfig.validate()``, issue 17.)
    """
    try:
        for name in config.allowed_hosts:
            host_name(name)
        for value in config.qa.admin_cors:
            origin(value)
    except ValueError as exc:
        return str(exc)
    if config.qa.admin_cors and not config.qa.admin:
        return "--admin-cors needs --admin"
    if not is_loopback(config.host) and not config.allowed_hosts:
        return (f"--host {config.host} needs --allowed-host NAME for each name clients use "
                "to reach the mock (or --allowed-host '*' to answer any Host header)")
    return None


def exposure_warnings(config: MockConfig) -> list[str]:
    """What the CLI prints on start-up about who can reach the mock."""
    warnings = []
    if not is_loopback(config.host):
        warnings.append(f"listening on {config.host}, reachable from other machines")
    if ANY_HOST in config.allowed_hosts:
        warnings.append("--allowed-host '*': any Host header is answered, so a web page can "
                        "reach this mock through DNS rebinding")
    return warnings


@dataclass(slots=True)
class QaConfig:
    """QA features (scenarios, rate limit, admin API, journal); all off by default."""

    scenarios: tuple[str, ...] = ()  # files or built-in names, active from the start
    watch: bool = False
    watch_interval: float = 0.5  # seconds between mtime polls with --watch
    rate_limit: str | None = None  # e.g. "100/min"
    admin: bool = False
    admin_token: str | None = None
    admin_cors: tuple[str, ...] = ()  # origins (normalized by origin()) that may drive /__mock/
    journal_size: int = 1000  # ring buffer size when the admin API is on; 0 = no journal


@dataclass(slots=True)
class ProxyConfig:
    """``--proxy UPSTREAM``: the routes forwarded to a real implementation, every exchange
    checked against the contract (mock_server.proxy)."""

    upstream: str  # base URL with the version prefix, e.g. https://staging.example/v1
    timeout: float = 10.0  # seconds for the upstream's whole answer; then 504
    strict: bool = False  # a violating answer becomes a 502 naming the checks
    record_dir: Path | None = None  # every contract-valid 200 written as a canned summary
