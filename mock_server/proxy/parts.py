"""The proxy's parts of the application (``ProxyParts``): upstream, key memory, recorder,
counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from api_contract.contract import Contract
from mock_server.config import ProxyConfig
from mock_server.proxy.memory import KeyMemory
from mock_server.proxy.recorder import Recorder, recorder_context
from mock_server.proxy.upstream import Upstream, session_context


@dataclass(slots=True)
class ProxyStats:
    forwarded: int = 0  # requests sent to the upstream
    local: int = 0  # answered by the proxy itself (Prefer, a scenario, a fault, a setting)
    failed: int = 0  # forwarded, and no usable answer came back (502, 504)
    violating: int = 0  # exchanges with at least one violation
    violations: Counter[str] = field(default_factory=Counter)  # check name -> exchanges

    def to_json(self) -> dict[str, Any]:
        return {"forwarded": self.forwarded, "local": self.local, "failed": self.failed,
                "violating": self.violating,
                "violations": dict(sorted(self.violations.items()))}


@dataclass(slots=True)
class ProxyParts:
    config: ProxyConfig
    upstream: Upstream
    memory: KeyMemory
    recorder: Recorder | None
    stats: ProxyStats = field(default_factory=ProxyStats)


PROXY: web.AppKey[ProxyParts] = web.AppKey("freddy_mock_proxy", ProxyParts)


def build_proxy(config: ProxyConfig, contract: Contract) -> ProxyParts:
    """Raises OSError or FixtureError when the --record directory cannot be used (the CLI
    checked it already: serve/proxy_cli.check_record_dir)."""
    recorder = None if config.record_dir is None else Recorder(
        config.record_dir, config.upstream, contract.fields, contract=contract)
    upstream = Upstream(config.upstream, config.timeout, contract.key_headers)
    return ProxyParts(config, upstream, KeyMemory(), recorder)


def setup_proxy(app: web.Application, proxy: ProxyParts) -> None:
    app[PROXY] = proxy
    app.cleanup_ctx.append(session_context(proxy.upstream))
    if proxy.recorder is not None:
        app.cleanup_ctx.append(recorder_context(proxy.recorder))
