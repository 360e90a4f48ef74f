"""The QA features' share of the application state, built once from :class:`QaConfig`.

``catalog`` is replaced as a whole when ``--watch`` reloads the files (never mutated), so
a request in flight keeps the catalog it started with. Everything that changes per request
lives in ``runtime``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from api_contract.contract import Contract
from api_contract.resources import default_fixtures_dir
from mock_server.config import MockConfig
from mock_server.qa.delays import DelayGate
from mock_server.qa.journal import Journal
from mock_server.qa.ratelimit import RateLimit
from mock_server.qa.runtime import Activation, LocalRuntime, RuntimeState
from mock_server.qa.scenario_files import Catalog, ScenarioError, load_catalog, resolve
from mock_server.qa.shared_runtime import SharedRuntime

DOCUMENTED_LIMIT = 100  # requests per minute per organization (vendor's analytics docs)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Set at run time with ``POST /__mock/settings`` (the control page's latency slider and
    error buttons); replaced as a whole, never mutated. Per process with ``--workers N``."""

    delay_ms: int = 0  # added to every answer of the API (Prefer: delay= replaces it)
    errors: Mapping[str | None, int] = field(default_factory=dict)  # org (None: all) -> status

    @property
    def steer(self) -> bool:
        """Does any setting change answers? (False by default: checked per request.)"""
        return bool(self.delay_ms or self.errors)

    def error_for(self, org: str) -> int | None:
        if not self.errors:
            return None
        return self.errors.get(org, self.errors.get(None))


@dataclass(slots=True)
class QaState:
    runtime: RuntimeState
    catalog: Catalog
    builtin_dir: Path
    rate_limit: RateLimit | None
    journal: Journal | None
    rng: random.Random
    reloads: int = 0
    reload_error: str | None = None
    watching: bool = False  # the --watch task is running (false once it stops, for any reason)
    overrides: Overrides = field(default_factory=Overrides)
    # cap on requests held at once (MockConfig.max_delayed, --max-delayed)
    delays: DelayGate = field(default_factory=DelayGate)

    def reseed(self, seed: int, worker: int) -> None:
        """A generator of this worker's own (``--workers N``, after the fork): a copy of
        the parent's would draw the same sequence in every worker. Deterministic per seed
        and worker index."""
        self.rng = random.Random(f"{seed}/worker-{worker}")

    @property
    def documented_limit(self) -> int:
        return self.rate_limit.limit if self.rate_limit is not None else DOCUMENTED_LIMIT


def builtin_dir() -> Path:
    return default_fixtures_dir() / "scenarios"


def build_qa(config: MockConfig, contract: Contract) -> QaState:
    """Raises ScenarioError (bad file or name) or ValueError (bad rate)."""
    qa = config.qa
    directory = builtin_dir()
    files: list[Path] = []
    names: list[str] = []
    for spec in qa.scenarios:
        path, name = resolve(spec, directory)
        if path is None:
            names.append(name)
        else:
            files.append(path)
    catalog = load_catalog(directory, files, contract)
    by_source = {s.source: s.name for s in catalog.scenarios.values()}
    initial = [Activation(n) for n in names]
    initial += [Activation(by_source[str(p)]) for p in files if str(p) in by_source]
    try:
        rate = RateLimit.parse(qa.rate_limit) if qa.rate_limit else None
    except ValueError as exc:
        raise ScenarioError(f"--rate-limit: {exc}") from None
    journal = Journal(qa.journal_size) if qa.admin and qa.journal_size > 0 else None
    return QaState(
        # With --workers N the processes share one runtime (made here, before the fork).
        runtime=SharedRuntime(initial) if config.workers > 1 else LocalRuntime(initial),
        catalog=catalog,
        builtin_dir=directory,
        rate_limit=rate,
        journal=journal,
        rng=random.Random(config.seed),
        delays=DelayGate(config.max_delayed),
    )
