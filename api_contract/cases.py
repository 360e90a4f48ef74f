"""What a request is, in the contract's terms, and the error the contract documents for it.

A request without a key is the 401 case, a month of 13 the 400 case, another organization's
summary the 403 case. :func:`expect_error` is the one rule for "this case gets that
documented error"; the kit applies it to the requests it crafts, the registry
(:mod:`api_contract.verdicts`) to any request it is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from api_contract.contract import Contract
from api_contract.exchange import Observed, Problem, Reply
from api_contract.invariants import error_of
from api_contract.rules import INTEGER

TWICE, NOT_INTEGER, OUT_OF_RANGE = "twice", "not_integer", "out_of_range"


@dataclass(frozen=True, slots=True)
class ParamProblem:
    name: str
    kind: str  # TWICE, NOT_INTEGER or OUT_OF_RANGE
    rule: str
    given: str


def param_problems(contract: Contract, query: Sequence[tuple[str, str]]) -> list[ParamProblem]:
    """Every documented query parameter that breaks its rule, in the spec's order."""
    found = []
    for param in contract.query_params:
        given = [v for k, v in query if k == param.name]
        if not given:
            continue
        if len(given) > 1:
            found.append(ParamProblem(param.name, TWICE, "given at most once",
                                      f"{len(given)} values"))
        elif not INTEGER.fullmatch(given[0]):
            found.append(ParamProblem(param.name, NOT_INTEGER, param.rule, given[0]))
        elif not param.check(int(given[0])):
            found.append(ParamProblem(param.name, OUT_OF_RANGE, param.rule, given[0]))
    return found


def valid_values(contract: Contract, query: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The documented parameters given once and valid: name -> value as sent."""
    bad = {p.name for p in param_problems(contract, query)}
    names = {p.name for p in contract.query_params} - bad
    return {k: v for k, v in query if k in names}


@dataclass(frozen=True, slots=True)
class KeyUse:
    """How the request presented its key."""

    key: str | None  # the first non-empty key (stripped)
    header: str | None  # the documented header that carried it
    sent_empty: bool  # some key header was sent, and every one of them empty
    conflicting: bool  # key headers with different non-empty values


def query_problems(contract: Contract, o: Observed) -> list[ParamProblem]:
    """:func:`param_problems` of the exchange's query, worked out once per exchange."""
    found = o.memo.get("query_problems")
    if found is None:
        found = o.memo["query_problems"] = param_problems(contract, o.query)
    return found


def key_use(contract: Contract, o: Observed) -> KeyUse:
    """How the exchange's request presented its key, worked out once per exchange."""
    found = o.memo.get("key_use")
    if found is None:
        found = o.memo["key_use"] = _key_use(contract, o)
    return found


def _key_use(contract: Contract, o: Observed) -> KeyUse:
    sent = o.header_values(contract.key_headers)
    values = [(name, value.strip()) for name, value in sent]
    given = [(name, v) for name, v in values if v]
    first = given[0] if given else (None, None)
    return KeyUse(first[1], first[0], bool(sent) and not given,
                  len({v for _, v in given}) > 1)


def expect_error(
    contract: Contract, reply: Reply, statuses: tuple[int, ...], *, pin: bool = True,
    unpinned: Collection[int] = (), about: str = "",
) -> Problem | None:
    """The answer has one of ``statuses`` and, if ``pin``, the spec's code and type for it
    (but for the statuses in ``unpinned``); ``about`` says what was asked for."""
    first = contract.errors.get(statuses[0])
    expected = " or ".join(f"HTTP {s}" for s in statuses)
    if pin and first is not None and len(statuses) == 1:
        expected += f" with error.code {first.code} and error.type {first.type}"
    if about:
        expected += f" for {about}"
    doc, why = reply.parse()
    if why is not None:
        return expected + " (a JSON envelope)", f"HTTP {reply.status} with {why}"
    if reply.status not in statuses:
        return expected, reply.brief()
    tpl = contract.errors.get(reply.status)
    if not pin or tpl is None or reply.status in unpinned:
        return None
    err = error_of(doc)
    for name, want in (("code", tpl.code), ("type", tpl.type)):
        if err.get(name) != want:
            return expected, f"error.{name} {err.get(name)!r} in {reply.brief()}"
    return None
