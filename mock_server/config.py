"""One configuration object, built by the CLI and by tests alike, and one check of it.

:meth:`MockConfig.validate` holds every rule a configuration must satisfy (loopback unless
``expose``, an admin token off loopback, ranges of ports, workers and sizes, the rate
syntax); the CLI, the pytest plugin and ``create_app`` all call it, so a config built in
code is refused exactly as the same flags would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from api_contract.keys import mask_key
from api_contract.resources import default_fixtures_dir, default_spec_path
from mock_server.foundation.syntax import (
    ANY_HOST,
    host_name,
    int_in,
    is_header_name,
    is_loopback,
    origin,
    parse_rate,
    seconds,
)
from mock_server.foundation.tenants import MAX_TENANTS

MAX_WORKERS = 64
MAX_PROXY_TIMEOUT = 600  # seconds
MAX_JOURNAL = 1_000_000
MAX_CONNECTIONS = 1_000_000
MAX_DELAY_MS = 60_000  # the longest delay anyone may ask for: Prefer, scenarios, settings
MAX_DELAYED = 256  # default cap on requests delayed or stalled at once (runtime/delays.py)
MAX_SESSIONS = 1_000_000  # the highest --max-sessions
MAX_SESSION_TTL = 7 * 86_400  # seconds: the longest --session-ttl
STATE_SCHEMES = ("redis://", "rediss://", "unix://")  # --state besides "memory"
OUTCOME_KINDS = ("status:", "fault:", "scenario:", "header:", "data:")  # qa/outcomes.py


class ConfigError(ValueError):
    """A configuration the mock refuses; the message is one line, naming the flag."""


@dataclass(slots=True)
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    spec_path: Path = field(default_factory=default_spec_path)
    fixtures_dir: Path = field(default_factory=default_fixtures_dir)
    seed: int = 0
    now: datetime | None = None  # frozen clock; None follows the real UTC clock
    keys: tuple[tuple[str, str], ...] = ()  # extra (key, org) pairs on top of the fixtures
    tenants: int = 0  # generated organizations with keys (foundation/tenants.py), 0-10000
    access_log: bool = False
    expose: bool = False  # explicit consent to bind to a non-loopback address
    # Host header names answered besides the loopback ones ("*": any; ".example.com": the
    # name and its subdomains), normalized by host_name(); see stages/hosts.py.
    allowed_hosts: tuple[str, ...] = ()
    # CORS request headers a preflight may use: None echoes whatever it asks for (valid
    # names only); a tuple allows the API's own headers plus these (--cors-allow-header).
    cors_allow_headers: tuple[str, ...] | None = None
    workers: int = 1  # processes serving the port (SO_REUSEPORT); >1 shares runtime state
    # Where the runtime state lives (runtime/): "memory" (with workers > 1: an SQLite file
    # the workers share) or "redis://host:port/db".
    state: str = "memory"
    # Bounded resources, per process (see docs/hostile-input.md):
    max_connections: int = 1024  # open connections; one more is answered 503 and closed
    header_timeout: float = 10.0  # seconds a started request head may take to arrive: 408
    idle_timeout: float = 15.0  # seconds a connection may sit idle (keep-alive or new)
    max_delayed: int = MAX_DELAYED  # requests held at once by a delay or a stall: 503
    qa: QaConfig = field(default_factory=lambda: QaConfig())
    proxy: ProxyConfig | None = None  # --proxy: forward to a real server, check its answers

    def validate(self) -> None:
        """Raise :class:`ConfigError` (one line) for the first rule this config breaks."""
        problem = (self._problem() or self.qa.problem(self.host) or exposure_problem(self)
                   or (self.proxy.problem(self.workers) if self.proxy is not None else None))
        if problem:
            raise ConfigError(problem)

    def _problem(self) -> str | None:
        if not is_loopback(self.host) and not self.expose:
            return (f"refusing to bind to non-loopback address {self.host[:80]!r}; "
                    "pass --expose to allow it")
        if not int_in(self.port, 0, 65535):
            return f"not a port number (0-65535): {self.port!r:.40}"
        if not int_in(self.workers, 1, MAX_WORKERS):
            return f"not a worker count (1-{MAX_WORKERS}): {self.workers!r:.40}"
        if not isinstance(self.state, str) or (
                self.state != "memory" and not self.state.startswith(STATE_SCHEMES)):
            shown = str(self.state).rpartition("@")[2][:60]  # never a password
            return f"--state: expected memory or redis://HOST:PORT/DB, got {shown!r}"
        if self.state != "memory" and not _parses(self.state):
            shown = self.state.rpartition("@")[2][:60]  # never a password
            return f"--state: not a URL such as redis://HOST:PORT/DB: {shown!r}"
        if not int_in(self.tenants, 0, MAX_TENANTS):
            return f"not a tenant count (0-{MAX_TENANTS}): {self.tenants!r:.40}"
        for key, org in self.keys:
            if not key.strip() or not org.strip():
                return f"--key: expected KEY=ORG, got {mask_key(key)!r}={org[:40]!r}"
        if not int_in(self.max_connections, 1, MAX_CONNECTIONS):
            return f"not a connection cap (1-{MAX_CONNECTIONS}): {self.max_connections!r:.40}"
        if not int_in(self.max_delayed, 1, MAX_CONNECTIONS):
            return f"not a cap on delayed requests (1-{MAX_CONNECTIONS}): " \
                   f"{self.max_delayed!r:.40}"
        for name, value in (("header", self.header_timeout), ("idle", self.idle_timeout)):
            if not seconds(value):
                return f"--{name}-timeout must be a positive number of seconds: {value!r:.40}"
        for name in self.cors_allow_headers or ():
            if not isinstance(name, str) or not is_header_name(name):
                return f"--cors-allow-header: not a header name: {str(name)[:40]!r}"
        return None


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
    # Coverage of the contract's outcomes (qa/coverage.py): the report written when the
    # mock stops (JSON, or JUnit XML for a .xml name), and the outcomes it must have met
    # (names, or "all") for exit 0; exit 3 otherwise.
    coverage_report: Path | None = None
    coverage_require: tuple[str, ...] = ()
    session_ttl: float = 1800.0  # seconds a session (X-Mock-Session) lives after its last use
    max_sessions: int = 10_000  # sessions kept at once; a new one beyond gets 503

    def problem(self, host: str) -> str | None:
        """The first rule broken, given the address the mock binds to; None when none."""
        if self.admin and not self.admin_token and not is_loopback(host):
            return f"--admin on non-loopback address {host[:80]!r} needs --admin-token"
        if not int_in(self.journal_size, 0, MAX_JOURNAL):
            return f"not a journal size (0-{MAX_JOURNAL}): {self.journal_size!r:.40}"
        if not int_in(self.max_sessions, 1, MAX_SESSIONS):
            return f"not a session cap (1-{MAX_SESSIONS}): {self.max_sessions!r:.40}"
        if not (seconds(self.session_ttl, MAX_SESSION_TTL) and self.session_ttl >= 1):
            return (f"--session-ttl must be 1 s to {MAX_SESSION_TTL // 86_400} days: "
                    f"{self.session_ttl!r:.40}")
        if self.rate_limit is not None:
            try:
                parse_rate(self.rate_limit)
            except ValueError as exc:
                return f"--rate-limit: {exc}"
        for name in self.coverage_require:
            if name != "all" and not name.startswith(OUTCOME_KINDS):
                return (f"--coverage-require: not an outcome name: {name[:64]!r} (expected "
                        "all, or names such as status:429, fault:reset, data:no-usage)")
        if self.coverage_report is not None and not Path(self.coverage_report).parent.is_dir():
            return f"--coverage-report: no such directory: {str(self.coverage_report)[:120]!r}"
        if self.watch:
            if not any(Path(s).suffix in (".yaml", ".yml") or Path(s).exists()
                       for s in self.scenarios):
                return "--watch needs at least one --scenarios FILE to watch"
            if not seconds(self.watch_interval):
                return ("watch interval must be a positive number of seconds: "
                        f"{self.watch_interval!r:.40}")
        return None


def _parses(url: str) -> bool:
    """``url`` splits, with a host and port that parse (``redis://[bad`` does not)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
        parts.hostname  # noqa: B018
    except ValueError:
        return False
    return True


@dataclass(slots=True)
class ProxyConfig:
    """``--proxy UPSTREAM``: the routes forwarded to a real implementation, every exchange
    checked against the contract (mock_server.proxy)."""

    upstream: str  # base URL with the version prefix, e.g. https://staging.example/v1
    timeout: float = 10.0  # seconds for the upstream's whole answer; then 504
    strict: bool = False  # a violating answer becomes a 502 naming the checks
    record_dir: Path | None = None  # every contract-valid 200 written as a canned summary
    # --proxy-cors: origins (normalized by syntax.origin) granted CORS besides loopback ones
    cors_origins: tuple[str, ...] = ()

    def problem(self, workers: int) -> str | None:
        parts = urlsplit(self.upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"--proxy: not an http(s) base URL: {self.upstream[:80]!r}"
        if parts.username or parts.password or parts.query or parts.fragment:
            return "--proxy: give the base URL only (no credentials, query or fragment)"
        try:
            parts.port  # noqa: B018  (raises on a bad port)
        except ValueError:
            return f"--proxy: bad port in {self.upstream[:80]!r}"
        if not seconds(self.timeout, MAX_PROXY_TIMEOUT):
            return f"not a timeout in seconds (0-{MAX_PROXY_TIMEOUT}]: {self.timeout!r:.40}"
        for value in self.cors_origins:
            try:
                if origin(value) != value:
                    raise ValueError
            except ValueError:
                return f"--proxy-cors: not an origin such as http://localhost:3000: {value!r:.60}"
        if self.record_dir is not None and workers > 1:
            return "--record needs --workers 1 (one process writes the files)"
        return None
