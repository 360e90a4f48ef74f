"""The kit against the real mock: a full default run passes, every entry point agrees, and
bad usage, an unreadable spec or an unreachable target exit 2 with one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.checks import all_checks
from contract_tests.cli import main
from mock_server.config import MockConfig
from mock_server.testing import MockServerThread

KEY, ORG, FOREIGN = "mock-key-abc123", "org_abc123", "org_xyz789"
CHECK_NAMES = [c.name for c in all_checks()]
FAST = ["--max-examples", "5"]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServerThread]:
    # The real clock: the kit checks that omitted year/month mean the current UTC month.
    server = MockServerThread(MockConfig(port=0)).start()
    yield server
    server.stop()


def args(mock: MockServerThread, *extra: str) -> list[str]:
    return ["--base-url", mock.base_url, "--api-key", KEY, "--org-id", ORG, *extra]


def test_full_default_run_passes_and_writes_nothing_into_the_cwd(
    mock: MockServerThread, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    junit = tmp_path / "report.xml"
    assert main(args(mock, "--foreign-org-id", FOREIGN, "--junit-xml", str(junit))) == 0
    out = capsys.readouterr().out
    for name in CHECK_NAMES:
        assert f"PASS {name}" in out
    assert "FAIL" not in out and "SKIP" not in out
    assert list(work.iterdir()) == []  # no .hypothesis / .schemathesis in the cwd
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == CHECK_NAMES
    assert suite.get("failures") == "0" and not suite.findall(".//failure")


def test_without_a_foreign_org_the_isolation_checks_are_skipped(
    mock: MockServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args(mock, *FAST)) == 0
    out = capsys.readouterr().out
    assert "SKIP no_cross_tenant_read (no --foreign-org-id given)" in out
    assert "SKIP foreign_org_403" in out


def test_every_flag_reads_its_environment_variable(
    mock: MockServerThread, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in {"FREDDY_BASE_URL": mock.base_url, "FREDDY_API_KEY": KEY,
                        "FREDDY_ORG_ID": ORG, "FREDDY_FOREIGN_ORG_ID": FOREIGN,
                        "FREDDY_MAX_EXAMPLES": "3", "FREDDY_SEED": "7", "FREDDY_TIMEOUT": "5",
                        "FREDDY_STRICT": "true", "FREDDY_RATE_LIMIT": "1000/s",
                        "FREDDY_JUNIT_XML": str(tmp_path / "env.xml"),
                        "FREDDY_SPEC": str(REPO / "spec" / "openapi.yaml")}.items():
        monkeypatch.setenv(name, value)
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "PASS no_cross_tenant_read" in out and (tmp_path / "env.xml").is_file()
    monkeypatch.setenv("FREDDY_MAX_EXAMPLES", "many")
    assert main([]) == 2


def test_the_console_command_in_a_subprocess(mock: MockServerThread, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("freddy-contract")
    env = {**os.environ, "FREDDY_API_KEY": KEY}
    proc = subprocess.run(
        [str(exe), "--base-url", mock.base_url, "--org-id", ORG, "--foreign-org-id", FOREIGN,
         *FAST],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(CHECK_NAMES)} passed, 0 failed, 0 skipped" in proc.stdout
    assert KEY not in proc.stdout + proc.stderr


def test_the_same_suite_under_pytest(mock: MockServerThread, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(REPO / "contract_tests"), "-q",
         "-p", "no:cacheprovider", "-p", "no:faker",  # faker's plugin: 3 s of imports
         *args(mock, *FAST), "--foreign-org-id", FOREIGN,
         "--junit-xml", str(tmp_path / "pytest.xml")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(CHECK_NAMES)} passed" in proc.stdout
    names = [c.get("name") for c in ET.parse(tmp_path / "pytest.xml").iter("testcase")]
    assert names == [f"test_check[{n}]" for n in CHECK_NAMES]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "missing --base-url, --api-key, --org-id"),
        (["--base-url", "ftp://x/v1", "--api-key", KEY, "--org-id", ORG], "http(s) URL"),
        (["--base-url", "http://127.0.0.1:9/v1", "--api-key", KEY, "--org-id", ORG,
          "--max-examples", "0"], "--max-examples must be at least 1"),
        (["--base-url", "http://127.0.0.1:9/v1", "--api-key", KEY, "--org-id", ORG,
          "--timeout", "soon"], "--timeout must be a number"),
        (["--bogus"], "unrecognized arguments"),
        (["--base-url", "http://127.0.0.1:9/v1", "--api-key", KEY, "--org-id", ORG,
          "--rate-limit", "fast"], "--rate-limit must look like 100/m"),
        (["--base-url", "http://127.0.0.1:9/v1", "--api-key", KEY, "--org-id", ORG,
          "--spec", "/nonexistent/openapi.yaml"], "cannot read spec"),
        (["--base-url", f"http://127.0.0.1:{_closed_port()}/v1", "--api-key", KEY,
          "--org-id", ORG], "cannot reach 127.0.0.1"),
        (["--base-url", "http://127.0.0.1:9/v1", "--api-key", KEY, "--org-id", ORG,
          "--junit-xml", "/proc/nonexistent/report.xml"], "cannot write --junit-xml"),
    ],
    ids=["missing", "bad-url", "bad-examples", "bad-timeout", "unknown-flag", "bad-rate", "spec",
         "unreachable", "junit"],
)
def test_bad_usage_spec_or_target_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.startswith("FREDDY_")]:
        monkeypatch.delenv(name)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("freddy-contract: error: "), captured.err
    assert message in lines[0]
    assert captured.out == ""
    assert KEY not in captured.err


def test_a_base_url_without_v1_gets_a_hint(
    mock: MockServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", mock.origin, "--api-key", KEY, "--org-id", ORG, *FAST]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"freddy-contract: hint: no route at {mock.origin}/analytics/api-keys/summary/{{org_id}}"
        f" (404), but {mock.base_url} answers: did you mean --base-url {mock.base_url}?")


def test_a_right_base_url_gets_no_hint(mock: MockServerThread) -> None:
    from api_contract.contract import load_contract
    from contract_tests.config import KitConfig
    from contract_tests.hints import base_path_hint

    config = KitConfig(base_url=mock.base_url, api_key=KEY, org_id=ORG)
    assert base_path_hint(config, load_contract(config.spec_path)) is None
