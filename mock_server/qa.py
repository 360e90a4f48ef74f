"""The QA features' share of the application state, built once from :class:`QaConfig`.

``catalog`` is replaced as a whole when ``--watch`` reloads the files (never mutated), so
a request in flight keeps the catalog it started with. Everything that changes per request
lives in ``runtime``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from mock_server.config import MockConfig
from mock_server.contract import Contract
from mock_server.journal import Journal
from mock_server.ratelimit import RateLimit
from mock_server.resources import default_fixtures_dir
from mock_server.runtime import Activation, LocalRuntime, RuntimeState
from mock_server.scenario_files import Catalog, ScenarioError, load_catalog, resolve
from mock_server.shared_runtime import SharedRuntime

DOCUMENTED_LIMIT = 100  # requests per minute per organization (vendor's analytics docs)


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
    )
