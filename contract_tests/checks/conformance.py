"""Property-based conformance from the spec, by Schemathesis, run in-process.

One engine run per kit run (examples, coverage and fuzzing phases, positive and negative
data), with the path org pinned to ``--org-id`` so 200s are reached, the key in the config's
headers (so negative auth cases really lack it), no extra parameters, no example database,
the kit's seed and timeout, and no redirects followed. Its sessions are under the kit's
guard (a wall-clock deadline per request, a capped body: :mod:`contract_tests.sessions`).
Hypothesis and Schemathesis write their working files into a temporary directory, not the
current one.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis.configuration as hypothesis_configuration

from contract_tests.context import Context
from contract_tests.failures import ContractViolation
from contract_tests.registry import check
from contract_tests.sessions import guarded_sessions
from contract_tests.transport import RATE_LIMITED, Request

_HOME = "__hypothesis_home_directory"


@dataclass(slots=True)
class Finding:
    check: str
    title: str
    message: str
    request: Request | None


@dataclass(slots=True)
class EngineRun:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    key_echoes: list[Request] = field(default_factory=list)  # answers that carried the key


def _request(ctx: Context, recorded: Any) -> Request | None:
    if recorded is None:
        return None
    headers = tuple((k, v[0] if isinstance(v, list) else str(v))
                    for k, v in recorded.headers.items()
                    if k.lower() in {h.lower() for h in ctx.contract.key_headers}
                    or k.lower() in ("accept", "content-type"))
    return Request(recorded.method, recorded.uri, headers, (ctx.config.api_key,),
                   own_key=ctx.config.api_key)


def _configure(ctx: Context) -> Any:
    import schemathesis
    from schemathesis.generation import GenerationMode

    cfg = ctx.config
    # The vendor's rows only: the spec's mock-only rows (x-mock-only) bind no real server.
    schema = schemathesis.openapi.from_dict(ctx.contract.vendor_raw)
    schema.config.update(
        base_url=cfg.base_url,
        headers={ctx.key_header: cfg.api_key},
        parameters={f"path.{ctx.contract.path_param}": cfg.org_id},
        request_timeout=cfg.timeout,
        max_redirects=0,
        # Under --rate-limit stay below it; otherwise wait out a 429 as its Retry-After says.
        rate_limit=cfg.rate_limit or "auto",
    )
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=cfg.max_examples,
        database="none",
        allow_extra_parameters=False,
        no_shrink=True,
    )
    schema.config.seed = cfg.seed
    return schema


def run_engine(ctx: Context) -> EngineRun:
    from schemathesis.engine import from_schema

    cached = ctx.cache.get("schemathesis")
    if cached is not None:
        return cached
    run = EngineRun()
    previous = getattr(hypothesis_configuration, _HOME, None)
    with tempfile.TemporaryDirectory(prefix="freddy-contract-") as home:
        hypothesis_configuration.set_hypothesis_home_dir(home)
        try:
            with guarded_sessions(ctx.config.timeout, ctx.client.unanswered):
                for event in from_schema(_configure(ctx)).execute():
                    _on_event(ctx, run, event)
        finally:
            hypothesis_configuration.set_hypothesis_home_dir(previous)
    ctx.cache["schemathesis"] = run
    return run


def _on_event(ctx: Context, run: EngineRun, event: Any) -> None:
    from schemathesis.engine import events

    if isinstance(event, events.ScenarioFinished):
        _collect(ctx, run, event.recorder)
    elif isinstance(event, events.NonFatalError | events.FatalError):
        value = getattr(event, "value", None) or getattr(event, "exception", None)
        run.errors.append(f"{type(value).__name__}: {str(value).splitlines()[0]}"
                          if value is not None and str(value) else repr(value))


def _collect(ctx: Context, run: EngineRun, recorder: Any) -> None:
    key = ctx.config.api_key.encode()
    for interaction in recorder.interactions.values():
        response = interaction.response
        if response is not None:
            run.statuses[response.status_code] += 1
            headers = " ".join(v for values in response.headers.values() for v in values)
            if key in (response.content or b"") or key.decode() in headers:
                request = _request(ctx, interaction.request)
                if request is not None:
                    run.key_echoes.append(request)
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            info = node.failure_info
            if info is None:
                continue
            interaction = recorder.interactions.get(case_id)
            failure = info.failure
            if getattr(failure, "status_code", None) == RATE_LIMITED or (
                interaction is not None and interaction.response is not None
                and interaction.response.status_code == RATE_LIMITED
            ):
                continue  # a rate limit the vendor documents is no violation; it is waited out
            request = _request(ctx, interaction.request if interaction else None)
            message = failure.message
            if not message.strip():  # e.g. "Server error" comes with no message: say what came
                message = _answer_summary(interaction.response if interaction else None)
            message = request.mask(message) if request else message
            run.findings.append(Finding(node.name, failure.title, message, request))


def _answer_summary(response: Any) -> str:
    """``HTTP 500, body: {...}`` for a failure that carries no message of its own."""
    if response is None:
        return "no response"
    body = (response.content or b"")[:200].decode("utf-8", "replace")
    return f"HTTP {response.status_code}, body: {body!r}" if body else (
        f"HTTP {response.status_code}, empty body")


@check("schemathesis_conformance", "Schemathesis from the spec: schemas, statuses, no 5xx, "
       "content type, 405 for other methods, negative data rejected")
def schemathesis_conformance(ctx: Context) -> str:
    run = run_engine(ctx)
    if run.findings:
        first = run.findings[0]
        names = sorted({f.check for f in run.findings})
        raise ContractViolation(
            check="schemathesis_conformance",
            expected=f"no Schemathesis failure (failed: {', '.join(names)})",
            got=f"{first.check}: {first.title}: {' '.join(first.message.split())[:300]}",
            request=first.request,
        )
    if run.errors:
        raise ContractViolation(check="schemathesis_conformance",
                                expected="every generated request answered",
                                got=f"{len(run.errors)} error(s), first: {run.errors[0][:300]}")
    total = sum(run.statuses.values())
    return f"{total} requests, statuses " + ", ".join(
        f"{s}×{n}" for s, n in sorted(run.statuses.items()))


@check("reaches_2xx", "the generated requests reached at least one 2xx (else nothing was tested)")
def reaches_2xx(ctx: Context) -> None:
    run = run_engine(ctx)
    if not any(200 <= s < 300 for s in run.statuses):
        seen = ", ".join(f"{s}×{n}" for s, n in sorted(run.statuses.items())) or "no answers"
        raise ContractViolation(check="reaches_2xx",
                                expected=f"some 2xx answers for org {ctx.config.org_id!r}",
                                got=seen)
