"""Each check of the kit as one pytest test (see conftest.py for the options)."""

from __future__ import annotations

import pytest

from contract_tests.checks import all_checks
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.registry import Check

CHECKS = all_checks()


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_check(check: Check, kit_context: Context) -> None:
    try:
        check(kit_context)
    except CheckSkipped as skipped:
        pytest.skip(str(skipped))
