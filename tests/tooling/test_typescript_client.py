"""openapi-typescript types from the mock's served ``/openapi.json``, a small openapi-fetch
client type-checked by ``tsc --strict`` (``ts/client.ts``: the per-status error types are
compile-time assertions there), then run with node against the mock: the success body and
each documented error come back with their row's status, code and ``X-Request-ID``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mock_server.testing import MockServerThread

from . import node_tools

HERE = Path(__file__).resolve().parent
KEY = "mock-key-abc123"


def run(cmd: list[str], cwd: Path, **env: str) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env={**node_tools.env(), **env}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"{' '.join(cmd[:2])} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, server: MockServerThread) -> Path:
    """A TypeScript project: client.ts, its tsconfig, and the types generated from the
    served spec; node_modules is the pinned tools' (a symlink)."""
    tools = node_tools.ensure()
    root = tmp_path_factory.mktemp("ts-client")
    for name in ("client.ts", "tsconfig.json"):
        shutil.copy2(HERE / "ts" / name, root / name)
    (root / "package.json").write_text('{"type": "module", "private": true}\n')
    os.symlink(tools / "node_modules", root / "node_modules")
    run([str(node_tools.tool("openapi-typescript")), f"{server.origin}/openapi.json",
         "--output", "schema.ts"], root)
    return root


def test_generated_types_name_each_error(project: Path) -> None:
    schema = (project / "schema.ts").read_text()
    for name in ("InvalidRequestError", "AuthenticationRequiredError",
                 "OrganizationAccessDeniedError", "RateLimitExceededError", "InternalError",
                 "NotFoundError", "MethodNotAllowedError", "UriTooLongError",
                 "RequestHeadersTooLargeError"):
        assert f"        {name}: {{" in schema
        assert f'code: "{name}' not in schema  # (codes are literals, e.g. "INVALID_REQUEST")
    assert "getApiKeyUsageSummary: {" in schema


@pytest.fixture(scope="module")
def calls(project: Path, server: MockServerThread) -> dict[str, dict[str, Any]]:
    run([str(node_tools.tool("tsc")), "--project", "tsconfig.json"], project)
    out = run(["node", "out/client.js"], project, MOCK_ORIGIN=server.origin, API_KEY=KEY,
              ORG_ID="org_abc123", FOREIGN_ORG_ID="org_xyz789")
    return {c["name"]: c for c in map(json.loads, out.splitlines())}


def test_client_type_checks_and_gets_the_summary(calls: dict[str, dict[str, Any]],
                                                  server: MockServerThread) -> None:
    ok = calls["200"]
    assert ok["status"] == 200 and ok["requestId"]
    assert server.parts.contract.validators[200].is_valid(ok["body"])
    assert ok["total"] == ok["body"]["totalApiKeyRequests"]


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500, 404, 414, 431])
def test_each_error_arrives_typed(calls: dict[str, dict[str, Any]], server: MockServerThread,
                                  status: int) -> None:
    contract = server.parts.contract
    got = calls[str(status)]
    template = {**contract.mock_errors, **contract.errors}[status]
    assert got["status"] == status
    assert got["code"] == template.code
    assert contract.validators[status].is_valid(got["body"])
    assert got["requestId"] == got["body"]["error"]["trace_id"]
