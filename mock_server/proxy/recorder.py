"""``--record DIR``: the upstream's good answers kept as fixtures the mock replays.

Every 200 that keeps the contract (no response-side violation) is written to
``DIR/summaries.yaml`` as a canned summary (``body:``), keyed by the organization, year and
month it summarises; ``freddy-mock --fixtures DIR`` then answers it as it is. Errors and
violating 200s are counted, not recorded (a replayed mock never serves a broken body).

The key is never written. ``DIR/keys.yaml`` gets a made-up key for each recorded
organization that has none there yet (``replay-key-<org>``; entries already in the file
are kept, so a team can put its own), and no made-up key equals a key the proxy saw.

Writes are atomic (a temporary file, then a rename) and coalesced: at most one every
``FLUSH_DELAY`` seconds, and a last one when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from api_contract.contract import Contract
from api_contract.exchange import Reply, Violation
from api_contract.fields import MONTH, YEAR, SummaryFields
from api_contract.keys import digest
from api_contract.verdicts import RESPONSE
from mock_server.foundation.fixtures import (
    KEYS_SCHEMA,
    SUMMARIES_SCHEMA,
    check_body,
    read_document,
)

log = logging.getLogger("freddy_mock.proxy")
FLUSH_DELAY = 0.5
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _load(path: Path, field: str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """What an earlier recording (or the team) left in ``path``: read and checked as
    ``--fixtures DIR`` reads it (it is one); raises FixtureError."""
    if not path.exists():
        return []
    return list(read_document(path, schema)[field])


class Recorder:
    def __init__(self, directory: Path, upstream: str,
                 fields: SummaryFields | None = None, *,
                 contract: Contract | None = None) -> None:
        """Raises OSError, or FixtureError (one line) when a file in ``directory`` is not
        what ``--fixtures DIR`` accepts (its bodies checked against ``contract`` when
        given). ``fields``: the spec's field map, which says which fields of a summary are
        its year and month (None: nothing is observed)."""
        self.directory = Path(directory)
        self.fields = fields
        self.directory.mkdir(parents=True, exist_ok=True)
        self.upstream = upstream
        self.summaries: dict[tuple[str, int, int], dict[str, Any]] = {}
        self._kept: list[dict[str, Any]] = []  # entries by ``example:``, kept as they are
        path = self.directory / "summaries.yaml"
        for i, item in enumerate(_load(path, "summaries", SUMMARIES_SCHEMA)):
            if "body" in item:
                if contract is not None:
                    check_body(contract, item["body"], f"{path}: summaries/{i}")
                self.summaries[(item["org"], item["year"], item["month"])] = item["body"]
            else:
                self._kept.append(item)
        self.keys = _load(self.directory / "keys.yaml", "keys", KEYS_SCHEMA)
        self.recorded = 0  # answers recorded this run (a month answered twice counts twice)
        self.not_recorded: Counter[str] = Counter()  # reason -> answers
        self._seen: set[bytes] = set()  # digests of the keys sent through the proxy
        self._handle: asyncio.TimerHandle | None = None
        self._dirty = False

    def observe(self, org: str, reply: Reply | None, violations: Sequence[Violation],
                keys: Iterable[str]) -> None:
        self._seen.update(digest(k) for k in keys if k)
        if reply is None:
            self.not_recorded["no answer"] += 1
        elif reply.status != 200:
            self.not_recorded[f"HTTP {reply.status}"] += 1
        elif any(v.side == RESPONSE for v in violations):
            self.not_recorded["200 violating the contract"] += 1
        elif self.fields is not None:
            doc = reply.parse()[0]
            where = (org, doc[self.fields[YEAR]], doc[self.fields[MONTH]])
            self.recorded += 1
            if self.summaries.get(where) != doc:
                self.summaries[where] = doc
                self._changed()

    def _changed(self) -> None:
        self._dirty = True
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(FLUSH_DELAY, self.flush)

    def stats(self) -> dict[str, Any]:
        return {"directory": str(self.directory), "recorded": self.recorded,
                "summaries": len(self.summaries), "not_recorded": dict(self.not_recorded)}

    # -- writing -----------------------------------------------------------------------------
    def flush(self, *, final: bool = False) -> None:
        """Write the files if a summary changed (or, ``final``, if anything was seen: the
        header's counts then tell what was not recorded)."""
        self._handle = None
        if not self._dirty and not (final and (self.recorded or self.not_recorded)):
            return
        self._dirty = False
        try:
            self._write("keys.yaml", self._keys_header(), {"keys": self._all_keys()})
            items = [*self._kept, *({"org": o, "year": y, "month": m, "body": body}
                                    for (o, y, m), body in sorted(self.summaries.items()))]
            self._write("summaries.yaml", self._summaries_header(), {"summaries": items})
        except OSError as exc:
            log.error("--record: cannot write %s: %s", self.directory, exc.strerror or exc)

    def _all_keys(self) -> list[dict[str, Any]]:
        have = {k.get("org") for k in self.keys}
        for org in sorted({o for o, _, _ in self.summaries} - have):
            self.keys.append({"key": self._made_up_key(org), "org": org,
                              "label": f"recorded from {self.upstream}; not the real key"})
        return self.keys

    def _made_up_key(self, org: str) -> str:
        key = "replay-key-" + (_UNSAFE.sub("_", org)[:64] or "org")
        taken = {k.get("key") for k in self.keys}
        n = 1
        while key in taken or digest(key) in self._seen:
            n += 1
            key = f"{key.rsplit('~', 1)[0]}~{n}"
        return key

    def _keys_header(self) -> str:
        return ("# Keys for replaying what freddy-mock --record wrote next to this file.\n"
                "# The real keys are never stored: each recorded organization gets a\n"
                "# made-up key (edit freely; entries already here are kept).\n")

    def _summaries_header(self) -> str:
        counted = ", ".join(f"{reason} ×{n}" for reason, n in sorted(self.not_recorded.items()))
        return (f"# Recorded by freddy-mock --proxy {self.upstream} --record.\n"
                f"# Replay: freddy-mock --fixtures {self.directory}\n"
                "# Only 200 answers that keep the contract are recorded; the others are\n"
                f"# counted: {counted or 'none so far'}.\n")

    def _write(self, name: str, header: str, doc: dict[str, Any]) -> None:
        text = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        fd, tmp = tempfile.mkstemp(prefix="." + name, dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def recorder_context(recorder: Recorder) -> Callable[[web.Application], AsyncIterator[None]]:
    """Writes what is left when the server stops, and says what was recorded."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        yield
        if recorder._handle is not None:
            recorder._handle.cancel()
        recorder.flush(final=True)
        counted = sum(recorder.not_recorded.values())
        log.info("--record: %s: answers recorded: %d (summaries in the file: %d); "
                 "not recorded: %d", recorder.directory, recorder.recorded,
                 len(recorder.summaries), counted)

    return context
