"""Schemathesis in positive and negative modes against the mock, fixed seed.

Run by ``.ci/run`` as its own step (``pytest -m fuzz``): at least 5,000 generated cases,
zero 5xx and zero schema violations. FREDDY_FUZZ_EXAMPLES scales it down for a quick look.
``test_fuzz_totals`` runs after the generated cases (pytest keeps file order) and asserts
the run's own figures; it fails when the cases did not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode

from api_contract.resources import default_spec_path
from mock_server.testing import MockServerThread

from conftest import start

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FREDDY_FUZZ_EXAMPLES", "5000"))
MIN_CASES = int(os.environ.get("FREDDY_FUZZ_MIN_CASES", "5000"))
CALLS: dict[str, int] = {"cases": 0, "5xx": 0, "2xx": 0}
BASE: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[MockServerThread]:
    server = start()
    yield server
    server.stop()


schema = schemathesis.openapi.from_path(default_spec_path())
schema.config.update(
    headers={"X-API-Key": "mock-key-abc123"},
    parameters={"path.org_id": "org_abc123"},
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    database="none",
    allow_extra_parameters=False,
)


@pytest.fixture(scope="module", autouse=True)
def _point_at_the_mock(fuzz_server: MockServerThread) -> None:
    BASE["url"] = fuzz_server.base_url


@schema.parametrize()
@hypothesis.seed(20251115)
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_fuzz(case: schemathesis.Case) -> None:
    response = case.call(base_url=BASE["url"], timeout=10)
    CALLS["cases"] += 1  # counted before the checks, which stop at a 5xx
    if response.status_code >= 500:
        CALLS["5xx"] += 1
    if 200 <= response.status_code < 300:
        CALLS["2xx"] += 1
    case.validate_response(response)


def test_fuzz_totals() -> None:
    print(f"\nfuzz: {CALLS}")
    assert CALLS["5xx"] == 0, f"{CALLS['5xx']} answers were server errors"
    assert CALLS["cases"] >= MIN_CASES, f"only {CALLS['cases']} cases were generated"
    assert CALLS["2xx"] > 0, "no request reached a 200: the 200 schema was never checked"
