"""Small units of the kit: the one config path, and verdicts for checks that misbehave."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.config import OPTIONS, UsageError, resolve
from contract_tests.context import Context
from contract_tests.registry import Check, collect
from contract_tests.runner import Outcome, run_one

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
