"""The document's three client snippets, unchanged but for the base URL, against the mock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mock_server.testing import MockServerThread

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
EXPECTED = "Total API requests: 25000\nTotal cost: 6250.0 CHF\n"


def pointed_at(server: MockServerThread, name: str, tmp_path: Path) -> Path:
    text = (CLIENTS / name).read_text().replace("https://api.aitronos.com", server.origin)
    assert server.origin in text
    target = tmp_path / name
    target.write_text(text)
    return target


def env() -> dict[str, str]:
    return {**os.environ, "FREDDY_API_KEY": "mock-key-abc123"}


def test_python_snippet(server: MockServerThread, tmp_path: Path) -> None:
    script = pointed_at(server, "summary.py", tmp_path)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=env(), timeout=60, check=True)
    assert out.stdout == EXPECTED


def tool(name: str) -> str:
    """The program ``name``; a failure, never a skip, without it (the README's rule: CI
    installs what the suite needs, see .ci/run)."""
    found = shutil.which(name)
    assert found, f"{name} is not installed (apt-get install -y {name}); these tests need it"
    return found


def test_curl_snippet(server: MockServerThread, tmp_path: Path) -> None:
    tool("curl")
    script = pointed_at(server, "summary.sh", tmp_path)
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env(),
                         timeout=60, check=True)
    assert '"totalApiKeyRequests":25000' in out.stdout
    assert '"totalApiKeyCost":6250.0' in out.stdout


def test_javascript_snippet(server: MockServerThread, tmp_path: Path) -> None:
    node = tool("node")
    script = pointed_at(server, "summary.mjs", tmp_path)
    out = subprocess.run([node, str(script)], capture_output=True, text=True, env=env(),
                         timeout=60, check=True)
    assert out.stdout == "Total API requests: 25000\nTotal cost: 6250 CHF\n"
