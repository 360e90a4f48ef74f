"""Python clients generated from the mock's served ``/openapi.json``: openapi-python-client
(a whole client) and datamodel-code-generator (pydantic models). Every example of the spec
parses into the model of its own row, each error status has a named model narrowed to its
code (another status's body is rejected), and the generated client, run against the mock,
returns each documented error as its own type."""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from mock_server.testing import MockServerThread

PACKAGE = "freddy_summary_client"  # the openapi-python-client package generated here
KEY = "mock-key-abc123"


def script(name: str) -> str:
    """A console script of this environment (the generators are test extras)."""
    return str(Path(sys.executable).parent / name)


def generate(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{cmd[0]} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def served(server: MockServerThread, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("py-clients") / "openapi.json"
    resp = requests.get(f"{server.origin}/openapi.json", timeout=10)
    resp.raise_for_status()
    path.write_bytes(resp.content)
    return path


def rows(server: MockServerThread) -> Iterator[tuple[str, str, Any]]:
    """(status key, schema name, example value) for every example of every row."""
    op = server.parts.contract.raw["paths"][server.parts.contract.path_template]["get"]
    for key, response in op["responses"].items():
        media = response["content"]["application/json"]
        name = media["schema"]["$ref"].rsplit("/", 1)[1]
        for example in media["examples"].values():
            yield key, name, example["value"]


def schema_of(server: MockServerThread, status: int) -> str:
    return next(name for key, name, _ in rows(server) if key == str(status))


@pytest.fixture(scope="module")
def opc(served: Path) -> Iterator[ModuleType]:
    root = served.parent
    (root / "opc.yaml").write_text(
        f"project_name_override: freddy-summary-client\npackage_name_override: {PACKAGE}\n"
        "post_hooks: []\n")
    generate([script("openapi-python-client"), "generate", "--path", str(served),
              "--config", "opc.yaml", "--meta", "none", "--output-path", PACKAGE], root)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def dcg(served: Path) -> ModuleType:
    out = served.parent / "dcg_models.py"
    generate([script("datamodel-codegen"), "--input", str(served), "--input-file-type",
              "openapi", "--output-model-type", "pydantic_v2.BaseModel", "--formatters",
              "builtin", "--output", str(out)], served.parent)
    spec = importlib.util.spec_from_file_location("freddy_dcg_models", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves forward references through it
    spec.loader.exec_module(module)
    return module


def test_openapi_python_client_parses_every_example(opc: ModuleType,
                                                    server: MockServerThread) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    seen = 0
    for key, name, value in rows(server):
        parsed = getattr(models, name).from_dict(value)
        assert set(parsed.to_dict()) == set(value), name  # the wire names, mixed casing
        if key == "200":
            assert parsed.total_api_key_requests == value["totalApiKeyRequests"]
            assert parsed.total_synapses == value["total_synapses"]
        else:
            detail = "ErrorDetail" if key == "default" else f"{name}Detail"
            assert type(parsed.error).__name__ == detail
            assert (parsed.error.code, parsed.error.status) == (
                value["error"]["code"], value["error"]["status"])
        seen += 1
    assert seen >= 12


def test_openapi_python_client_models_are_narrowed(opc: ModuleType,
                                                   server: MockServerThread) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    unauthenticated = server.parts.contract.example_for(401).value
    with pytest.raises(ValueError, match="INVALID_REQUEST"):
        models.InvalidRequestError.from_dict(unauthenticated)
    assert models.ErrorEnvelope.from_dict(unauthenticated).error.code == "AUTHENTICATION_REQUIRED"


@pytest.mark.parametrize("status", [200, 400, 401, 403, 429, 500, 404])
def test_generated_client_against_the_mock(opc: ModuleType, server: MockServerThread,
                                           status: int) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.analytics.get_api_key_usage_summary")
    headers = {"X-API-Key": KEY}
    org, month, base = "org_abc123", 11, server.base_url
    if status == 400:
        month = 13
    elif status == 401:
        headers = {}
    elif status == 403:
        org = "org_xyz789"
    elif status in (429, 500):
        headers["Prefer"] = f"code={status}"
    elif status == 404:
        base = server.origin  # a base URL without /v1
    with opc.Client(base_url=base, headers=headers) as client:
        resp = api.sync_detailed(org, client=client, year=2025, month=month)
    assert resp.status_code == status
    assert type(resp.parsed).__name__ == schema_of(server, status)
    request_id = resp.headers["X-Request-ID"]
    if status == 200:
        assert resp.parsed.organization_id == org and resp.parsed.month == month
    else:
        assert resp.parsed.error.trace_id == request_id


def test_datamodel_codegen_names_a_model_per_status(dcg: ModuleType,
                                                    server: MockServerThread) -> None:
    names = {n for n, v in vars(dcg).items()
             if isinstance(v, type) and v.__module__ == dcg.__name__}
    assert not {n for n in names if re.fullmatch(r"Error\d*", n)}, names
    for key, name, value in rows(server):
        model = getattr(dcg, name)
        parsed = model.model_validate(value)
        assert parsed.model_dump(mode="json", by_alias=True).keys() == value.keys()
        if key not in ("200", "default"):
            assert type(parsed.error).__name__ == f"{name}Detail"
            assert model.model_fields["error"].annotation is getattr(dcg, f"{name}Detail")


def test_datamodel_codegen_models_are_narrowed(dcg: ModuleType,
                                               server: MockServerThread) -> None:
    from pydantic import ValidationError

    unauthenticated = server.parts.contract.example_for(401).value
    with pytest.raises(ValidationError):
        dcg.InvalidRequestError.model_validate(unauthenticated)
    assert dcg.ErrorEnvelope.model_validate(unauthenticated).error.code == "AUTHENTICATION_REQUIRED"
