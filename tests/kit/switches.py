"""The switches of the broken server (tests/kit/broken.py): each defect a real backend could
ship, and each legitimate variation a correct server may show; and the small functions a few
switches need."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

# Switches that break the contract: name -> what the server then does wrong.
DEFECTS = {
    "snake_case": "answers the 200 body in all snake_case (the later public document's shape)",
    "cross_tenant_leak": "lets a key read any existing organization",
    "swapped_401_403": "answers 403 for a missing key and 401 for another org",
    "wrong_echo_org": "echoes the key's org without its prefix",
    "wrong_echo_month": "echoes a zero-based month",
    "wrong_average": "divides the cost by the neurons, not the requests",
    "wrong_defaults": "defaults an omitted month to the previous month",
    "wrong_error_status": "puts 400 in error.status whatever the HTTP status",
    "key_echoed": "quotes an unknown key in the 401 message",
    "key_in_405_header": "repeats the key in a debug header of its 405 answers",
    "hang": "never answers a month above the bound",
    "hang_all": "accepts connections but never answers",
    "plain_text_401": "answers 401 as text/plain",
    "long_org_500": "crashes (500) on org ids over 256 characters",
    "invalid_month_200": "accepts a month above the bound",
    "missing_field": "omits generatedAt",
    "float_counts": "sends totalApiKeyRequests as a float",
    "bad_timestamp": "sends generatedAt without 'T' and zone",
    "success_true": "sends success: true in errors",
    "empty_trace_id": "sends an empty trace_id",
    "ignores_unknown_key": "accepts any non-empty key",
    "nonexistent_org_404": "answers 404 for an organization it does not know",
    "text_content_type": "labels the 200 body text/plain",
    "crash_at_max_year": "answers 500 for the highest documented year",
    "alias_ignored": "ignores the Api-Key alias header",
    "non_integer_accepted": "truncates a decimal month (1.5 -> 1) instead of rejecting it",
    "no_405": "answers undocumented methods 404 instead of 405",
    "negative_cost": "sends a negative totalApiKeyCost",
    "reset_unknown_key": "drops the connection when the key is unknown",
    "html_200": "answers the summary with an HTML page",
    "redirect": "redirects the summary to another server (redirect_to)",
    "invalid_json": "labels the summary application/json but cuts the body mid-way",
    "huge_body": "answers the summary with a 10 MB JSON body",
    # Corners of the (year, month) domain: every other month answers well.
    "leap_february_500": "crashes (500) on February of a leap year",
    "december_rollover": "summarises a finished December as January of the next year",
    "zero_usage_500": "divides by zero (500) for a finished month without usage",
    # Look-alike org ids: the key's own org compared carelessly.
    "prefix_org_match": "lets a key read every id its org's id starts with (LIKE 'id%')",
    "case_insensitive_org": "compares org ids case-insensitively",
    "trimmed_org": "trims whitespace off the org id before comparing",
    "url_decoded_org": "URL-decodes the org id once more before comparing",
    "nfkc_org": "NFKC-normalizes the org id before comparing (full-width letters fold)",
    # Values copied from the document, or times that make no sense.
    "docs_generated_at": "stamps every summary with the document's generatedAt",
    "future_generated_at": "stamps the current month with its end, in the future",
    "docs_error_timestamp": "stamps every error with the document's timestamp",
    "constant_trace_id": "sends the document's trace_id of each status",
    # Ways in.
    "empty_alias_500": "crashes (500) on an empty Api-Key header",
    "case_sensitive_key_header": "finds the key headers only in their exact spelling",
    "key_in_first_cookie": "quotes an unknown key in the first of two Set-Cookie headers",
    # Look-alike keys: the key compared carelessly (tests/kit/careless.py, LAX_KEY).
    "key_startswith": "accepts any key that starts with a valid key (sent.startswith(key))",
    "key_prefix_accepted": "accepts any prefix of a valid key (key.startswith(sent))",
    "key_lowercased": "compares keys in lower case",
    "key_truncated": "compares only the first 12 characters of a key",
    "key_last4_lookup": "looks a key up by its last 4 characters (the masked form)",
    # Input its framework chokes on, or reads too kindly.
    "utf8_choke_500": "crashes (500) on a path or query value that is not UTF-8",
    "html_debug_page": "answers a NUL or control byte in a value with an HTML debug page (500)",
    "separator_500": "crashes (500) on an org id holding '/' or '\\' (it becomes a file path)",
    "int64_overflow_500": "crashes (500) on a year or month beyond 64 bits",
    "int64_wraparound": "reads a year or month in 64 bits: 2^64 + 2025 is 2025",
    "lenient_integers": "parses year and month with int(): +11, ' 11', 1_1 and ١١ are 11",
    "repeated_params_500": "crashes (500) on a parameter given twice",
    "nan_average": "writes NaN as the average of a month without usage (0 / 0)",
    "no_allow_header": "answers 405 without the Allow header",
}

# Switches for legitimate variations a correct server may show.
VARIATIONS = {
    "extra_fields": "adds fields the contract does not declare",
    "fractional_offset_time": "timestamps with fractional seconds and a +00:00 offset",
    "average_2dp": "rounds averageCostPerRequest to 2 decimals",
    "trace_id_format": "a trace_id in its own format (a short counter: t1, t2, ...)",
    "unknown_key_code": "its own 401 code and type for an unknown key",
    "params_before_auth": "validates parameters before the org (400 for forbidden+malformed)",
    "extra_headers": "rate-limit, server and request-id headers",
    "rate_limited": "every 10th summary request answered 429 with Retry-After: 0",
    "charset_utf8": "Content-Type application/json; charset=utf-8",
    "gzip": "every body gzip-compressed (Content-Encoding: gzip, whatever the request)",
    "whole_numbers": "whole numbers without a fraction (6250 for a number, not 6250.0)",
    "slow_100ms": "100 ms for every answer",
    "busy_month": "429 (Retry-After: 0) for every request of June 2021, however often asked",
    "bad_key_throttle": "every 3rd request with an unknown key answered 429 (Retry-After: 0)",
    "org_bytes_400": "refuses an org id that is not UTF-8 or holds NUL: 400 in the envelope",
    "separator_404": "decodes %2F and %5C before routing: such an org id finds no route (404)",
    "repeated_last_wins": "reads the last value of a parameter given twice",
    "repeated_first_wins": "reads the first value of a parameter given twice",
    "methods_auth_first": "a gateway answers methods the route lacks with 403, before routing",
    "padded_header_values": "spaces and tabs around every header value (HTTP strips them)",
}

# Careless comparisons of the path's org id with the key's own org (the look-alike defects).
LAX_MATCH: dict[str, Callable[[str, str], bool]] = {
    "prefix_org_match": lambda org, own: bool(org) and own.startswith(org),
    "case_insensitive_org": lambda org, own: org.casefold() == own.casefold(),
    "trimmed_org": lambda org, own: org.strip() == own,
    "url_decoded_org": lambda org, own: unquote(org) == own,
    "nfkc_org": lambda org, own: unicodedata.normalize("NFKC", org) == own,
}


def whole(value: Any) -> Any:
    """Floats without a fraction written as integers (6250 rather than 6250.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole(v) for k, v in value.items()}
    return value
