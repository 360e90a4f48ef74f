"""The QA features' parts of the application (:class:`QaParts`), built once from :class:`QaConfig`.

``catalog`` is replaced as a whole when ``--watch`` reloads the files (never mutated), so
a request in flight keeps the catalog it started with. Everything that changes per request
lives in ``runtime``, the backend of the runtime state (``--state``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from api_contract.contract import Contract
from api_contract.resources import default_fixtures_dir
from mock_server.config import MockConfig
from mock_server.qa.coverage import Coverage
from mock_server.qa.ratelimit import RateLimit
from mock_server.qa.scenario_files import Catalog, ScenarioError, load_catalog, resolve
from mock_server.runtime.base import StateBackend
from mock_server.runtime.control import Activation, Overrides
from mock_server.runtime.delays import DelayGate
from mock_server.runtime.factory import build_backend
from mock_server.runtime.journal import Journal

__all__ = ["DOCUMENTED_LIMIT", "Overrides", "QaParts", "build_qa"]

DOCUMENTED_LIMIT = 100  # requests per minute per organization (vendor's analytics docs)
DOCUMENTED_PERIOD = 60  # seconds


@dataclass(slots=True)
class QaParts:
    runtime: StateBackend
    catalog: Catalog
    builtin_dir: Path
    rate_limit: RateLimit | None
    journal: Journal | None
    rng: random.Random
    coverage: Coverage  # which of the contract's outcomes clients met (qa/coverage.py)
    reloads: int = 0
    reload_error: str | None = None
    watching: bool = False  # the --watch task is running (false once it stops, for any reason)
    # cap on requests held at once (MockConfig.max_delayed, --max-delayed)
    delays: DelayGate = field(default_factory=DelayGate)

    def reseed(self, seed: int, worker: int) -> None:
        """A generator of this worker's own (``--workers N``, after the fork): a copy of
        the parent's would draw the same sequence in every worker. Deterministic per seed
        and worker index."""
        self.rng = random.Random(f"{seed}/worker-{worker}")

    @property
    def overrides(self) -> Overrides:
        """The run-time settings now in force (held by the runtime, shared like it)."""
        return self.runtime.overrides

    @property
    def documented_limit(self) -> RateLimit:
        """The limit a 429 asked for (``Prefer: code=429``, the ``rate-limited`` scenario)
        reports: ``--rate-limit``'s, with its period, else the vendor's 100/min."""
        return self.rate_limit if self.rate_limit is not None else RateLimit(
            DOCUMENTED_LIMIT, DOCUMENTED_PERIOD)


def builtin_dir() -> Path:
    return default_fixtures_dir() / "scenarios"


def build_qa(config: MockConfig, contract: Contract) -> QaParts:
    """Raises ScenarioError (bad file or name or rate) or StateError (Redis)."""
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
    size = qa.journal_size if qa.admin else 0
    runtime, journal = build_backend(config, initial, size)
    return QaParts(
        runtime=runtime,
        catalog=catalog,
        builtin_dir=directory,
        rate_limit=rate,
        journal=journal,
        rng=random.Random(config.seed),
        coverage=Coverage(contract, runtime),
        delays=DelayGate(config.max_delayed),
    )
