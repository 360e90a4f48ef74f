"""``freddy-contract``: verify a server against the contract.

Exit 0: it conforms. Exit 1: at least one violation. Exit 2: bad usage, an unreadable spec,
or a target that cannot be reached at the start (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from api_contract import __version__
from contract_tests.checks import all_checks
from contract_tests.config import OPTIONS, KitConfig, UsageError, from_getter
from contract_tests.hints import base_path_hint
from contract_tests.report import ConsoleReport, JUnitReport
from contract_tests.runner import Handler, Outcome, StartError, load, run

PROG = "freddy-contract"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    checks = "\n".join(f"  {c.name:26} {c.summary}" for c in all_checks())
    p = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Verify an implementation of the Freddy API-key usage summary "
                            "against its contract (the OpenAPI spec).",
                epilog=f"checks:\n{checks}\n\nexit codes: 0 conforms, 1 violation, "
                       "2 bad usage / unreadable spec / unreachable target")
    # One version for the distribution (freddy-mock ships both commands).
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    for opt in OPTIONS:
        if opt.is_flag:
            p.add_argument(opt.flag, action="store_true", default=None,
                           help=f"{opt.help} [env {opt.env}]")
        else:
            p.add_argument(opt.flag, metavar=opt.metavar, default=None,
                           help=f"{opt.help} [env {opt.env}]")
    return p


def parse(argv: Sequence[str] | None) -> KitConfig:
    ns = build_parser().parse_args(argv)
    return from_getter(lambda name: getattr(ns, name))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        config = parse(argv)
        handlers: list[Handler] = [ConsoleReport()]
        if config.junit_xml is not None:
            handlers.append(JUnitReport.open(config.junit_xml))
        results = run(config, all_checks(), handlers)
        if any(r.outcome is Outcome.FAIL for r in results):
            hint = base_path_hint(config, load(config))
            if hint:
                print(f"{PROG}: hint: {hint}", file=sys.stderr)
    except (UsageError, StartError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 1 if any(r.outcome is Outcome.FAIL for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
