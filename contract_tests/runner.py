"""Run checks in order and hand each result to the report handlers.

A check that raises :class:`ContractViolation` fails; :class:`CheckSkipped` skips; any other
exception is a defect of the kit or a shape it did not foresee, reported as a failure of that
check with the exception's one-line summary, never as a traceback.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from api_contract.contract import Contract, ContractError, load_contract
from contract_tests.config import KitConfig, UsageError
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped, ContractViolation
from contract_tests.registry import Check
from contract_tests.text import printable
from contract_tests.transport import Client, host_of


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class Result:
    """What one check came to: its outcome, how long it took, and why (a violation for a
    failure, a note for a pass or a skip)."""

    check: Check
    outcome: Outcome
    seconds: float
    violation: ContractViolation | None = None
    note: str | None = None


class Handler(Protocol):
    def start(self, config: KitConfig, checks: Sequence[Check]) -> None: ...
    def result(self, result: Result) -> None: ...
    def finish(self, results: Sequence[Result], seconds: float) -> None: ...


class StartError(Exception):
    """The run cannot start (unreadable spec, unreachable target): exit 2."""


def load(config: KitConfig) -> Contract:
    try:
        return load_contract(config.spec_path)
    except ContractError as exc:
        raise StartError(str(exc)) from None


def probe(config: KitConfig) -> None:
    """The target accepts TCP connections; a slow or broken HTTP answer is for the checks."""
    host, port = host_of(config.base_url)
    try:
        with socket.create_connection((host, port), timeout=config.timeout):
            pass
    except OSError as exc:
        raise StartError(f"cannot reach {host}:{port}: {exc.strerror or exc}") from None


def run_one(ctx: Context, chk: Check) -> Result:
    start = time.monotonic()
    try:
        note = chk(ctx)
    except ContractViolation as violation:
        return Result(chk, Outcome.FAIL, time.monotonic() - start, violation)
    except CheckSkipped as skipped:
        return Result(chk, Outcome.SKIP, time.monotonic() - start, note=printable(str(skipped)))
    except Exception as exc:  # a shape the check did not foresee: still a verdict
        violation = ContractViolation(check=chk.name, expected="an answer the check can read",
                                      got=f"{type(exc).__name__}: {str(exc)[:200]}")
        return Result(chk, Outcome.FAIL, time.monotonic() - start, violation)
    return Result(chk, Outcome.PASS, time.monotonic() - start,
                  note=printable(note) if note else note)


def open_context(config: KitConfig) -> Context:
    """Load the spec and probe the target; raises StartError or UsageError."""
    contract = load(config)
    probe(config)
    return Context(config, contract, Client(config.base_url, config.timeout, config.min_interval))


def run(config: KitConfig, checks: Iterable[Check], handlers: Sequence[Handler]) -> list[Result]:
    checks = list(checks)
    ctx = open_context(config)
    for h in handlers:
        h.start(config, checks)
    started = time.monotonic()
    results: list[Result] = []
    try:
        for chk in checks:
            result = run_one(ctx, chk)
            results.append(result)
            for h in handlers:
                h.result(result)
    finally:
        ctx.client.close()
    for h in handlers:
        h.finish(results, time.monotonic() - started)
    return results


__all__ = ["Handler", "Outcome", "Result", "StartError", "UsageError", "open_context", "run"]
