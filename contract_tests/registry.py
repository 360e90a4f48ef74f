"""Checks: small named functions, declared with :func:`check` and collected per family.

A check takes the run's :class:`~contract_tests.context.Context`, raises
:class:`~contract_tests.failures.ContractViolation` when the server breaks its rule, raises
:class:`~contract_tests.failures.CheckSkipped` when it cannot run, and may return a short
note shown on its PASS line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract_tests.context import Context

CheckFn = Callable[["Context"], str | None]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    family: str
    summary: str
    fn: CheckFn

    def __call__(self, ctx: Context) -> str | None:
        return self.fn(ctx)


def check(name: str, summary: str) -> Callable[[CheckFn], Check]:
    """Declare a check; its family is the module it lives in."""

    def wrap(fn: CheckFn) -> Check:
        return Check(name, fn.__module__.rsplit(".", 1)[-1], summary, fn)

    return wrap


def collect(modules: Iterable[ModuleType]) -> tuple[Check, ...]:
    """Every check of the modules, in module order then declaration order."""
    found: list[Check] = []
    for module in modules:
        found += [v for v in vars(module).values() if isinstance(v, Check)]
    names = [c.name for c in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"check names used twice: {sorted(duplicates)}")
    return tuple(found)
