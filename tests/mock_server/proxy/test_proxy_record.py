"""``--record DIR``: the upstream's good 200s become fixtures that ``freddy-mock --fixtures DIR``
replays byte for byte; errors and violating answers are counted, never recorded; no file
ever holds a key."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml

from mock_server.config import MockConfig
from mock_server.testing import MockServerThread

from conftest import KEY_ABC, SUMMARY
from helpers import run, running
from kit.broken import BrokenServer
from proxy_helpers import FOREIGN, Probe, proxy, send

SECRET = "staging-secret-key-4711"  # a key only the upstream knows
MONTHS = [(2024, 12), (2025, 1), (2025, 2), (2025, 11)]


def files_text(directory: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(directory.iterdir()))


def test_record_then_replay_gives_the_same_bodies(tmp_path: Path) -> None:
    rec = tmp_path / "recorded"
    upstream_config = MockConfig(port=0, keys=((SECRET, "org_acme"),))
    recorded: dict[tuple[str, int, int], bytes] = {}
    with MockServerThread(upstream_config) as upstream, \
            proxy(upstream.base_url, record=rec) as px:
        for org, key in (("org_abc123", KEY_ABC), ("org_acme", SECRET)):
            for year, month in MONTHS:
                resp = send(px, Probe("m", org=org, query=f"year={year}&month={month}",
                                      headers=(("X-API-Key", key),)))
                assert resp.status_code == 200
                recorded[(org, year, month)] = resp.content
        errors = [send(px, Probe("no key", headers=())),
                  send(px, Probe("month 13", query="year=2025&month=13")),
                  send(px, Probe("foreign", org=FOREIGN))]
        assert [r.status_code for r in errors] == [401, 400, 403]
    # Stopping the proxy wrote what was left.
    text = files_text(rec)
    assert KEY_ABC not in text and SECRET not in text
    assert "HTTP 400 ×1, HTTP 401 ×1, HTTP 403 ×1" in (rec / "summaries.yaml").read_text()
    summaries = yaml.safe_load((rec / "summaries.yaml").read_text())["summaries"]
    assert {(s["org"], s["year"], s["month"]) for s in summaries} == set(recorded)
    keys = {k["org"]: k["key"] for k in yaml.safe_load((rec / "keys.yaml").read_text())["keys"]}
    assert set(keys) == {"org_abc123", "org_acme"}

    with running("--fixtures", str(rec)) as (_, base):
        for (org, year, month), body in recorded.items():
            url = f"{base}{SUMMARY}{org}?year={year}&month={month}"
            resp = requests.get(url, headers={"X-API-Key": keys[org]}, timeout=30)
            assert resp.status_code == 200 and resp.content == body, (org, year, month)


def test_a_violating_200_is_counted_not_recorded_and_earlier_recordings_stay(
    tmp_path: Path,
) -> None:
    rec = tmp_path / "recorded"
    with MockServerThread(MockConfig(port=0)) as good, proxy(good.base_url, record=rec) as px:
        assert send(px, Probe("good")).status_code == 200
    with BrokenServer("wrong_average") as bad, proxy(bad.base_url, record=rec) as px:
        assert send(px, Probe("bad", query="year=2025&month=3")).status_code == 200
        assert send(px, Probe("good again")).status_code == 200  # same month: not rewritten
    text = (rec / "summaries.yaml").read_text()
    summaries = yaml.safe_load(text)["summaries"]
    assert [(s["org"], s["year"], s["month"]) for s in summaries] == [("org_abc123", 2025, 11)]
    keys = yaml.safe_load((rec / "keys.yaml").read_text())["keys"]
    assert [k["org"] for k in keys] == ["org_abc123"] and KEY_ABC not in files_text(rec)


def test_the_recorded_summaries_pass_the_fixtures_validation(tmp_path: Path) -> None:
    from api_contract.contract import load_contract
    from api_contract.resources import default_spec_path
    from mock_server.foundation.fixtures import load_fixtures

    rec = tmp_path / "recorded"
    with MockServerThread(MockConfig(port=0)) as upstream, \
            proxy(upstream.base_url, record=rec) as px:
        assert send(px, Probe("default month", query="")).status_code == 200
    fixtures = load_fixtures(rec, load_contract(default_spec_path()), validate=True)
    assert len(fixtures.canned) == 1 and len(fixtures.keys) == 1


@pytest.mark.parametrize("text", [
    "summaries: [{body: {}}]\n",
    "summaries:\n  - {org: org_abc123, year: 2025, month: 11, body: {}}\n",
    "summaries: [{org: org_abc123, year: 2025, month: 11, body: [1]}]\n",
    "keys: nope\n",
])
def test_a_hand_edited_recording_is_one_line_and_exit_2(tmp_path: Path, text: str) -> None:
    """d7d8f84 crashed with a traceback on --record over summaries: [{body: {}}]: the
    directory is read as --fixtures DIR reads it now, with the same checks."""
    rec = tmp_path / "recorded"
    rec.mkdir()
    name = "keys.yaml" if text.startswith("keys") else "summaries.yaml"
    (rec / name).write_text(text)
    proc = run("--proxy", "http://127.0.0.1:9/v1", "--record", str(rec))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--record" in lines[0] and name in lines[0], proc.stderr
