"""The spec's schemas as jsonschema validators, each compiled on first use.

jsonschema with its format checkers, and compiling the schemas, were a quarter of the
mock's start-up, and serving never needs them: so nothing here imports jsonschema until a
validator is first asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


VERDICTS = 1024  # remembered verdicts per Validators (first_error)


class Validators(Mapping[Any, "Draft202012Validator"]):
    """Schemas by key (a status, or ``"envelope"``), each compiled on first access."""

    def __init__(self, schemas: Mapping[Any, Mapping[str, Any]]) -> None:
        self.schemas = dict(schemas)
        self._compiled: dict[Any, Draft202012Validator] = {}
        self._verdicts: LRUCache[tuple[Any, bytes], Any] = LRUCache(VERDICTS)  # first_error

    def __getitem__(self, key: Any) -> Draft202012Validator:
        validator = self._compiled.get(key)
        if validator is None:
            validator = self._compiled[key] = compile_schema(self.schemas[key])
        return validator

    def __iter__(self) -> Iterator[Any]:
        return iter(self.schemas)

    def __len__(self) -> int:
        return len(self.schemas)

    def first_error(self, key: Any, doc: Any, raw: bytes) -> Any:
        """The first error (by path) of ``doc`` against schema ``key``, or None; ``raw`` is
        the document's bytes: the verdict for the same bytes is remembered (a bounded memo,
        least recently used out; answers repeat, and validating is most of what checking
        one costs)."""
        memo = (key, raw)
        if memo in self._verdicts:
            return self._verdicts[memo]
        errors = sorted(self[key].iter_errors(doc), key=lambda e: list(e.path))
        first = errors[0] if errors else None
        self._verdicts[memo] = first
        return first

    def compile_all(self) -> None:
        """Check and compile every schema now (jsonschema raises on a bad one)."""
        for key in self.schemas:
            self[key]


def compile_schema(schema: Mapping[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker

    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())
