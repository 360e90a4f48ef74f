"""The npm tools the spec tests run, installed once per lock file into a cache.

``package.json`` / ``package-lock.json`` beside this file pin Spectral, Redocly CLI,
openapi-typescript, openapi-fetch and TypeScript. :func:`ensure` runs ``npm ci`` into
``<cache>/node-tools-<hash of both files>`` only when that directory is missing, so a CI
run after the first (and every local run) spends no time on npm. ``<cache>`` is
``$FREDDY_NODE_TOOLS_CACHE``, else ``$XDG_CACHE_HOME/freddy-mock``, else
``~/.cache/freddy-mock``; it lives outside the clone, so a fresh clone reuses it.

``.ci/run`` calls ``python tests/tooling/node_tools.py`` before pytest; the tests call
:func:`ensure` too, so ``pytest`` alone works on a developer's machine (npm needs the
registry once). Nothing here downloads at test time once the cache is there: the tools
run from the cache, with Redocly's telemetry and update check switched off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS = (HERE / "package.json", HERE / "package-lock.json")
COMPLETE = ".complete"  # written last: a directory without it is a failed install

# No network from the tools themselves (Redocly CLI sends telemetry and checks for updates
# unless told not to); no colours in the output the tests read.
TOOL_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
}


def cache_root() -> Path:
    explicit = os.environ.get("FREDDY_NODE_TOOLS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "freddy-mock"


def tools_dir() -> Path:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in PINS)).hexdigest()[:16]
    return cache_root() / f"node-tools-{digest}"


def ensure() -> Path:
    """The directory holding ``node_modules`` for the pinned tools (installed if needed)."""
    target = tools_dir()
    if (target / COMPLETE).is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (.ci/run installs Debian's nodejs and npm)")
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="installing-", dir=root))
    try:
        for pin in PINS:
            shutil.copy2(pin, staging / pin.name)
        # --ignore-scripts: none of the tools needs an install script, and none runs.
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                        "--loglevel=error"], cwd=staging, check=True,
                       stdout=subprocess.DEVNULL, timeout=900)
        (staging / COMPLETE).write_text("")
        shutil.rmtree(target, ignore_errors=True)  # an older, incomplete attempt
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for old in root.glob("node-tools-*"):  # installs of earlier lock files
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target


def tool(name: str) -> Path:
    """An installed tool's executable (``node_modules/.bin/<name>``)."""
    path = ensure() / "node_modules" / ".bin" / name
    if not path.exists():
        raise RuntimeError(f"{name} is not among the pinned npm tools ({path})")
    return path


def env() -> dict[str, str]:
    return {**os.environ, **TOOL_ENV}


if __name__ == "__main__":
    print(ensure())
    sys.exit(0)
