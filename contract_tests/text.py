"""Server-derived text made safe to show: on a terminal, in a shell command, in XML.

A ``Content-Type`` or a body excerpt may carry terminal escape sequences (set the window
title, clear the screen, draw a fake PASS line), line breaks that forge report lines, or
bidirectional overrides that reorder what is read. :func:`printable` writes each such
character as a visible escape (``\\x1b``); :func:`shell_quote` keeps a reproducing command
exact with bash's ``$'...'`` quoting; :func:`xml_safe` drops what XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import shlex
import unicodedata

# Not control characters by category, but they move or hide text: bidi embeddings,
# overrides and isolates, the line and paragraph separators.
_INVISIBLE = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _unsafe(char: str) -> bool:
    return char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, bidi and separator character written as an escape."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if _unsafe(c) else c for c in text)


def shell_quote(text: str) -> str:
    """A shell word for ``text``: ``shlex.quote`` when printable, else bash's ``$'...'``."""
    if not any(map(_unsafe, text)):
        return shlex.quote(text)
    body = "".join(_escape(c) if _unsafe(c) else "\\" + c if c in "\\'" else c for c in text)
    return f"$'{body}'"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (most C0 controls, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", text)
