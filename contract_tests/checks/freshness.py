"""Time must make sense, and ids must be new: values copied from the documentation (its
``2025-11-15T10:30:00Z``, its ``abc-123-def``) are a real bug that every schema accepts.

Each answer is compared with two clocks: the kit's (when the request was sent and when the
answer arrived) and the server's own ``Date`` header, each allowing ``SKEW`` of
difference. These checks look at every answer of the run (the sampled months, the current
month, the sweep, the errors), so they run after the families that send them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from contract_tests.checks.samples import error_bodies, summaries
from contract_tests.context import Context
from contract_tests.failures import CheckSkipped
from contract_tests.registry import check
from contract_tests.transport import Exchange

SKEW = timedelta(minutes=5)  # clock difference tolerated between the kit and the server
DATE_RESOLUTION = timedelta(seconds=1)  # a Date header has whole seconds


def instant(text: Any) -> datetime | None:
    """An RFC 3339 text as an aware datetime; None if it is not one (timestamps_rfc3339)."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def server_date(ex: Exchange) -> datetime | None:
    text = ex.reply.headers.get("date") if ex.reply is not None else None
    try:
        value = parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and value.tzinfo is not None else None


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
    found = [n for n, s in schema.get("properties", {}).items() if s.get("format") == "date-time"]
    if not found:
        raise CheckSkipped(f"{what} has no date-time field")
    return found


def _period_start(ctx: Context, doc: Mapping[str, Any]) -> datetime | None:
    roles = {q.default_from_clock or q.name: q.name for q in ctx.contract.query_params}
    year, month = doc.get(roles.get("year", "")), doc.get(roles.get("month", ""))
    if not (isinstance(year, int) and isinstance(month, int)) or not 1 <= month <= 12:
        return None
    try:
        return datetime(year, month, 1, tzinfo=UTC)
    except ValueError:
        return None


def _not_later_than_now(ex: Exchange, when: datetime) -> str | None:
    """Why ``when`` lies in the future beyond the skew, by either clock; None if it does not."""
    latest = _window(ex)[1] + SKEW
    if when > latest:
        return f"the kit's clock said {_stamp(_window(ex)[1])}"
    date = server_date(ex)
    if date is not None and when > date + DATE_RESOLUTION + SKEW:
        return f"the server's own Date header said {_stamp(date)}"
    return None


@check("generated_at_in_period", "generatedAt is not before the month it summarises (past "
       "or current month) nor in the future, by the kit's clock and the Date header (±5 min)")
def generated_at_in_period(ctx: Context) -> str:
    fields = _date_fields(ctx.summary_schema, "the summary")
    summaries(ctx)
    ctx.summary()  # the current month, by the defaults
    seen = 0
    for ex, doc in _json_answers(ctx, range(200, 300)):
        start = _period_start(ctx, doc)
        for name in fields:
            when = instant(doc.get(name))
            if when is None or start is None:
                continue  # timestamps_rfc3339, echoes_request and the sweep report these
            seen += 1
            future = _not_later_than_now(ex, when)
            if future:
                raise ctx.fail("generated_at_in_period", ex, f"{name} not in the future "
                               f"(more than {SKEW.seconds // 60} min)", f"{name} "
                               f"{doc[name]} when {future}")
            if start <= _window(ex)[1] + SKEW and when < start - SKEW:
                raise ctx.fail("generated_at_in_period", ex,
                               f"{name} not before {_stamp(start)}, the start of the month "
                               "it summarises", f"{name} {doc[name]}")
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
        for name in fields:
            when = instant(err.get(name))
            if when is None:
                continue
            seen += 1
            sent, received = _window(ex)
            date = server_date(ex)
            expected = f"error.{name} within {SKEW.seconds // 60} min of the answer"
            if not sent - SKEW <= when <= received + SKEW:
                raise ctx.fail("error_timestamp_now", ex, expected,
                               f"error.{name} {err[name]} at {_stamp(received)} by the kit's "
                               "clock")
            if date is not None and not date - SKEW <= when <= date + DATE_RESOLUTION + SKEW:
                raise ctx.fail("error_timestamp_now", ex, expected,
                               f"error.{name} {err[name]} with Date: {ex.reply.headers['date']}")
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
