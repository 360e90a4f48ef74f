"""Release packaging: ``python -m build`` makes an sdist and, from it, a wheel; the wheel
installs into a fresh venv, and what it installed works outside the source tree.

The fresh venv gets the wheel with ``--no-deps`` and sees the dependencies of the running
environment through a ``.pth`` line (a plain path: its own ``.pth`` files, such as an
editable install's finder, are not run). Resolving dependencies is pip's job and ``.ci/run``
exercises it with ``pip install '.[test]'``; what only this test shows is that the wheel's
own content (modules, the bundled spec and fixtures, entry points, metadata) is complete,
and it stays offline and takes seconds. The venv's own site-packages comes first on
``sys.path``, and the test asserts that the modules run are the wheel's.
"""

from __future__ import annotations

import json
import re
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import requests
import yaml

from helpers import read_line

ROOT = Path(__file__).resolve().parents[1]
# The one version (pyproject.toml's is dynamic, read by hatchling from this file).
VERSION = re.search(r'^__version__ = "([^"]+)"', (ROOT / "api_contract" / "__init__.py")
                    .read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]


def run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # No isolation: hatchling is a test extra, so nothing is fetched from an index.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], out)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(env)], env.parent)
    python = env / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                        "'purelib'))"], env.parent).strip())
    wheel = next(dist.glob("*.whl"))
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)], env.parent)
    # Only now: before, pip would see the running environment's freddy-mock and skip.
    (purelib / "zz_running_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return env


def test_sdist_carries_the_sources_spec_and_fixtures(dist: Path) -> None:
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "spec/openapi.yaml", "fixtures/keys.yaml",
            "api_contract/contract.py", "mock_server/serve/cli.py", "contract_tests/cli.py",
            "tests/tooling/package-lock.json"} <= names
    assert sdist.name == f"freddy_mock-{VERSION}.tar.gz"


def test_wheel_carries_the_spec_and_entry_points(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    assert wheel.name == f"freddy_mock-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        entry_points = next(whl.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
    assert any(n.endswith("/spec/openapi.yaml") for n in names), sorted(names)
    assert "api_contract/_data/docs/architecture.md" in names  # served at /docs/guide/
    assert not any(n.startswith("tests/") for n in names)
    for line in ("freddy-mock = ", "freddy-contract = ", "freddy_mock = "):
        assert line in entry_points


@pytest.mark.parametrize("command", ["freddy-mock", "freddy-contract"])
def test_installed_commands_show_the_version(venv: Path, command: str) -> None:
    out = run([str(venv / "bin" / command), "--version"], venv.parent)
    assert out.strip() == f"{command} {VERSION}"


def test_modules_run_are_the_wheels(venv: Path) -> None:
    code = ("import json, api_contract, mock_server, contract_tests, importlib.metadata as m; "
            "print(json.dumps([[p.__file__ for p in (api_contract, mock_server, contract_tests)]"
            ", m.version('freddy-mock')]))")
    files, version = json.loads(run([str(venv / "bin" / "python"), "-c", code], venv.parent))
    assert all(f.startswith(str(venv)) for f in files), files
    assert version == VERSION


def test_installed_mock_serves_the_bundled_spec(venv: Path) -> None:
    proc = subprocess.Popen([str(venv / "bin" / "freddy-mock"), "--port", "0"],
                            cwd=venv.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for _ in range(20):  # start-up lines until "... listening on http://127.0.0.1:N/v1"
            lines.append(read_line(proc.stdout))
            match = re.search(r"listening on (http://\S+)", lines[-1])
            if match or not lines[-1]:
                break
        assert match, lines
        base = match.group(1)
        origin = base.rsplit("/", 1)[0]
        served = requests.get(f"{origin}/openapi.json", timeout=10).json()
        assert served == yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
        resp = requests.get(f"{base}/analytics/api-keys/summary/org_abc123",
                            headers={"X-API-Key": "mock-key-abc123"}, timeout=10)
        assert resp.status_code == 200 and resp.json()["organization_id"] == "org_abc123"
        guide = requests.get(f"{origin}/docs/guide/architecture", timeout=10)
        assert guide.status_code == 200 and guide.text.startswith("# Architecture")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_each_dependencys_lowest_version_is_the_one_tested() -> None:
    """A runtime dependency's lower bound is the minor version installed here (what the
    suite runs against): d7d8f84 declared aiohttp>=3.9 while the code needs 3.14."""
    import importlib.metadata
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    checked = 0
    for text in doc["project"]["dependencies"]:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        lowest = [s.version for s in req.specifier if s.operator == ">="]
        assert lowest, f"{text}: no lower bound"
        installed = Version(importlib.metadata.version(req.name))
        assert installed.release[:2] == Version(lowest[0]).release[:2], (
            f"{req.name}: declared >= {lowest[0]}, tested with {installed}")
        checked += 1
    assert checked >= 9


def test_the_installed_copy_is_trusted_and_starts_without_jsonschema(venv: Path) -> None:
    """The wheel's spec and fixtures were checked by this suite before they were built in;
    a default start of the installed mock skips their JSON Schema checks (start-up cost)."""
    code = (
        "import sys\n"
        "from api_contract.resources import default_spec_path, is_bundled\n"
        "from mock_server.serve.app import create_app\n"
        "from mock_server.config import MockConfig\n"
        "assert is_bundled(default_spec_path())\n"
        "create_app(MockConfig())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'referencing', 'arrow')))\n"
    )
    assert run([str(venv / "bin" / "python"), "-c", code], venv.parent).strip() == "[]"
