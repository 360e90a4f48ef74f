"""The kit's reproducing curl commands: runnable shell, the key as $FREDDY_API_KEY, other
secrets masked, empty headers kept."""

from __future__ import annotations

import shlex
import subprocess

from contract_tests.transport import Request

KEY = "mock-key-abc123"


def test_curl_masks_every_secret_and_quotes_for_the_shell() -> None:
    req = Request("GET", "http://127.0.0.1:1/v1/x/org_a?year=2025&month=1",
                  (("X-API-Key", KEY), ("Accept", "application/json")), (KEY,))
    curl = req.curl()
    assert KEY not in curl and "…c123" in curl
    assert shlex.split(curl) == ["curl", "-sS", "-i", "http://127.0.0.1:1/v1/x/org_a?year=2025&month=1",
                                 "-H", "X-API-Key: …c123", "-H", "Accept: application/json"]


def test_curl_sends_an_empty_header_as_curl_needs_it() -> None:
    curl = Request("GET", "http://h/v1", (("X-API-Key", ""),)).curl()
    assert shlex.split(curl)[-2:] == ["-H", "X-API-Key;"]


def test_curl_writes_the_runs_key_as_a_shell_variable() -> None:
    """Pasted into a shell with FREDDY_API_KEY set, the command sends the real key."""
    req = Request("GET", "http://h/v1/x/org_a", (("X-API-Key", KEY), ("Api-Key", "other-secret-1")),
                  (KEY, "other-secret-1"), own_key=KEY)
    curl = req.curl()
    assert KEY not in curl and "other-secret-1" not in curl
    assert '-H "X-API-Key: $FREDDY_API_KEY"' in curl
    out = subprocess.run(["sh", "-c", f"set -- {curl[len('curl '):]}; printf '%s\\n' \"$@\""],
                         env={"FREDDY_API_KEY": KEY}, capture_output=True, text=True, check=True,
                         timeout=60)
    assert f"X-API-Key: {KEY}" in out.stdout.splitlines()
