"""Report handlers: console lines (PASS/FAIL/SKIP) and a JUnit XML file (one case per check).

What a server sent reaches them already printable (:mod:`contract_tests.text`: violations
and notes escape control characters); the JUnit file also drops what XML 1.0 forbids.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from contract_tests.config import KitConfig, UsageError
from contract_tests.registry import Check
from contract_tests.runner import Outcome, Result
from contract_tests.text import xml_safe

SUITE = "freddy-contract"


class ConsoleReport:
    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def start(self, config: KitConfig, checks: Sequence[Check]) -> None:
        self._print(f"freddy-contract: {len(checks)} checks against {config.base_url} "
                    f"(org {config.org_id}, spec {config.spec_path})")

    def result(self, result: Result) -> None:
        line = f"{result.outcome.value} {result.check.name}"
        if result.outcome is Outcome.FAIL and result.violation is not None:
            v = result.violation
            line += f"\n     expected: {v.expected}\n     got:      {v.got}"
            if v.request is not None:
                line += f"\n     reproduce: {v.request.curl()}"
        elif result.note:
            line += f" ({result.note})"
        self._print(line)

    def finish(self, results: Sequence[Result], seconds: float) -> None:
        counts = {o: sum(r.outcome is o for r in results) for o in Outcome}
        verdict = "VIOLATES the contract" if counts[Outcome.FAIL] else "conforms"
        self._print(f"{counts[Outcome.PASS]} passed, {counts[Outcome.FAIL]} failed, "
                    f"{counts[Outcome.SKIP]} skipped in {seconds:.1f} s: the server {verdict}")


class JUnitReport:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def open(cls, path: Path) -> JUnitReport:
        """Fail before the run, not after it, when the report cannot be written."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise UsageError(f"cannot write --junit-xml {path}: {exc.strerror or exc}") from None
        return cls(path)

    def start(self, config: KitConfig, checks: Sequence[Check]) -> None:
        pass

    def result(self, result: Result) -> None:
        pass

    def finish(self, results: Sequence[Result], seconds: float) -> None:
        suite = ET.Element("testsuite", name=SUITE, tests=str(len(results)),
                           failures=str(sum(r.outcome is Outcome.FAIL for r in results)),
                           skipped=str(sum(r.outcome is Outcome.SKIP for r in results)),
                           errors="0", time=f"{seconds:.3f}")
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=f"{SUITE}.{r.check.family}",
                                 name=r.check.name, time=f"{r.seconds:.3f}")
            if r.outcome is Outcome.FAIL and r.violation is not None:
                v = r.violation
                message = xml_safe(f"expected {v.expected}; got {v.got}")[:1000]
                failure = ET.SubElement(case, "failure", message=message)
                failure.text = xml_safe(v.describe())
            elif r.outcome is Outcome.SKIP:
                ET.SubElement(case, "skipped", message=xml_safe(r.note or ""))
            elif r.note:
                ET.SubElement(case, "system-out").text = xml_safe(r.note)
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(self.path, encoding="utf-8", xml_declaration=True)
