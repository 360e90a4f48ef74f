"""One configuration object for the kit, built the same way by the CLI and the pytest plugin.

Every option is declared once, in :data:`OPTIONS`: its flag, its environment variable, its
type and its help. The CLI turns the table into argparse flags, the pytest plugin into
``pytest --base-url ...`` options; both hand the raw values to :func:`resolve`, the only
place that fills defaults from the environment and validates them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api_contract.resources import default_spec_path

DEFAULT_MAX_EXAMPLES = 100
DEFAULT_SEED = 0
DEFAULT_TIMEOUT = 10.0
DEFAULT_SWEEP_BUDGET = 20.0


class UsageError(Exception):
    """A bad or missing option; the CLI prints it on one line and exits 2."""


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # attribute of KitConfig; the flag is --name-with-dashes
    env: str
    help: str
    metavar: str | None = None
    is_flag: bool = False
    # Under pytest a few names are taken (pytest's own --junit-xml and --strict, the popular
    # pytest-timeout's --timeout): those get another flag there, or none ("").
    pytest_flag: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def pytest_option(self) -> str:
        return self.flag if self.pytest_flag is None else self.pytest_flag


OPTIONS: tuple[Option, ...] = (
    Option("base_url", "FREDDY_BASE_URL", "base URL with the version prefix, "
           "e.g. http://127.0.0.1:8080/v1", "URL"),
    Option("api_key", "FREDDY_API_KEY", "an API key of --org-id", "KEY"),
    Option("org_id", "FREDDY_ORG_ID", "the organization the key belongs to", "ORG"),
    Option("foreign_org_id", "FREDDY_FOREIGN_ORG_ID", "an existing organization the key must "
           "NOT read (enables the tenant-isolation checks)", "ORG"),
    Option("spec", "FREDDY_SPEC", "OpenAPI spec (default: the bundled one)", "PATH"),
    Option("junit_xml", "FREDDY_JUNIT_XML", "write a JUnit XML report, one test case per check",
           "FILE", pytest_flag=""),
    Option("max_examples", "FREDDY_MAX_EXAMPLES",
           f"Schemathesis examples per generation mode (default {DEFAULT_MAX_EXAMPLES})", "N"),
    Option("seed", "FREDDY_SEED", f"seed of the generated cases (default {DEFAULT_SEED})", "N"),
    Option("timeout", "FREDDY_TIMEOUT",
           f"wall-clock timeout of one request in seconds (default {DEFAULT_TIMEOUT:g})", "SECONDS",
           pytest_flag="--contract-timeout"),
    Option("rate_limit", "FREDDY_RATE_LIMIT", "stay under N requests per s, m or h, e.g. 100/m "
           "(default: none; a 429 is waited out as its Retry-After says)", "N/UNIT"),
    Option("sweep_budget", "FREDDY_SWEEP_BUDGET", "seconds the sweep of every documented "
           f"month may take; months not reached by then are not sent "
           f"(default {DEFAULT_SWEEP_BUDGET:g})", "SECONDS"),
    Option("strict", "FREDDY_STRICT", "fail on fields the contract does not declare "
           "(otherwise they are only reported)", is_flag=True, pytest_flag="--contract-strict"),
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class KitConfig:
    base_url: str
    api_key: str
    org_id: str
    foreign_org_id: str | None = None
    spec: Path | None = None
    junit_xml: Path | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = DEFAULT_SEED
    timeout: float = DEFAULT_TIMEOUT
    rate_limit: str | None = None
    sweep_budget: float = DEFAULT_SWEEP_BUDGET
    strict: bool = False

    @property
    def min_interval(self) -> float:
        """Seconds between two requests under --rate-limit (0 without)."""
        if not self.rate_limit:
            return 0.0
        count, unit = self.rate_limit.split("/")
        return {"s": 1, "m": 60, "h": 3600}[unit] / int(count)

    @property
    def spec_path(self) -> Path:
        return self.spec if self.spec is not None else default_spec_path()


def _int(name: str, text: str, lo: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--{name.replace('_', '-')} must be an integer, got {text!r}") from None
    if value < lo:
        raise UsageError(f"--{name.replace('_', '-')} must be at least {lo}, got {value}")
    return value


def _seconds(name: str, text: str) -> float:
    flag = "--" + name.replace("_", "-")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{flag} must be a number of seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise UsageError(f"{flag} must be between 0 and 3600 seconds, got {text}")
    return value


def _rate(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]{0,6}/[smh]", text.strip()):
        raise UsageError(f"--rate-limit must look like 100/m (per s, m or h), got {text!r}")
    return text.strip()


def _flag(text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    if text.strip().lower() in _TRUE:
        return True
    if text.strip().lower() in _FALSE:
        return False
    raise UsageError(f"FREDDY_STRICT must be true or false, got {text!r}")


def _base_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL with a host, got {text!r}")
    if parts.query or parts.fragment:
        raise UsageError("--base-url must not carry a query or a fragment")
    return text.rstrip("/")


def resolve(
    given: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> KitConfig:
    """Build the config from given values (None = not given), falling back on the environment."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    for opt in OPTIONS:
        value = given.get(opt.name)
        if value is None or (opt.is_flag and value is False):
            value = env.get(opt.env) if opt.env in env else value
        if isinstance(value, str) and not opt.is_flag:
            value = value.strip() or None
        raw[opt.name] = value
    missing = [o.flag for o in OPTIONS[:3] if not raw[o.name]]
    if missing:
        envs = ", ".join(o.env for o in OPTIONS[:3] if not raw[o.name])
        raise UsageError(f"missing {', '.join(missing)} (or {envs})")
    return KitConfig(
        base_url=_base_url(raw["base_url"]),
        api_key=raw["api_key"],
        org_id=raw["org_id"],
        foreign_org_id=raw["foreign_org_id"],
        spec=Path(raw["spec"]) if raw["spec"] else None,
        junit_xml=Path(raw["junit_xml"]) if raw["junit_xml"] else None,
        max_examples=_int("max_examples", str(raw["max_examples"]), 1)
        if raw["max_examples"] is not None else DEFAULT_MAX_EXAMPLES,
        seed=_int("seed", str(raw["seed"]), 0) if raw["seed"] is not None else DEFAULT_SEED,
        timeout=_seconds("timeout", str(raw["timeout"]))
        if raw["timeout"] is not None else DEFAULT_TIMEOUT,
        rate_limit=_rate(raw["rate_limit"]) if raw["rate_limit"] else None,
        sweep_budget=_seconds("sweep_budget", str(raw["sweep_budget"]))
        if raw["sweep_budget"] is not None else DEFAULT_SWEEP_BUDGET,
        strict=_flag(raw["strict"]) if raw["strict"] is not None else False,
    )


def from_getter(get: Callable[[str], Any]) -> KitConfig:
    """Build the config from any ``get(option_name)`` (argparse namespace, pytest config)."""
    return resolve({opt.name: get(opt.name) for opt in OPTIONS})
