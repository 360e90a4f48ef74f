"""One configuration object, built by the CLI and by tests alike."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mock_server.resources import default_fixtures_dir, default_spec_path


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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
