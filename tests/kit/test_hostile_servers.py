"""The kit against servers that attack their client: drips, an endless body, escapes.

The kit runs in a subprocess under an address-space limit and a wall-clock bound, so a
regression fails these tests instead of hanging or exhausting the machine; the transport's
own deadline is tested in-process, in a daemon thread that is given a bound to finish in.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests.cli import main
from contract_tests.failures import ContractViolation
from contract_tests.guard import MAX_BODY
from contract_tests.text import printable, shell_quote, xml_safe
from contract_tests.transport import Client, Exchange, Request

from .hostile import EVIL, HostileServer

KEY, ORG = "mock-key-abc123", "org_abc123"
MEMORY = 2 << 30  # bytes of address space the kit may map (it needs about 0.7 GiB)
BOUND = 120  # seconds a run may take before it counts as hung (it takes about 10)
SUMMARY = "/analytics/api-keys/summary/" + ORG


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_kit(server: HostileServer, tmp_path: Path) -> tuple[int, str]:
    exe = Path(sys.executable).with_name("freddy-contract")
    proc = subprocess.run(
        [str(exe), "--base-url", server.base_url, "--api-key", KEY, "--org-id", ORG,
         "--timeout", "1", "--max-examples", "2"],
        capture_output=True, text=True, timeout=BOUND, cwd=tmp_path, preexec_fn=_limit_memory,
    )
    return proc.returncode, proc.stdout + proc.stderr


def block(out: str, check: str) -> str:
    match = re.search(rf"^FAIL {check}\n((?:     .*\n)+)", out, re.M)
    assert match, f"no FAIL {check} in:\n{out}"
    return match.group(1)


def send_bounded(url: str, timeout: float) -> Exchange:
    """One request of the kit's transport, in a daemon thread given 30 s to come back."""
    result: list[Exchange] = []
    client = Client(url, timeout)
    worker = threading.Thread(target=lambda: result.append(client.send(Request("GET", url))),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the transport is still blocked after 30 s"
    client.close()
    return result[0]


@pytest.mark.parametrize("mode", ["drip_body", "drip_headers"])
def test_a_dripping_server_is_a_timeout_of_each_request_not_a_hang(mode: str) -> None:
    with HostileServer(mode) as server:
        ex = send_bounded(server.base_url + SUMMARY, 0.5)
    assert ex.reply is None and ex.error == "no complete answer within the 0.5 s timeout"


@pytest.mark.parametrize("mode", ["drip_body", "drip_headers"])
def test_a_dripping_server_ends_the_whole_run_in_timeouts(mode: str, tmp_path: Path) -> None:
    with HostileServer(mode) as server:
        rc, out = run_kit(server, tmp_path)
    assert rc == 1, out
    # The Schemathesis step ran into its own deadline...
    assert "no complete answer within the 1 s timeout" in block(out, "schemathesis_conformance")
    # ...and after three unanswered requests in a row nothing more was sent to the server.
    assert "not sent: the server left the last 3 requests unanswered" in block(
        out, "missing_key_401")


def test_an_endless_body_is_cut_at_the_cap_by_the_transport() -> None:
    with HostileServer("endless_chunked") as server:
        ex = send_bounded(server.base_url + SUMMARY, 10)
    assert ex.reply is not None and ex.reply.cut and len(ex.reply.body) == MAX_BODY
    assert ex.reply.parse() == (None, "a body of more than 1 MiB (read no further)")


def test_an_endless_body_is_read_no_further_than_the_cap_in_any_step(tmp_path: Path) -> None:
    with HostileServer("endless_chunked") as server:
        rc, out = run_kit(server, tmp_path)
    assert rc == 1, out
    assert "MemoryError" not in out
    schemathesis = block(out, "schemathesis_conformance")
    assert "BodyTooLarge: a body of more than 1 MiB (read no further)" in schemathesis
    assert "a body of more than 1 MiB" in block(out, "missing_key_401")


def test_escape_sequences_from_the_server_reach_neither_terminal_nor_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    junit = tmp_path / "report.xml"
    with HostileServer("escapes") as server:
        rc = main(["--base-url", server.base_url, "--api-key", KEY, "--org-id", ORG,
                   "--max-examples", "2", "--junit-xml", str(junit)])
    out = capsys.readouterr().out
    assert rc == 1
    controls = {c for c in EVIL if not c.isprintable()}
    assert controls and not controls & set(out.replace("\n", ""))  # not one raw control
    assert "\\x1b]0;owned\\x07\\x1b[2J" in block(out, "missing_key_401")  # shown, escaped
    assert not re.search(r"^PASS everything", out, re.M)  # no forged report line
    text = junit.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b" in text
    ET.parse(junit)  # well-formed XML 1.0


def test_printable_escapes_controls_bidi_and_separators_and_keeps_the_rest() -> None:
    assert printable("a\x1b[2Jb\nc\u202ed\u2028é ｏ") == "a\\x1b[2Jb\\x0ac\\u202ed\\u2028é ｏ"
    assert printable("plain text, 100%") == "plain text, 100%"
    violation = ContractViolation(check="c", expected="x\x07", got="HTTP 200 \x1b]0;t\x07")
    assert "\x1b" not in violation.describe() and "\x07" not in str(violation)


def test_a_reproducing_command_with_control_characters_stays_exact_in_bash() -> None:
    value = "X-API-Key: k\x1b[2J'\\\x00é"
    word = shell_quote(value.replace("\x00", ""))  # a shell word cannot carry NUL
    assert word.startswith("$'") and "\x1b" not in word
    echoed = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    assert echoed == value.replace("\x00", "")


def test_xml_safe_drops_what_xml_1_0_forbids() -> None:
    assert xml_safe("a\x00b\x0bc\td\ud800e\ufffe") == "abc\tde"
