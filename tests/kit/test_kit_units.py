"""Small units of the kit: the one config path, and verdicts for checks that misbehave."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import urllib3

from api_contract.contract import load_contract
from api_contract.resources import default_spec_path
from contract_tests.checks import all_checks
from contract_tests.checks.credentials import key_look_alikes
from contract_tests.checks.isolation import look_alikes
from contract_tests.checks.sweep import domain, label
from contract_tests.config import OPTIONS, UsageError, resolve
from contract_tests.context import Context
from contract_tests.registry import Check, collect
from contract_tests.runner import Outcome, run_one

from .broken import BrokenServer

REQUIRED = {"base_url": "http://127.0.0.1:1/v1", "api_key": "k" * 10, "org_id": "org_a"}


def test_a_flag_wins_over_its_environment_variable_which_wins_over_the_default() -> None:
    env = {"FREDDY_ORG_ID": "org_env", "FREDDY_MAX_EXAMPLES": "7", "FREDDY_STRICT": "yes"}
    cfg = resolve({**REQUIRED, "org_id": None, "base_url": REQUIRED["base_url"] + "/"}, env)
    assert (cfg.org_id, cfg.max_examples, cfg.strict) == ("org_env", 7, True)
    assert cfg.base_url == "http://127.0.0.1:1/v1"
    cfg = resolve({**REQUIRED, "max_examples": "3"}, env)
    assert (cfg.org_id, cfg.max_examples, cfg.seed, cfg.timeout) == ("org_a", 3, 0, 10.0)
    assert resolve(REQUIRED, {}).max_examples == 100


def test_every_option_has_its_own_freddy_environment_variable() -> None:
    envs = [o.env for o in OPTIONS]
    assert len(set(envs)) == len(envs) and all(e.startswith("FREDDY_") for e in envs)


@pytest.mark.parametrize(("name", "value"), [("strict", "maybe"), ("seed", "-1"),
                                             ("timeout", "0"), ("rate_limit", "10/week")])
def test_bad_values_are_usage_errors(name: str, value: str) -> None:
    with pytest.raises(UsageError):
        resolve({**REQUIRED, name: value}, {})


def test_a_check_that_breaks_is_a_failure_with_a_reason_not_a_traceback() -> None:
    def broken(ctx: Any) -> None:
        raise KeyError("error")

    result = run_one(Context.__new__(Context), Check("odd", "units", "a check that breaks", broken))
    assert result.outcome is Outcome.FAIL and result.violation is not None
    assert result.violation.got == "KeyError: 'error'" and result.violation.check == "odd"


def test_check_names_are_unique() -> None:
    class Module:
        pass

    a, b = Module(), Module()
    a.x = Check("same", "a", "", lambda ctx: None)  # type: ignore[attr-defined]
    b.y = Check("same", "b", "", lambda ctx: None)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="same"):
        collect([a, b])  # type: ignore[list-item]


def test_the_docs_list_every_check_and_every_option() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "contract-kit.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    for chk in all_checks():
        assert any(f"`{chk.name}`" in row for row in rows), chk.name
    for opt in OPTIONS:
        assert any(f"`{opt.flag}" in row and opt.env in row for row in rows), opt.flag


def test_look_alikes_differ_from_the_id_and_fold_back_to_it_where_they_claim_to() -> None:
    found = dict(look_alikes("org_abc123"))
    assert "org_abc123" not in found.values() and len(set(found.values())) == len(found)
    assert found["in upper case"] == "ORG_ABC123"
    assert found["without its last character"] == "org_abc12"
    assert found["with a trailing space"].strip() == "org_abc123"
    assert unquote(found["percent-encoded once more"]) == "org_abc123"
    wide = found["with a full-width first letter"]
    assert wide != "org_abc123" and unicodedata.normalize("NFKC", wide) == "org_abc123"


def test_the_sweep_domain_is_every_documented_month_corners_first() -> None:
    ctx = Context(resolve(REQUIRED, {}), load_contract(default_spec_path()), None)  # type: ignore[arg-type]
    points = domain(ctx)
    assert len(points) == 11 * 12 and len({label(ctx, p) for p in points}) == 132
    labels = [label(ctx, p) for p in points]
    corners = [x for x in labels if x[5:] in ("01", "12") or x in ("2020-02", "2024-02",
                                                                     "2028-02")]
    last_corner = max(labels.index(c) for c in corners)
    assert last_corner < labels.index("2023-08")  # an ordinary month comes after them
    assert labels[last_corner + 1:] == sorted(labels[last_corner + 1:])  # in order within


def test_key_look_alikes_differ_at_either_end_in_case_or_length_and_never_by_whitespace() -> None:
    key = "mock-key-abc123"
    found = dict(key_look_alikes(key))
    assert key not in found.values() and len(set(found.values())) == len(found)
    assert found["with a character appended"] == key + "4"
    assert found["with a character prepended"] == "n" + key
    assert found["without its last character"] == key[:-1]
    assert found["without its first character"] == key[1:]
    assert found["with its last character changed"] == key[:-1] + "4"
    assert found["with its first character changed"] == "n" + key[1:]
    assert found["in upper case"] == key.upper()
    assert key.startswith(found["cut to its first half (a prefix)"])
    # HTTP strips whitespace around a header's value: a padded key is the key itself.
    assert all(alike == alike.strip() and alike for alike in found.values())
    assert all(a == a.strip() and a for _, a in key_look_alikes(" k\t"))


def test_a_key_padded_with_whitespace_is_the_key_on_the_wire() -> None:
    """Why the look-alikes leave whitespace out: the server never sees it."""
    with BrokenServer() as server:
        url = server.base_url + "/analytics/api-keys/summary/org_abc123"
        padded = urllib3.request("GET", url, headers={"X-API-Key": " mock-key-abc123\t"})
    assert padded.status == 200, padded.data
