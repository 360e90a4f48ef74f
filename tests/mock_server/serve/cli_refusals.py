"""What every refused flag must look like: exit 2, one line on stderr, no traceback."""

from __future__ import annotations

from helpers import run


def refused(*args: str) -> str:
    """Run ``freddy-mock ARGS``; assert it is refused as a bad flag; the line it printed."""
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]
