"""YAML a user brings (a spec, fixtures, scenario files), bounded before it is believed.

A YAML alias (``*name``) repeats a node without repeating its bytes: nine levels of ten
aliases are a billion nodes in a 500-byte file, and whatever walks or prints the value (a
validation message is a ``repr``) pays for all of them (a 476-byte scenario file took 50 s
and 6.2 GB). No file of the contract needs aliases, so they are refused before the value
is built; files are capped in size; every message quoting a file is cut to one short line.
The bundled files are trusted (``resources.is_bundled``) and skip the alias scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from api_contract.resources import YAML_LOADER

MAX_BYTES = 1024 * 1024  # per file
MAX_MESSAGE = 300  # characters of any message that quotes a file or its values


class YamlRefused(ValueError):
    """The file is too large, or uses what this project refuses (aliases); one line."""


def bounded(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` as one line of at most ``limit`` characters: its head and its tail
    (where a validation message says what is wrong), the middle cut out."""
    line = " ".join(str(message).split())
    if len(line) <= limit:
        return line
    tail = limit // 3
    return line[: limit - tail - 5] + " ... " + line[-tail:]


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """The file's text; :class:`YamlRefused` beyond ``limit`` bytes (never read further).
    Raises OSError and UnicodeDecodeError as ``Path.read_text`` does."""
    with Path(path).open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise YamlRefused(f"larger than {limit // 1024} KiB")
    return data.decode("utf-8")


def refuse_aliases(text: str) -> None:
    """:class:`YamlRefused` at the first alias; the scan builds no value (events only)."""
    if "*" not in text:  # an alias is ``*name``: no star, no alias
        return
    try:
        for event in yaml.parse(text, Loader=YAML_LOADER):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise YamlRefused(f"line {line}: YAML aliases (*{str(event.anchor)[:40]}) "
                                  "are not allowed")
    except yaml.YAMLError:
        return  # not valid YAML: the load that follows reports it, with its line


def load(text: str, *, trusted: bool = False) -> Any:
    """``yaml.load`` with the safe loader; aliases refused unless ``trusted``. Raises
    yaml.YAMLError or YamlRefused (also for nesting too deep for the pure-Python parser)."""
    if not trusted:
        refuse_aliases(text)
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except RecursionError:
        raise YamlRefused("nested too deeply") from None
