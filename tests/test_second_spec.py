"""A changed contract needs no code change: a second spec (tests/specs/snake_case.yaml, every
field of the summary renamed and a required ``currency`` added) runs through the mock (plain,
scenarios, fixtures, recording and replay, --workers), the kit, the proxy and Schemathesis'
own CLI. The assertions read the names from the compiled contracts, never from this file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from api_contract import invariants
from api_contract.contract import Contract, load_contract
from api_contract.fields import COST, MEANINGS, MONTH, REQUESTS, YEAR
from api_contract.resources import default_spec_path
from contract_tests.cli import main as kit_main
from mock_server.config import MockConfig, ProxyConfig, QaConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, SUMMARY
from helpers import running
from specs import SNAKE_CASE

ORG, FOREIGN = "org_abc123", "org_xyz789"
NEW = load_contract(SNAKE_CASE)
OLD = load_contract(default_spec_path())
ADDED = [n for n in NEW.fields.order if n in NEW.fields.filled]  # no meaning: from schema
HEADER = "X-Contract-Violations"


def proxy(upstream: str, *, record: Path | None = None, qa: QaConfig | None = None,
          spec_path: Path = SNAKE_CASE) -> MockServerThread:
    """``freddy-mock --spec SPEC --proxy UPSTREAM [--record DIR]`` (a ``with`` block)."""
    return MockServerThread(MockConfig(port=0, spec_path=spec_path, qa=qa or QaConfig(),
                                       proxy=ProxyConfig(upstream, 5.0, False, record)))


def test_the_second_spec_differs_in_every_name_and_adds_a_required_field() -> None:
    assert not set(NEW.summary_fields) & set(OLD.summary_fields)
    assert len(NEW.summary_fields) == len(OLD.summary_fields) + 1
    assert ADDED and set(ADDED) <= set(NEW.summary_fields)


@pytest.fixture(scope="module")
def new_mock() -> Iterator[MockServerThread]:
    with MockServerThread(MockConfig(port=0, spec_path=SNAKE_CASE)) as server:
        yield server


@pytest.fixture(scope="module")
def old_mock() -> Iterator[MockServerThread]:
    with MockServerThread(MockConfig(port=0)) as server:
        yield server


def get(base_url: str, year: int | None = 2025, month: int | None = 11,
        headers: dict[str, str] | None = None, org: str = ORG,
        key: str = KEY_ABC) -> requests.Response:
    params = {k: v for k, v in (("year", year), ("month", month)) if v is not None}
    return requests.get(base_url + SUMMARY + org, params=params, timeout=30,
                        headers={"X-API-Key": key, **(headers or {})})


def summary_of(resp: requests.Response, year: int, month: int,
               contract: Contract = NEW) -> dict[str, Any]:
    """The answer is a summary of ``contract`` for (year, month), keeping its rules."""
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert sorted(doc) == sorted(contract.fields.order)
    assert not list(contract.validators[200].iter_errors(doc))
    assert invariants.echo(contract, ORG, {"year": str(year), "month": str(month)}, doc) is None
    assert invariants.average(contract, doc) is None
    assert all(doc[name] == contract.fields.filled[name] for name in ADDED)
    return doc


def test_plain_generated_and_canned_months(new_mock: MockServerThread) -> None:
    canned = summary_of(get(new_mock.base_url), 2025, 11)
    assert canned == NEW.examples["documented"].value  # fixtures' `example: documented`
    generated = summary_of(get(new_mock.base_url, 2024, 2), 2024, 2)
    assert generated[NEW.fields[REQUESTS]] > 0
    current = get(new_mock.base_url, None, None).json()
    assert set(NEW.fields.values(current)) == set(MEANINGS)


def test_the_same_numbers_under_either_spec(new_mock: MockServerThread,
                                            old_mock: MockServerThread) -> None:
    new = NEW.fields.values(get(new_mock.base_url, 2024, 2).json())
    old = OLD.fields.values(get(old_mock.base_url, 2024, 2).json())
    assert new == old


@pytest.mark.parametrize(("scenario", "factor"), [("enterprise-org", 100000),
                                                  ("empty-org", 0)])
def test_usage_scenarios(new_mock: MockServerThread, scenario: str, factor: int) -> None:
    plain = summary_of(get(new_mock.base_url, 2024, 2), 2024, 2)
    scaled = summary_of(get(new_mock.base_url, 2024, 2,
                            headers={"Prefer": f"scenario={scenario}"}), 2024, 2)
    requests_ = NEW.fields[REQUESTS]
    assert scaled[requests_] == plain[requests_] * factor


def test_fixtures_written_for_the_new_names_are_served(tmp_path: Path) -> None:
    values = NEW.fields.values(NEW.examples["documented"].value)
    body = NEW.fields.body({**values, MONTH: 3, REQUESTS: 7 * values[REQUESTS],
                            COST: 7 * values[COST]})  # (the average stays: same ratio)
    (tmp_path / "keys.yaml").write_text(f"keys:\n  - {{key: {KEY_ABC}, org: {ORG}}}\n")
    (tmp_path / "summaries.yaml").write_text(yaml.safe_dump({"summaries": [
        {"org": ORG, "year": 2025, "month": 3, "body": body}]}, sort_keys=False))
    config = MockConfig(port=0, spec_path=SNAKE_CASE, fixtures_dir=tmp_path)
    with MockServerThread(config) as server:
        assert summary_of(get(server.base_url, 2025, 3), 2025, 3) == body


def test_recording_and_replay(tmp_path: Path, new_mock: MockServerThread) -> None:
    record = tmp_path / "recorded"
    months = [(2024, 12), (2025, 1), (2025, 11)]
    with proxy(new_mock.base_url, record=record, spec_path=SNAKE_CASE) as px:
        seen = {m: get(px.base_url, *m) for m in months}
    assert all(HEADER not in r.headers for r in seen.values())
    recorded = yaml.safe_load((record / "summaries.yaml").read_text())["summaries"]
    assert {(s["year"], s["month"]) for s in recorded} == set(months)
    keys = yaml.safe_load((record / "keys.yaml").read_text())["keys"]
    key = next(k["key"] for k in keys if k["org"] == ORG)
    config = MockConfig(port=0, spec_path=SNAKE_CASE, fixtures_dir=record)
    with MockServerThread(config) as replay:
        for (year, month), resp in seen.items():
            again = get(replay.base_url, year, month, key=key)
            assert summary_of(again, year, month) == resp.json()


def test_workers() -> None:
    with running("--spec", str(SNAKE_CASE), "--workers", "2") as (_, base):
        for month in (1, 2, 3, 4):
            summary_of(get(base, 2025, month), 2025, month)


def _kit(server: MockServerThread, *extra: str) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", KEY_ABC, "--org-id", ORG,
            "--foreign-org-id", FOREIGN, "--spec", str(SNAKE_CASE), "--max-examples", "5",
            *extra]


def test_the_kit_passes_against_a_mock_serving_the_new_spec(
        new_mock: MockServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    assert kit_main(_kit(new_mock)) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "SKIP" not in out


def test_the_kit_fails_naming_the_fields_against_a_mock_serving_the_old_one(
        old_mock: MockServerThread, capsys: pytest.CaptureFixture[str]) -> None:
    assert kit_main(_kit(old_mock)) == 1
    out = capsys.readouterr().out
    assert "FAIL summary_fields" in out
    block = out[out.index("FAIL summary_fields"):]
    assert "missing " + ", ".join(NEW.summary_fields) in block
    assert "unexpected " + ", ".join(OLD.fields.order) in block


def test_the_proxy_flags_an_upstream_with_the_old_names(old_mock: MockServerThread) -> None:
    with proxy(old_mock.base_url, spec_path=SNAKE_CASE,
               qa=QaConfig(admin=True)) as px:
        resp = get(px.base_url)
        assert resp.status_code == 200  # relayed as it came (not --strict)
        assert set(resp.json()) == set(OLD.summary_fields)
        flagged = set(resp.headers[HEADER].split(", "))
        assert {"summary_fields", "response_schema"} <= flagged
        journal = requests.get(px.origin + "/__mock/requests", timeout=30).json()
    text = str(journal)
    assert "missing " + ", ".join(NEW.summary_fields) in text
    assert "unexpected " + ", ".join(OLD.fields.order) in text


def test_the_proxy_passes_an_upstream_with_the_new_names(new_mock: MockServerThread) -> None:
    with proxy(new_mock.base_url, spec_path=SNAKE_CASE) as px:
        for year, month in ((2025, 11), (2024, 2)):
            resp = get(px.base_url, year, month)
            assert HEADER not in resp.headers
            summary_of(resp, year, month)


def _schemathesis(server: MockServerThread, work: Path) -> subprocess.CompletedProcess[str]:
    """Schemathesis' own CLI (4.x: ``st run``) on the new spec, the org pinned to the key's."""
    (work / "schemathesis.toml").write_text(
        f'headers = {{ "X-API-Key" = "{KEY_ABC}" }}\n'
        f'[parameters]\n"path.org_id" = "{ORG}"\n[generation]\ndatabase = "none"\n')
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [str(st), "--config-file", str(work / "schemathesis.toml"), "--no-color", "run",
         str(SNAKE_CASE), "--url", server.base_url, "--checks", "all", "--mode", "all",
         "-n", "20", "--seed", "42"],
        capture_output=True, text=True, timeout=300, cwd=work)


def test_schemathesis_cli_passes_the_mock_serving_the_new_spec(
        new_mock: MockServerThread, tmp_path: Path) -> None:
    done = _schemathesis(new_mock, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "No issues found" in done.stdout


def test_schemathesis_cli_fails_the_mock_serving_the_old_spec(
        old_mock: MockServerThread, tmp_path: Path) -> None:
    done = _schemathesis(old_mock, tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "Response violates schema" in done.stdout


def test_the_meanings_and_the_year_and_month(new_mock: MockServerThread) -> None:
    doc = get(new_mock.base_url, 2023, 5).json()
    assert (doc[NEW.fields[YEAR]], doc[NEW.fields[MONTH]]) == (2023, 5)


def test_the_docs_page_lists_the_new_fields_by_meaning(new_mock: MockServerThread) -> None:
    page = requests.get(new_mock.origin + "/docs", timeout=30).text
    table = page[page.index('id="mock-fields"'):]
    table = table[:table.index("</table>")]
    for name, meaning, _ in NEW.fields.rows():
        assert f"<code>{name}</code>" in table and (meaning or "(none)") in table
    assert not any(f"<code>{name}</code>" in table for name in OLD.summary_fields)


def test_the_documented_errors_come_from_the_spec_alone(tmp_path: Path) -> None:
    """Each documented error's code, type and message are the spec's: change them there and
    the mock answers with the new ones; so with the key header's name."""
    from specs import OPERATION, mutate

    def change(doc: dict[str, Any]) -> None:
        schemas = doc["components"]["schemas"]
        op = doc
        for part in OPERATION:
            op = op[part]
        for status, name in ((401, "AuthenticationRequired"), (403, "OrganizationAccessDenied"),
                             (429, "RateLimitExceeded")):
            detail = schemas[f"{name}ErrorDetail"]["properties"]
            detail["code"]["const"] = f"CODE_{status}"
            detail["type"]["const"] = f"type_{status}"
            example = next(iter(op["responses"][str(status)]["content"]["application/json"]
                                ["examples"].values()))["value"]["error"]
            example.update(code=f"CODE_{status}", type=f"type_{status}",
                           message=f"message {status}", system_message=f"wording {status}")
        doc["components"]["securitySchemes"]["ApiKeyHeader"]["name"] = "X-Freddy-Key"

    spec = mutate(tmp_path, change)
    key = {"X-Freddy-Key": KEY_ABC}
    with MockServerThread(MockConfig(port=0, spec_path=spec)) as server:
        url = server.base_url + SUMMARY
        errors = {
            401: requests.get(url + ORG, headers={"X-API-Key": KEY_ABC}, timeout=30),
            403: requests.get(url + FOREIGN, headers=key, timeout=30),
            429: requests.get(url + ORG, headers={**key, "Prefer": "code=429"}, timeout=30),
        }
        own = requests.get(url + ORG, headers=key, timeout=30)
    for status, resp in errors.items():
        err = resp.json()["error"]
        assert (resp.status_code, err["code"], err["type"], err["message"]) == (
            status, f"CODE_{status}", f"type_{status}", f"message {status}")
    assert errors[429].json()["error"]["system_message"] == "wording 429"
    assert own.status_code == 200
