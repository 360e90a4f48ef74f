"""Time must make sense, and ids must be new: values copied from the documentation (its
``2025-11-15T10:30:00Z``, its ``abc-123-def``) are a real bug that every schema accepts.

Each answer is compared with two clocks: the kit's (when the request was sent and when the
answer arrived) and the server's own ``Date`` header, each allowing ``SKEW`` of
difference (the rules: :mod:`api_contract.freshness`, applied through the registry). These
checks look at every answer of the run (the sampled months, the current month, the sweep,
the errors), so they run after the families that send them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from api_contract import freshness
from api_contract.fields import GENERATED
from api_contract.freshness import instant
from contract_tests.checks.samples import error_bodies, summaries
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.observe import verify
from contract_tests.registry import check
from contract_tests.transport import Exchange


def _window(ex: Exchange) -> tuple[datetime, datetime]:
    """The kit's clock while the exchange lasted."""
    return (datetime.fromtimestamp(ex.sent_at, UTC), datetime.fromtimestamp(ex.received_at, UTC))


def _json_answers(ctx: Context, statuses: range) -> Iterator[tuple[Exchange, dict[str, Any]]]:
    for ex in list(ctx.history):
        if ex.reply is not None and ex.reply.status in statuses:
            doc, why = ex.reply.parse()
            if why is None and isinstance(doc, dict):
                yield ex, doc


def _date_fields(schema: Mapping[str, Any], what: str) -> list[str]:
    found = freshness.date_fields(schema)
    if not found:
        raise CheckSkipped(f"{what} has no date-time field")
    return found


@check("generated_at_in_period", "the time generated is not before the month it summarises "
       "(past or current month) nor in the future, by the kit's clock and the Date header "
       "(±5 min)")
def generated_at_in_period(ctx: Context) -> str:
    fields = [ctx.contract.fields[GENERATED]]  # (x-meaning; other date-times are constant)
    summaries(ctx)
    ctx.summary()  # the current month, by the defaults
    seen = 0
    for ex, doc in _json_answers(ctx, range(200, 300)):
        start = freshness.period_start(ctx.contract, doc)
        readable = [n for n in fields if instant(doc.get(n)) is not None]
        if start is None or not readable:
            continue  # timestamps_rfc3339, echoes_request and the sweep report these
        seen += len(readable)
        verify(ctx, "generated_at_in_period", ex, sent_between=_window(ex))
    if not seen:
        raise CheckSkipped("no summary carried a readable timestamp and month")
    return f"{seen} summaries"


@check("error_timestamp_now", "error.timestamp is the time of the answer (±5 min by the "
       "kit's clock and the Date header), not a fixed value")
def error_timestamp_now(ctx: Context) -> str:
    fields = _date_fields(ctx.error_schema, "the error envelope")
    error_bodies(ctx)
    seen = 0
    for ex, doc in _json_answers(ctx, range(400, 600)):
        err = doc.get("error") if isinstance(doc.get("error"), dict) else {}
        readable = [n for n in fields if instant(err.get(n)) is not None]
        seen += len(readable)
        if readable:
            verify(ctx, "error_timestamp_now", ex, sent_between=_window(ex))
    if not seen:
        raise CheckSkipped("no error answer carried a readable timestamp")
    return f"{seen} error answers"


@check("trace_id_unique", "every error answer carries its own trace_id")
def trace_id_unique(ctx: Context) -> str:
    error_bodies(ctx)
    answers: dict[str, list[Exchange]] = defaultdict(list)
    for ex, doc in _json_answers(ctx, range(400, 600)):
        err = doc.get("error")
        if isinstance(err, dict) and isinstance(err.get("trace_id"), str) and err["trace_id"]:
            answers[err["trace_id"]].append(ex)
    if sum(map(len, answers.values())) < 2:
        raise CheckSkipped("fewer than two error answers carried a trace_id")
    for trace_id, exchanges in answers.items():
        if len(exchanges) > 1:
            statuses = ", ".join(str(e.reply.status) for e in exchanges if e.reply)
            raise ctx.fail("trace_id_unique", exchanges[1], "a new trace_id in every answer",
                           f"trace_id {trace_id!r} in {len(exchanges)} answers (HTTP "
                           f"{statuses})")
    return f"{len(answers)} distinct trace_ids"
