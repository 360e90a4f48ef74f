"""The oracle: every answer a test gets from the mock is judged by the contract's one registry
of checks (``api_contract.verdicts``), together with the request that produced it.

How it sees every answer, with no test asking for it:

- every ``requests`` session (also ``requests.get``) gets a response hook (:func:`install`,
  called by conftest), and judges the answers of the mocks it knows;
- the mocks it knows: every :class:`MockServerThread` while it runs (its state: contract,
  keys, clock, steering), and every ``freddy-mock`` started by ``helpers.running`` (in a
  subprocess, with ``--workers`` or ``--state redis://``: the same facts, built from its
  arguments as the mock builds them);
- a test that speaks HTTP some other way (repeated headers, raw bytes) hands the exchange
  to :func:`judge` itself (``helpers.raw_get`` does).

What was asked is judged as asked: a ``Prefer: code=``/``example=`` (or ``__code``) that the
answer honoured is the answer wanted (a 500 asked for is no server error), and must be that
example; a mock-only row (404, 405, 414, 421, 431, 503) must be the row's envelope and be
what the request asked for (an unknown path, another method, a long line, a foreign Host,
a delay); a mock whose scenarios or settings are on may answer any documented status, and a
fault may break the body. A frozen clock (``--now``) is the clock the answer is judged by.
A proxy-mode mock is not judged here: it judges its upstream with the same registry.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

from api_contract import cases
from api_contract.contract import Contract, load_contract
from api_contract.exchange import Observed, Reply, Violation
from api_contract.invariants import error_of
from api_contract.verdicts import RESPONSE, verify
from mock_server.config import MockConfig
from mock_server.foundation.fixtures import load_fixtures
from mock_server.foundation.tenants import make_tenants
from mock_server.stages.auth import KeyStore
from mock_server.testing import MockServerThread

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
LONG_LINE = 4096  # a request line this long may be refused (414) or its headers (431)
STEERING_WAIVES = ("not_a_server_error", "documented_status")
# checks that want a 200 for a plain request with a good key: a request that asked for
# something (a preference, even a bad one) is judged by explained_status instead
PLAIN_ONLY = ("alias_key_header", "key_headers_any_case")
MEANING = ("echoes_request", "defaults_current_month", "generated_at_in_period")
FAULT_WAIVES = ("json_content_type", "response_schema", "summary_fields", "average_cost",
                "counts_and_signs", "timestamps_rfc3339", *MEANING)


class OracleFailure(AssertionError):
    """The mock answered something the contract does not allow for that request."""


@dataclass
class Mock:
    """What the oracle knows about one running mock."""

    contract: Contract
    key_org: Callable[[str], str | None]  # the organization of a key, None if unknown
    frozen: datetime | None  # --now
    steerable: Callable[[], bool]  # scenarios or settings may steer an answer
    proxy: bool = False
    capped: bool = False  # a connection cap below the default: 503 beyond it was asked for
    limited: bool = False  # --rate-limit: a 429 may come (before the parameters)


def _capped(config: MockConfig) -> bool:
    return config.max_connections < MockConfig().max_connections


_MOCKS: dict[int, Mock] = {}  # by port (every mock of the suite listens on loopback)
_LOCK = threading.Lock()
judged: list[int] = [0]  # answers judged so far (a test shows the count moves)


def _lookup(store: KeyStore) -> Callable[[str], str | None]:
    def org(key: str) -> str | None:
        entry = store.lookup(key)
        return None if entry is None else entry.org
    return org


def register_thread(server: MockServerThread) -> None:
    st = server.parts
    runtime = st.qa.runtime
    mock = Mock(st.contract, _lookup(st.auth.store), st.clock.frozen,
                lambda: not runtime.quiet, st.config.proxy is not None, _capped(st.config),
                st.config.qa.rate_limit is not None)
    with _LOCK:
        _MOCKS[server.port] = mock


def register_config(port: int, config: MockConfig) -> None:
    """A mock in another process, known from the configuration its arguments built."""
    contract = load_contract(config.spec_path)
    fixtures = load_fixtures(config.fixtures_dir, contract)
    reserved = {org for _, org in (*fixtures.keys, *config.keys)}
    tenants = make_tenants(config.tenants, config.seed, reserved)
    store = KeyStore((*fixtures.keys, *config.keys, *((t.key, t.org) for t in tenants)))
    steerable = bool(config.qa.admin or config.qa.scenarios)
    with _LOCK:
        _MOCKS[port] = Mock(contract, _lookup(store), config.now, lambda: steerable,
                            config.proxy is not None, _capped(config),
                            config.qa.rate_limit is not None)


def forget(port: int) -> None:
    with _LOCK:
        _MOCKS.pop(port, None)


def mock_at(url: str) -> Mock | None:
    parts = urlsplit(url)
    if parts.hostname not in {h.strip("[]") for h in LOOPBACK_HOSTS} or parts.port is None:
        return None
    with _LOCK:
        return _MOCKS.get(parts.port)


# -- what the request asked for -----------------------------------------------------------
def _preferences(headers: Sequence[tuple[str, str]], query: Sequence[tuple[str, str]],
                 ) -> dict[str, str]:
    """The steering a request asked for (RFC 7240 ``Prefer``, the ``__name`` query)."""
    asked: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != "prefer":
            continue
        for item in value.split(","):
            head = item.split(";", 1)[0].strip()
            key, _, val = head.partition("=")
            asked.setdefault(key.strip().lower(), val.strip().strip('"'))
    for name, value in query:
        if name.startswith("__"):
            asked[name[2:]] = value
    return asked


def _asked_status(contract: Contract, asked: Mapping[str, str]) -> int | None:
    example = contract.examples.get(asked.get("example", ""))
    if example is not None:
        return example.status
    code = asked.get("code", "")
    if code.isascii() and code.isdigit() and len(code) <= 3 and int(code) in contract.statuses:
        return int(code)
    return None


def _mock_only_reason(status: int, method: str, target: str, route: bool,
                      headers: Sequence[tuple[str, str]], asked: Mapping[str, str],
                      steerable: bool, capped: bool) -> bool:
    """Did the request ask for this mock-only answer?"""
    size = sum(len(n) + len(v) + 4 for n, v in headers)
    if status == 404:
        return not route
    if status == 405:
        return method not in ("GET", "HEAD")
    if status in (414, 431):
        return len(target) >= LONG_LINE or size >= LONG_LINE
    if status == 421:
        host = next((v for n, v in headers if n.lower() == "host"), "")
        return not any(host == h or host.startswith(h + ":") for h in LOOPBACK_HOSTS)
    if status == 413:
        return True  # a body: the test sent one
    if status == 503:
        return "delay" in asked or steerable or capped
    return False


# -- the judgement ------------------------------------------------------------------------
def _route(contract: Contract) -> re.Pattern[str]:
    template = re.escape(contract.route).replace(
        re.escape("{" + contract.path_param + "}"), "([^/]*)")
    return re.compile(template)


def verdict(mock: Mock, method: str, url: str, headers: Sequence[tuple[str, str]],
            reply: Reply, sent_between: tuple[datetime, datetime]) -> list[Violation]:
    """The registry's verdict on one exchange with the mock, steering judged as asked."""
    contract = mock.contract
    parts = urlsplit(url)
    if method in ("HEAD", "OPTIONS") or not (parts.path + "/").startswith(
            contract.base_path + "/"):
        return []  # not the API (admin, docs, the spec, a preflight): not the summary's
    query = parse_qsl(parts.query, keep_blank_values=True)
    asked = _preferences(headers, query)
    matched = _route(contract).fullmatch(parts.path)
    route = matched is not None and method in ("GET", "HEAD")
    target = parts.path + ("?" + parts.query if parts.query else "")
    if mock.frozen is not None:  # the clock asked for is the clock that judges
        sent_between = (mock.frozen, mock.frozen)
        reply = Reply(reply.status, {k: v for k, v in reply.headers.items() if k != "date"},
                      reply.body, reply.cut)
    # a session (X-Mock-Session, ?__session) has switches of its own: steerable as well
    steerable = mock.steerable() or "session" in asked or any(
        n.lower() == "x-mock-session" for n, _ in headers)
    if reply.status in contract.mock_errors:
        return _mock_only(contract, reply, _mock_only_reason(
            reply.status, method, target, matched is not None, headers, asked, steerable,
            mock.capped))
    if reply.status == 400 and _malformed(headers):
        return _envelope_only(contract, reply)  # the HTTP layer's 400, asked for
    if not route:
        return [Violation("mock_only_row", "a mock-only answer (404, 405, ...) for a request "
                          "off the route", reply.brief())]
    assert matched is not None
    org = unquote(matched.group(1))
    observed = Observed(org, query, headers, reply, sent_between=sent_between)
    keys = [v.strip() for n, v in headers
            if n.lower() in {h.lower() for h in contract.key_headers} and v.strip()]
    if keys and len(set(keys)) == 1:
        observed.key_org = mock.key_org(keys[0])
        observed.key_valid = observed.key_org is not None
    found = [v for v in verify(contract, observed) if v.side == RESPONSE]  # not the test's
    if cases.key_use(contract, observed).conflicting and reply.status != 401:
        # the registry's request_api_key: one key; the mock promises to refuse any other
        found.append(Violation("conflicting_keys_refused", "HTTP 401 for different keys",
                               reply.brief()))
    waived: set[str] = set(PLAIN_ONLY) if asked else set()
    status = _asked_status(contract, asked)
    allowed = _allowed(contract, mock, observed, headers, asked, status, steerable)
    if allowed in ({401}, {403}) and any(n.startswith("x-ratelimit") for n in reply.headers):
        found.append(Violation("unauthorised_reveals_nothing", "no rate-limit counter on the "
                               "auth answer (it is the path organisation's)", reply.brief()))
    if reply.status not in allowed:
        found.append(Violation("explained_status", "HTTP " + " or ".join(
            map(str, sorted(allowed))) + " for this request", reply.brief()))
    if status is not None and reply.status == status:
        waived.update(STEERING_WAIVES)
        found.extend(_the_example(contract, asked, reply))
    steered = steerable or "scenario" in asked
    if steered:
        waived.update(STEERING_WAIVES)
        if reply.status == 200 and reply.parse()[1] is not None:
            waived.update(FAULT_WAIVES)  # a "malformed" fault was asked for
    if (status is not None or steered) and _an_example(contract, reply):
        waived.update(MEANING)  # an example asked for says what it says (its own month)
    return [v for v in found if v.check not in waived]


def _allowed(contract: Contract, mock: Mock, o: Observed, headers: Sequence[tuple[str, str]],
             asked: Mapping[str, str], status: int | None, steerable: bool) -> set[int]:
    """The statuses the request can get, in the order the mock judges it: the key (401,
    403), then a body or a bad preference (400), the rate limit (429), the parameters
    (400), and what was asked for (or anything documented while scenarios steer)."""
    use = cases.key_use(contract, o)
    if use.key is None or use.conflicting or o.key_org is None:
        return {401}
    if o.key_org != o.org:
        return {403}
    allowed = {429} if mock.limited or steerable else set()
    sent_body = any(n.lower() in ("content-length", "transfer-encoding") and v != "0"
                    for n, v in headers)
    clock = mock.frozen or datetime.now(UTC)  # an omitted value is the clock's, same rules
    defaults = [(q.name, str(getattr(clock, q.default_from_clock or q.name)))
                for q in contract.query_params if not o.query_values(q.name)]
    bad = cases.param_problems(contract, [*o.query, *defaults])
    if asked or sent_body or bad:
        allowed.add(400)
    if bad:
        return allowed
    allowed.add(200 if status is None else status)
    if steerable or "scenario" in asked:
        allowed.update(contract.statuses)
    return allowed


def _the_example(contract: Contract, asked: Mapping[str, str], reply: Reply,
                 ) -> list[Violation]:
    example = contract.examples.get(asked.get("example", ""))
    if example is None or example.status >= 400:
        return []  # an error: its code and type are the registry's documented_error_code
    if reply.parse()[0] != example.value:
        return [Violation("asked_example", f"the example {example.name!r} asked for",
                          reply.brief())]
    return []


def _malformed(headers: Sequence[tuple[str, str]]) -> bool:
    """A header the HTTP layer refuses (a control character: Schemathesis's probes)."""
    return any((ord(c) < 32 and c != "\t") or ord(c) == 127 for n, v in headers for c in n + v)


def _envelope_only(contract: Contract, reply: Reply) -> list[Violation]:
    o = Observed("", [], [], reply)
    return [v for v in verify(contract, o) if v.check in ("error_envelope",
                                                          "documented_error_code")]


def _an_example(contract: Contract, reply: Reply) -> bool:
    doc = reply.parse()[0]
    return reply.status == 200 and any(
        e.value == doc for e in contract.examples.values() if e.status == 200)


def _mock_only(contract: Contract, reply: Reply, asked_for: bool) -> list[Violation]:
    if not asked_for:
        return [Violation("mock_only_row", "no mock-only answer to a request that did not "
                          "ask for it", reply.brief())]
    template = contract.mock_errors[reply.status]
    doc, why = reply.parse()
    err = error_of(doc)
    if why is not None or not contract.validators[reply.status].is_valid(doc) or (
            err.get("code"), err.get("type"), err.get("status")) != (
            template.code, template.type, reply.status):
        return [Violation("mock_only_row", f"the mock-only row's envelope ({template.code})",
                          reply.brief())]
    return []


def judge(url: str, method: str, headers: Iterable[tuple[str, str]], status: int,
          answer_headers: Mapping[str, str], body: bytes,
          sent_between: tuple[datetime, datetime]) -> None:
    """Judge one exchange if ``url`` is a mock's; raise :class:`OracleFailure` if it breaks
    the contract."""
    mock = mock_at(url)
    if mock is None or mock.proxy:
        return
    reply = Reply(status, {k.lower(): v for k, v in answer_headers.items()}, body)
    found = verdict(mock, method.upper(), url, list(headers), reply, sent_between)
    judged[0] += 1
    if found:
        lines = "\n".join(f"  {v.check}: {v.message()}" for v in found)
        raise OracleFailure(f"{method} {url!r} broke the contract:\n{lines}")


def _hook(resp: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    if kwargs.get("stream") or mock_at(resp.url) is None:
        return resp  # a streamed body is the test's to read (a stall, a slow answer)
    after = datetime.now(UTC)
    before = after - resp.elapsed - timedelta(seconds=1)
    req = resp.request
    body = resp.content  # what requests would read next anyway (errors propagate as such)
    judge(resp.url, req.method or "GET", list(req.headers.items()), resp.status_code,
          resp.headers, body, (before, datetime.now(UTC)))
    return resp


def install() -> None:
    """Every ``requests`` session judges the mocks' answers; every MockServerThread is
    known while it runs."""
    if getattr(requests.Session, "_oracle", False):
        return
    init = requests.Session.__init__

    def session_init(self: requests.Session) -> None:
        init(self)
        self.hooks["response"].append(_hook)

    requests.Session.__init__ = session_init  # type: ignore[method-assign]
    requests.Session._oracle = True  # type: ignore[attr-defined]

    start, stop = MockServerThread.start, MockServerThread.stop

    def started(self: MockServerThread) -> MockServerThread:
        start(self)
        register_thread(self)
        return self

    def stopped(self: MockServerThread) -> None:
        forget(self.port)
        stop(self)

    MockServerThread.start = started  # type: ignore[method-assign]
    MockServerThread.stop = stopped  # type: ignore[method-assign]
