"""YAML a user brings (a spec, fixtures, scenario files), bounded before it is believed.

A YAML alias (``*name``) repeats a node without repeating its bytes: nine levels of nine
aliases are 387 million nodes in a 500-byte file, and whatever walks or prints the value (a
validation message is a ``repr``) pays for all of them (a 476-byte scenario file took 50 s
and 6.2 GB). Aliases themselves are fine (the bundled spec uses anchors for its shared
fields), so what is capped is their expansion: the node graph is composed first (aliases
are shared nodes there, nothing is copied) and its expanded size counted, before any value
is built. Files are capped in size; every message quoting a file is cut to one short line.
The bundled files are trusted (``resources.is_bundled``) and skip the count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from api_contract.resources import YAML_LOADER

MAX_BYTES = 1024 * 1024  # per file
MAX_MESSAGE = 500  # characters of any message that quotes a file or its values
MAX_NODES = 200_000  # nodes a document may have once its aliases are expanded


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


def expanded_size(root: yaml.Node | None, limit: int) -> int:
    """Nodes the value of ``root`` has once every alias is expanded, counted up to just
    past ``limit`` (each distinct node is visited once: linear in the file, not in the
    expansion)."""
    if root is None:
        return 0
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            sizes[id(node)] = 1
            continue
        if not children_done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[id(node)] = min(limit + 1, 1 + sum(sizes[id(c)] for c in children))
    return sizes[id(root)]


def refuse_alias_bombs(text: str, root: yaml.Node | None = None) -> None:
    """:class:`YamlRefused` when the aliases of ``text`` expand beyond ``MAX_NODES``;
    ``root``: the composed document, when the caller has it already."""
    if "*" not in text:  # an alias is ``*name``: no star, no alias
        return
    if root is None:
        try:
            root = yaml.compose(text, Loader=YAML_LOADER)
        except yaml.YAMLError:
            return  # not valid YAML: the load that follows reports it, with its line
    if expanded_size(root, MAX_NODES) > MAX_NODES:
        raise YamlRefused(f"its YAML aliases expand to more than {MAX_NODES:,} nodes")


def load(text: str, *, trusted: bool = False) -> Any:
    """``yaml.load`` with the safe loader; alias bombs refused unless ``trusted``. Raises
    yaml.YAMLError or YamlRefused (also for nesting too deep for the pure-Python parser)."""
    if not trusted:
        refuse_alias_bombs(text)
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except RecursionError:
        raise YamlRefused("nested too deeply") from None
