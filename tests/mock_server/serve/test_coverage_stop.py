"""``--coverage-report`` and ``--coverage-require`` when the mock stops, in one process and
with ``--workers 2``; and the pytest plugin's ``--freddy-coverage-require``."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from helpers import run, running

KEY = {"X-API-Key": "mock-key-abc123"}
SUMMARY = "/analytics/api-keys/summary/org_abc123"


def stopped(*args: str, requests_to_make: int = 3, sig: int = signal.SIGTERM,
            ) -> tuple[int, str]:
    """Start the mock, make some plain requests (and one 401), stop it with ``sig``: its
    exit code and stderr."""
    with running(*args) as (proc, base):
        with requests.Session() as s:
            for _ in range(requests_to_make):
                assert s.get(base + SUMMARY, headers=KEY, timeout=10).status_code == 200
            assert s.get(base + SUMMARY, timeout=10).status_code == 401
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    return proc.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_json_report_is_written_on_stop(tmp_path: Path, sig: int) -> None:
    path = tmp_path / "coverage.json"
    code, err = stopped("--coverage-report", str(path), sig=sig)
    assert code == 0, err
    doc = json.loads(path.read_text())
    assert doc["outcomes"]["status:200"] == 3 and doc["outcomes"]["status:401"] == 1
    assert doc["outcomes"]["data:default-period"] == 3  # no year or month sent
    assert doc["covered"] == 4 and doc["total"] == len(doc["outcomes"])
    assert "status:429" in doc["missing"] and "status:200" not in doc["missing"]


def test_a_junit_report_has_one_case_per_outcome_the_missing_failed(tmp_path: Path) -> None:
    path = tmp_path / "coverage.xml"
    code, err = stopped("--coverage-report", str(path))
    assert code == 0, err
    root = ElementTree.parse(path).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert "status:200" in cases and "fault:reset" in cases
    assert cases["status:200"].find("failure") is None
    assert cases["status:429"].find("failure") is not None
    failed = [n for n, c in cases.items() if c.find("failure") is not None]
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(failed))
    assert suite.get("tests") == str(len(cases)) and len(failed) == len(cases) - 4


def test_required_outcomes_never_met_exit_3_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    code, err = stopped("--coverage-report", str(path), "--coverage-require",
                        "status:200,status:429,fault:reset")
    assert code == 3
    assert err.strip().splitlines()[-1] == (
        "freddy-mock: coverage: required outcomes never met: status:429, fault:reset")
    assert path.is_file()  # the report is written all the same
    code, err = stopped("--coverage-require", "status:200,status:401")
    assert code == 0, err


def test_require_all_names_every_missing_outcome() -> None:
    code, err = stopped("--coverage-require", "all")
    assert code == 3
    line = err.strip().splitlines()[-1]
    assert "status:429" in line and "data:leap-february" in line and "status:200," not in line


def test_with_workers_the_report_adds_up_every_worker(tmp_path: Path) -> None:
    path = tmp_path / "coverage.json"
    code, err = stopped("--workers", "2", "--coverage-report", str(path),
                        "--coverage-require", "status:200", requests_to_make=20)
    assert code == 0, err
    doc = json.loads(path.read_text())
    assert doc["outcomes"]["status:200"] == 20 and doc["outcomes"]["status:401"] == 1


@pytest.mark.parametrize("args, message", [
    (("--coverage-require", "nope"), "not an outcome name: 'nope'"),
    (("--coverage-require", "scenario:nope"), "no outcome named scenario:nope"),
    (("--coverage-report", "/no/such/dir/c.json"), "no such directory"),
])
def test_bad_coverage_flags_are_one_line_and_exit_2(args: tuple[str, ...],
                                                    message: str) -> None:
    proc = run("--port", "0", *args)
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("freddy-mock: error: --coverage-") and message in line, line


USER_TESTS = """
import requests

def test_plain(freddy_mock):
    assert requests.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key}).ok

def test_no_key(freddy_mock):
    assert requests.get(freddy_mock.url()).status_code == 401
"""
RATE_LIMITED = """
def test_backs_off(freddy_mock):
    with freddy_mock.scenario("rate-limited"):
        r = requests.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key})
    assert r.status_code == 429 and freddy_mock.coverage["outcomes"]["status:429"] == 1
"""


def test_the_plugin_fails_a_run_that_never_met_a_429(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider",
                                          "--freddy-coverage-require", "status:429,status:401")
    result.assert_outcomes(passed=2)  # every test passed; the session did not
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["freddy-mock coverage: outcomes never met: status:429"])


def test_the_plugin_counts_across_the_tests_resets(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS + RATE_LIMITED)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider",
                                          "--freddy-coverage-require",
                                          "status:429,status:401,status:200")
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.OK
    assert "freddy-mock coverage" not in result.stdout.str()


def test_the_plugin_names_an_unknown_outcome(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider",
                                          "--freddy-coverage-require", "status:299")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["freddy-mock coverage: no such outcome: status:299"])


REMOTE_TESTS = """
def test_backs_off(freddy_mock):
    with freddy_mock.scenario("rate-limited"):
        r = freddy_mock.client.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key})
    assert r.status_code == 429 and freddy_mock.coverage["outcomes"]["status:429"] == 1

def test_plain(freddy_mock):
    assert freddy_mock.client.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key}).ok
"""


def test_the_plugin_adds_up_the_sessions_of_a_remote_run(pytester: pytest.Pytester) -> None:
    """``--freddy-url``: each test's session is read before it ends; the run's total
    decides, and a request of another client (no session) does not count for the run."""
    with running("--admin") as (_proc, base):
        requests.get(base + SUMMARY, timeout=10)  # a 401 outside the run's sessions
        pytester.makepyfile(test_user=REMOTE_TESTS)
        args = ("-q", "-p", "no:cacheprovider", "--freddy-url", base.rsplit("/v1", 1)[0],
                "--freddy-coverage-require")
        result = pytester.runpytest_subprocess(*args, "status:429,status:200")
        result.assert_outcomes(passed=2)
        assert result.ret == pytest.ExitCode.OK
        result = pytester.runpytest_subprocess(*args, "status:429,status:401")
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(["freddy-mock coverage: outcomes never met: status:401"])


XDIST_LEFT = """
import requests

def test_backs_off(freddy_mock):
    with freddy_mock.scenario("rate-limited"):
        assert requests.get(freddy_mock.url(), headers={"X-API-Key": freddy_mock.key},
                            timeout=10).status_code == 429
"""
XDIST_RIGHT = """
import requests

def test_no_key(freddy_mock):
    assert requests.get(freddy_mock.url(), timeout=10).status_code == 401
"""


def test_the_plugin_adds_up_the_xdist_workers(pytester: pytest.Pytester) -> None:
    """Each worker runs a mock of its own and one of the files; the controller (which runs
    no test) judges what all of them met: only together did they meet both."""
    pytester.makepyfile(test_left=XDIST_LEFT, test_right=XDIST_RIGHT)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-p", "xdist",
                                           "-n", "2", "--dist", "loadfile",
                                           "--freddy-coverage-require",
                                           "status:429,status:401,status:403")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["freddy-mock coverage: outcomes never met: status:403"])
