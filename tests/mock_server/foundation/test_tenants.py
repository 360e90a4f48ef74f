"""``--tenants N``: generated organizations with realistic, seed-stable names and keys, that
authenticate like the fixtures' keys, are listed in /docs, and come with the pytest plugin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict

import pytest
import requests

from mock_server.foundation.tenants import MAX_TENANTS, make_tenants

from conftest import KEY_ABC, SUMMARY, start
from helpers import CMD, read_line, run, stop

DRAW = ("import json, sys; from mock_server.foundation.tenants import make_tenants; "
        "from dataclasses import asdict; "
        "print(json.dumps([asdict(t) for t in make_tenants(int(sys.argv[1]), int(sys.argv[2]))]))")


def test_tenants_are_stable_per_seed_and_per_org() -> None:
    ten = make_tenants(10, seed=7)
    assert make_tenants(10, seed=7) == ten
    assert make_tenants(3, seed=7) == ten[:3]  # tenant i does not depend on N
    assert make_tenants(10, seed=8) != ten
    # Another process, another hash seed: the same tenants.
    proc = subprocess.run([sys.executable, "-c", DRAW, "10", "7"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": "12345"},
                          check=True)
    assert json.loads(proc.stdout) == [asdict(t) for t in ten]


def test_tenants_look_real_and_are_distinct() -> None:
    tenants = make_tenants(200, seed=0, reserved={"org_abc123"})
    assert len({t.org for t in tenants}) == len({t.key for t in tenants}) == 200
    assert "org_abc123" not in {t.org for t in tenants}
    assert len({t.name for t in tenants}) > 150  # company names, rarely repeated
    for t in tenants:
        assert re.fullmatch(r"org_[a-z0-9]{6}", t.org), t.org
        assert re.fullmatch(rf"mock-key-t{t.index}-[0-9a-f]{{12}}", t.key), t.key
        assert re.search(r"[A-Za-zÄÖÜäöü]{3}", t.name), t.name
    assert [t.index for t in tenants] == list(range(1, 201))


@pytest.mark.parametrize("count", [-1, MAX_TENANTS + 1])
def test_tenant_count_is_bounded(count: int) -> None:
    with pytest.raises(ValueError, match="tenant count"):
        make_tenants(count, seed=0)


@pytest.mark.parametrize("value", ["x", "-3", str(MAX_TENANTS + 1)])
def test_bad_tenant_flag_is_one_line_exit_2(value: str) -> None:
    proc = run("--tenants", value)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a tenant count" in proc.stderr


def test_no_faker_at_start_up_without_tenants() -> None:
    code = ("import sys; from mock_server.config import MockConfig; "
            "from mock_server.serve.app import build_parts; build_parts(MockConfig()); "
            "print('faker' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "False"


def test_each_tenant_key_reads_its_own_org_only() -> None:
    srv = start(tenants=3)
    try:
        tenants = srv.parts.tenants
        assert tenants == make_tenants(3, seed=0, reserved={"org_abc123", "org_xyz789"})
        first, second = tenants[0], tenants[1]
        url = srv.base_url + SUMMARY
        own = requests.get(url + first.org, headers={"X-API-Key": first.key}, timeout=10)
        assert own.status_code == 200 and own.json()["organization_id"] == first.org
        other = requests.get(url + second.org, headers={"X-API-Key": first.key}, timeout=10)
        assert other.status_code == 403
        fixture = requests.get(url + first.org, headers={"X-API-Key": KEY_ABC}, timeout=10)
        assert fixture.status_code == 403
        page = requests.get(srv.origin + "/docs", timeout=10).text
        for t in tenants:
            assert f"<code>{t.key}</code></td><td><code>{t.org}</code>" in page
            assert t.name.replace("&", "&amp;") in page
    finally:
        srv.stop()


def test_start_up_line_counts_tenants_instead_of_listing_them() -> None:
    proc = subprocess.Popen([*CMD, "--port", "0", "--tenants", "25", "--seed", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = read_line(proc.stdout)
        assert "; 25 generated tenants, listed in /docs)" in line, line
        assert line.count(" -> ") == 2  # the fixtures' two keys, masked
        base = re.search(r"listening on (http://\S+)", line).group(1)  # type: ignore[union-attr]
        tenant = make_tenants(25, seed=3)[24]
        resp = requests.get(f"{base}/analytics/api-keys/summary/{tenant.org}",
                            headers={"X-API-Key": tenant.key}, timeout=10)
        assert resp.status_code == 200
    finally:
        stop(proc)  # SIGTERM, and wait
        proc.stdout.close()  # type: ignore[union-attr]


PLUGIN_CONFTEST = """
import pytest
from mock_server.config import MockConfig

@pytest.fixture(scope="session")
def freddy_mock_config():
    return MockConfig(tenants=4, seed=11)
"""

PLUGIN_TEST = """
import requests

def test_org_picker_has_tenants(freddy_mock):
    assert len(freddy_mock.tenants) == 4
    for t in freddy_mock.tenants:
        assert freddy_mock.keys[t.org] == t.key
        r = requests.get(freddy_mock.url(t.org), headers={"X-API-Key": t.key})
        assert r.status_code == 200 and r.json()["organization_id"] == t.org
    assert "org_abc123" in freddy_mock.keys
"""


def test_plugin_gives_tenants(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PLUGIN_CONFTEST)
    pytester.makepyfile(test_tenants_user=PLUGIN_TEST)
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
