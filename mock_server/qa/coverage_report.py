"""The coverage report as a file (``--coverage-report FILE``): JSON, or JUnit XML when the
name ends in ``.xml`` (one test case per outcome, those never met failed), so CI servers
show it as they show test results. And the check of ``--coverage-require``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import orjson

ALL = "all"  # --coverage-require all: every outcome of the catalogue
SUITE = "freddy-mock coverage"


def parse_require(text: str) -> tuple[str, ...]:
    """``NAME,NAME`` or ``all`` -> the names (``("all",)``); blanks dropped."""
    return tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))


def unknown(required: Iterable[str], names: Sequence[str]) -> list[str]:
    """The required names that are no outcome of the catalogue (``all`` is one)."""
    return [n for n in required if n != ALL and n not in names]


def missing_required(report: Mapping[str, Any], required: Iterable[str]) -> list[str]:
    """The required outcomes the report says were never met, in the catalogue's order."""
    wanted = set(required)
    return [n for n in report["missing"] if ALL in wanted or n in wanted]


def junit(report: Mapping[str, Any]) -> bytes:
    """One ``<testcase>`` per outcome; a ``<failure>`` on each one never met."""
    outcomes: Mapping[str, int] = report["outcomes"]
    suite = ElementTree.Element("testsuite", name=SUITE, tests=str(len(outcomes)),
                                failures=str(len(report["missing"])), errors="0",
                                skipped="0")
    for name, count in outcomes.items():
        case = ElementTree.SubElement(suite, "testcase", classname=SUITE, name=name)
        if count:
            ElementTree.SubElement(case, "system-out").text = f"met {count} times"
        else:
            ElementTree.SubElement(case, "failure", message="never met",
                                   type="uncovered").text = f"no request met {name}"
    suites = ElementTree.Element("testsuites", name=SUITE, tests=suite.get("tests", "0"),
                                 failures=suite.get("failures", "0"))
    suites.append(suite)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"


def render(report: Mapping[str, Any], path: Path) -> bytes:
    if path.suffix.lower() == ".xml":
        return junit(report)
    return orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n"


def write(report: Mapping[str, Any], path: Path) -> None:
    """Written whole or not at all (a temporary file beside it, then renamed)."""
    data = render(report, path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
