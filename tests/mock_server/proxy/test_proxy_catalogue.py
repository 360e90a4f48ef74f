"""The proxy in front of the kit's catalogue of broken servers: each defect a frontend's
traffic can show is reported under the check that names it; a correct upstream (the mock,
or a legitimate variation of a server) gets no violation of its answers."""

from __future__ import annotations

import logging

import pytest

from mock_server.config import MockConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC
from kit.broken import DEFECTS, VARIATIONS, BrokenServer
from kit.test_catalogue import CATALOGUE as KIT_CATALOGUE
from proxy_helpers import REQUEST_SIDE, UNKNOWN_KEY, battery, names, proxy

# Defects no single exchange shows a bystander (the kit finds them by crafting requests).
UNSEEN = {
    "key_in_405_header": "only GET is forwarded; other methods get the proxy's own 405",
    "no_405": "only GET is forwarded; other methods get the proxy's own 405",
    "ignores_unknown_key": "the proxy cannot know that a key is unknown to the upstream",
    "constant_trace_id": "a trace_id repeated across answers: no one exchange shows it",
    "no_allow_header": "only GET is forwarded; other methods get the proxy's own 405",
    **{d: "the proxy cannot know that a look-alike key is not the key" for d in (
        "key_startswith", "key_prefix_accepted", "key_lowercased", "key_truncated",
        "key_last4_lookup")},
}
# Defects of input the battery does not send (the kit crafts it: hostile_encodings_handled,
# repeated_parameters_handled, non_integer_400); live, such an answer breaks
# not_a_server_error, json_content_type or non_integer_400 like any other.
NOT_SENT = ("utf8_choke_500", "html_debug_page", "separator_500", "int64_overflow_500",
            "int64_wraparound", "lenient_integers", "repeated_params_500")
# Where the proxy's name differs from the kit's: the kit reports a defect under the check
# whose crafted request met it, the proxy under the rule the answer broke.
RENAMED = {
    "hang": "complete_answer",  # a 504 from the proxy
    "hang_all": "complete_answer",
    "reset_unknown_key": "complete_answer",  # a 502 from the proxy
    "huge_body": "complete_answer",  # over 1 MiB: refused, 502
    "long_org_500": "not_a_server_error",
    "crash_at_max_year": "not_a_server_error",
    "nonexistent_org_404": "foreign_org_403",  # the key read org_abc123 before
    "html_200": "json_content_type",
    "invalid_json": "json_content_type",
    "redirect": "documented_status",  # relayed, never followed
    # The kit's sweep names these months; live, the answer for that month breaks a rule.
    "leap_february_500": "not_a_server_error",
    "zero_usage_500": "not_a_server_error",
    "december_rollover": "echoes_request",
    "empty_alias_500": "empty_key_401",
    # The kit crafts look-alike ids; live, the key's org is known, so any other is foreign.
    "prefix_org_match": "no_cross_tenant_read",
    "case_insensitive_org": "no_cross_tenant_read",
    "trimmed_org": "no_cross_tenant_read",
    "url_decoded_org": "no_cross_tenant_read",
    "nfkc_org": "no_cross_tenant_read",
}
# defect switch -> the check that reports it, seen in the battery's exchanges
CATALOGUE = {d: RENAMED.get(d, check) for d, check in KIT_CATALOGUE.items()
             if d not in UNSEEN and d not in NOT_SENT}


def test_the_catalogue_covers_every_defect_switch() -> None:
    assert set(CATALOGUE) | set(UNSEEN) | set(NOT_SENT) == set(DEFECTS)
    assert set(RENAMED) <= set(CATALOGUE)


@pytest.mark.parametrize(("defect", "check"), CATALOGUE.items(), ids=list(CATALOGUE))
def test_a_defect_is_reported_under_its_check(
    defect: str, check: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="freddy_mock.proxy")
    timeout = 0.5 if defect.startswith("hang") else 5.0
    with BrokenServer(defect) as upstream, proxy(upstream.base_url, timeout=timeout) as px:
        answers = battery(px)
    flagged = {n for r in answers.values() for n in names(r)}
    assert check in flagged, {p: names(r) for p, r in answers.items()}
    lines = [r.getMessage() for r in caplog.records if f"violation {check} " in r.getMessage()]
    assert lines and all(KEY_ABC not in m and UNKNOWN_KEY not in m for m in caplog.messages)
    if check == "complete_answer":  # the proxy's own envelope, 504 for a timeout
        failed = [r for r in answers.values() if "complete_answer" in names(r)]
        assert {r.status_code for r in failed} == ({504} if defect.startswith("hang") else {502})
        assert all(r.json()["error"]["code"] in ("BAD_GATEWAY", "GATEWAY_TIMEOUT")
                   for r in failed)
    if defect == "redirect":  # relayed, never followed
        assert answers["own month"].status_code == 302
        assert upstream.impl.hits == len(answers)


def test_a_correct_upstream_gets_no_violation_header() -> None:
    with MockServerThread(MockConfig(port=0)) as upstream, proxy(upstream.base_url) as px:
        answers = battery(px)
    assert answers["own month"].status_code == 200
    flagged = {p: names(r) for p, r in answers.items() if names(r)}
    # Only what the client itself got wrong is named, and only on those requests.
    assert flagged == {"month 13": {"request_parameters"}, "month 1.5": {"request_parameters"},
                       "no key": {"request_api_key"}, "empty key": {"request_api_key"},
                       "empty alias": {"request_api_key"}}
    assert answers["own month"].json()["organization_id"] == "org_abc123"


@pytest.mark.parametrize("variation", [*VARIATIONS, "all"], ids=[*VARIATIONS, "all"])
def test_a_legitimate_variation_passes(variation: str) -> None:
    switches = list(VARIATIONS) if variation == "all" else [variation]
    with BrokenServer(*switches) as upstream, proxy(upstream.base_url) as px:
        answers = battery(px)
    wrong = {p: names(r) - REQUEST_SIDE for p, r in answers.items() if names(r) - REQUEST_SIDE}
    assert not wrong
