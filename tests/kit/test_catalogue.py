"""A catalogue of deliberately broken servers: for each, the kit exits 1 and names the check
that catches it. And legitimate variations of a correct server, which must pass."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import urllib3

from contract_tests.cli import main

from .broken import DEFECTS, SNAKE, VARIATIONS, BrokenServer

KEY, ORG, FOREIGN = "mock-key-abc123", "org_abc123", "org_xyz789"

# defect switch -> the check that must report it
CATALOGUE = {
    "snake_case": "summary_fields",
    "cross_tenant_leak": "no_cross_tenant_read",
    "swapped_401_403": "missing_key_401",
    "wrong_echo_org": "echoes_request",
    "wrong_echo_month": "echoes_request",
    "wrong_average": "average_cost",
    "wrong_defaults": "defaults_current_month",
    "wrong_error_status": "error_status_matches",
    "key_echoed": "key_never_echoed",
    "key_in_405_header": "key_never_echoed",
    "hang": "out_of_range_400",
    "hang_all": "missing_key_401",
    "plain_text_401": "missing_key_401",
    "long_org_500": "long_org_id_handled",
    "invalid_month_200": "out_of_range_400",
    "missing_field": "summary_fields",
    "float_counts": "counts_and_signs",
    "bad_timestamp": "timestamps_rfc3339",
    "success_true": "error_envelope",
    "empty_trace_id": "error_envelope",
    "ignores_unknown_key": "unknown_key_401",
    "nonexistent_org_404": "nonexistent_org_403",
    "text_content_type": "json_content_type",
    "crash_at_max_year": "schemathesis_conformance",
    "alias_ignored": "alias_key_header",
    "non_integer_accepted": "non_integer_400",
    "no_405": "other_methods_405",
    "negative_cost": "counts_and_signs",
    "reset_unknown_key": "unknown_key_401",
    "html_200": "echoes_request",
    "redirect": "echoes_request",
    "invalid_json": "echoes_request",
    "huge_body": "echoes_request",
    "leap_february_500": "every_month_answers",
    "december_rollover": "every_month_answers",
    "zero_usage_500": "every_month_answers",
    "prefix_org_match": "near_miss_org_ids_403",
    "case_insensitive_org": "near_miss_org_ids_403",
    "trimmed_org": "near_miss_org_ids_403",
    "url_decoded_org": "near_miss_org_ids_403",
    "nfkc_org": "near_miss_org_ids_403",
    "docs_generated_at": "generated_at_in_period",
    "future_generated_at": "generated_at_in_period",
    "docs_error_timestamp": "error_timestamp_now",
    "constant_trace_id": "trace_id_unique",
    "empty_alias_500": "empty_key_401",
    "case_sensitive_key_header": "key_headers_any_case",
    "key_in_first_cookie": "key_never_echoed",
    "key_startswith": "near_miss_keys_401",
    "key_prefix_accepted": "near_miss_keys_401",
    "key_lowercased": "near_miss_keys_401",
    "key_truncated": "near_miss_keys_401",
    "key_last4_lookup": "near_miss_keys_401",
    "utf8_choke_500": "hostile_encodings_handled",
    "html_debug_page": "hostile_encodings_handled",
    "separator_500": "hostile_encodings_handled",
    "int64_overflow_500": "hostile_encodings_handled",
    "int64_wraparound": "hostile_encodings_handled",
    "lenient_integers": "non_integer_400",
    "repeated_params_500": "repeated_parameters_handled",
    "nan_average": "json_numbers_only",
    "no_allow_header": "other_methods_405",
}

# The checks whose requests Schemathesis generates: a defect they alone catch depends on the
# seed and the number of examples. Every defect must also fail a check whose requests the kit
# crafts.
GENERATED = {"schemathesis_conformance", "reaches_2xx"}

# sweep defects -> the months the report must name (the Decembers that are over by now)
MONTHS_NAMED = {
    "leap_february_500": "2020-02, 2024-02, 2028-02",
    "zero_usage_500": "2023-08",
    "december_rollover": ", ".join(
        f"{y}-12" for y in range(2020, min(datetime.now(UTC).year, 2031))),
}


def kit(server: BrokenServer, *extra: str, timeout: str = "5") -> list[str]:
    return ["--base-url", server.base_url, "--api-key", KEY, "--org-id", ORG,
            "--foreign-org-id", FOREIGN, "--max-examples", "5", "--timeout", timeout, *extra]


def failure_block(out: str, check: str) -> str:
    match = re.search(rf"^FAIL {check}\n((?:     .*\n)+)", out, re.M)
    assert match, f"no FAIL {check} in:\n{out}"
    return match.group(1)


def test_the_catalogue_covers_every_defect_switch() -> None:
    assert set(CATALOGUE) == set(DEFECTS)
    assert len(CATALOGUE) >= 15


@pytest.mark.parametrize(("defect", "check"), CATALOGUE.items(), ids=list(CATALOGUE))
def test_a_broken_server_fails_the_right_check(
    defect: str, check: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with BrokenServer(defect) as server:
        rc = main(kit(server, timeout="0.5" if defect.startswith("hang") else "5"))
    out = capsys.readouterr().out
    assert rc == 1, out
    block = failure_block(out, check)
    failed = set(re.findall(r"^FAIL (\S+)$", out, re.M))
    assert failed - GENERATED, f"caught only by generation (another --seed may miss it): {failed}"
    assert "expected:" in block and "got:" in block
    assert KEY not in out  # reproducing commands carry the key masked
    assert out.rstrip().endswith("the server VIOLATES the contract")
    if defect == "reset_unknown_key":
        assert "a broken connection" in block
    if defect in ("html_200", "invalid_json"):
        assert "a body that is not JSON" in block
    if defect == "huge_body":  # 10 MB: read up to 1 MiB only
        assert "a body of more than 1 MiB (read no further)" in block
    if defect == "hang":  # the kit times out instead of hanging
        assert "no complete answer within the 0.5 s timeout" in block
    if defect == "hang_all":  # Schemathesis, first, times out; the kit then sends no more
        assert "no complete answer within the 0.5 s timeout" in failure_block(
            out, "schemathesis_conformance")
        assert "not sent: the server left the last 3 requests unanswered" in block
    if defect == "key_in_405_header":  # seen in the answer to other_methods_405's request
        assert "the key in the x-debug-key header" in block
    if defect == "key_in_first_cookie":  # every value of a repeated header is judged
        assert "the key in the set-cookie header" in block
    if defect == "crash_at_max_year":  # a failure without a message says what came back
        assert "not_a_server_error: Server error: HTTP 500, body: '{" in block
        assert '-H "X-API-Key: $FREDDY_API_KEY"' in block
    if defect == "snake_case":  # drift names every missing and every unexpected field
        missing, unexpected = block.split("got:", 1)[1].split("unexpected", 1)
        for camel, snake in SNAKE.items():
            assert camel in missing and snake in unexpected
        assert "reproduce: curl" in block and '-H "X-API-Key: $FREDDY_API_KEY"' in block
    if defect in MONTHS_NAMED:  # the sweep names every failing month, and only those
        assert f"fail: {MONTHS_NAMED[defect]};" in block, block
    if defect == "case_insensitive_org":
        assert "for 'ORG_ABC123' ('org_abc123' in upper case)" in block


def test_redirects_are_never_followed(capsys: pytest.CaptureFixture[str]) -> None:
    with BrokenServer() as trap, BrokenServer("redirect", redirect_to=trap.base_url +
                                              "/analytics/api-keys/summary/org_abc123") as server:
        assert main(kit(server)) == 1
    assert "HTTP 302" in failure_block(capsys.readouterr().out, "echoes_request")
    assert trap.impl.hits == 0


@pytest.mark.parametrize("variation", [*VARIATIONS, "all"], ids=[*VARIATIONS, "all"])
def test_a_legitimate_variation_passes(
    variation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "all" leaves out slow_100ms: it only adds seconds, and runs on its own.
    switches = [v for v in VARIATIONS if v != "slow_100ms"] if variation == "all" else [variation]
    with BrokenServer(*switches) as server:
        rc = main(kit(server))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "FAIL" not in out


def test_a_sweep_cut_short_by_its_budget_passes_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with BrokenServer() as server:  # 132 requests cannot all start within a millisecond
        rc = main(kit(server, "--sweep-budget", "0.001"))
    out = capsys.readouterr().out
    assert rc == 0, out
    note = re.search(r"^PASS every_month_answers \((\d+) of 132 months .*budget", out, re.M)
    assert note and int(note.group(1)) < 132, out


def test_a_month_still_rate_limited_after_waiting_is_not_checked_and_said_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with BrokenServer("busy_month") as server:
        assert main(kit(server)) == 0
    assert re.search(r"^PASS every_month_answers \(131 of 132 months, .*; 1 still "
                     r"rate-limited \(429\) after waiting", capsys.readouterr().out, re.M)


def test_the_variation_servers_really_vary() -> None:
    """gzip, charset and whole numbers are on the wire, as the kit then reads them."""
    with BrokenServer("gzip", "charset_utf8", "whole_numbers") as server:
        resp = urllib3.request("GET", server.base_url + "/analytics/api-keys/summary/" + ORG,
                               headers={"X-API-Key": KEY}, decode_content=False)
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    doc = json.loads(gzip.decompress(resp.data))
    assert isinstance(doc["totalNeurons"], int) and isinstance(doc["total_synapses"], int)


def test_extra_fields_are_reported_and_fail_only_under_strict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with BrokenServer("extra_fields") as server:
        assert main(kit(server)) == 0
        relaxed = capsys.readouterr().out
        assert main(kit(server, "--strict")) == 1
        strict = capsys.readouterr().out
    assert re.search(r"^PASS summary_fields \(extra fields .*currency", relaxed, re.M)
    assert re.search(r"^PASS error_fields \(extra fields .*documentation_url", relaxed, re.M)
    assert "unexpected currency" in failure_block(strict, "summary_fields")
    assert "unexpected documentation_url" in failure_block(strict, "error_fields")


def test_a_violation_fails_its_test_under_pytest(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    with BrokenServer("key_echoed") as server:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", str(repo / "contract_tests"), "-q",
             "-p", "no:cacheprovider", "-p", "no:faker",  # faker's plugin: 3 s of imports
             "-k", "key_never_echoed or average_cost",
             "--base-url", server.base_url, "--api-key", KEY, "--org-id", ORG,
             "--max-examples", "3"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout and "test_check[key_never_echoed]" in proc.stdout
    assert "1 failed, 1 passed" in proc.stdout
