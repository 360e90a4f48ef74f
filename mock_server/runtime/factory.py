"""The backend ``--state`` and ``--workers`` ask for: memory, an SQLite file, or Redis."""

from __future__ import annotations

from mock_server.config import MockConfig
from mock_server.runtime.base import StateBackend
from mock_server.runtime.control import Activation
from mock_server.runtime.journal import Journal
from mock_server.runtime.memory import MemoryBackend
from mock_server.runtime.sessions import Limits


def build_backend(config: MockConfig, initial: list[Activation],
                  journal_size: int) -> tuple[StateBackend, Journal | None]:
    """The backend ``--state`` and ``--workers`` ask for, and its journal (``journal_size``
    0: none). Made here, before any fork; each process connects in ``runtime.start()``.
    Raises StateError when Redis cannot be used."""
    limits = Limits(config.qa.session_ttl, config.qa.max_sessions)
    if config.state != "memory":
        from mock_server.runtime.redis_backend import RedisBackend  # imports redis
        from mock_server.runtime.redis_link import probe

        probe(config.state)
        redis_backend = RedisBackend(config.state, initial, journal_size, limits)
        return redis_backend, redis_backend.journal
    if config.workers > 1:  # one host: the workers share a file the parent makes now
        from mock_server.runtime.file import FileBackend  # (sqlite3: only when used)

        file_backend = FileBackend(initial, journal_size, limits)
        return file_backend, file_backend.journal
    return MemoryBackend(initial, limits), Journal(journal_size) if journal_size > 0 else None
