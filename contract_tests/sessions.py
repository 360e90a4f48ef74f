"""The Schemathesis step under the kit's guard (:mod:`contract_tests.guard`).

Schemathesis sends through ``requests`` sessions it builds itself, with a timeout per socket
read and no cap on a body. While :func:`guarded_sessions` is active, every session it builds
(``schemathesis.engine.context.make_session``: the engine's workers and its probes) gets an
adapter that gives each request a wall-clock deadline, reads the body itself up to
``MAX_BODY`` and refuses to send once the server left a few requests in a row unanswered.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from contract_tests.guard import MAX_BODY, Deadline, Unanswered, read_capped, watch_pools

_READ_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError,
                http.client.HTTPException, OSError)


class BodyTooLarge(requests.RequestException):
    """The answer's body went on past ``MAX_BODY``; the rest was not read."""


class _Late(urllib3.exceptions.ReadTimeoutError):
    """What requests' ReadTimeout wraps, worded as Schemathesis parses it ("read timeout=")."""

    def __init__(self, why: str, seconds: float) -> None:
        Exception.__init__(self, f"{why} (read timeout={seconds:g})")
        self.pool, self.url = None, None  # type: ignore[assignment]


class GuardedAdapter(HTTPAdapter):
    def __init__(self, seconds: float, unanswered: Unanswered) -> None:
        self.seconds = seconds
        self.unanswered = unanswered
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def _timeout(self, request: requests.PreparedRequest, why: str, *,
                 count: bool = True) -> requests.ReadTimeout:
        if count:
            self.unanswered.record(True)
        return requests.ReadTimeout(_Late(why, self.seconds), request=request)

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        if self.unanswered.exhausted:
            raise self._timeout(request, self.unanswered.refusal(self.seconds), count=False)
        late = f"no complete answer within the {self.seconds:g} s timeout"
        with Deadline(self.seconds) as deadline:
            try:
                response = super().send(request, stream=True, timeout=timeout, verify=verify,
                                        cert=cert, proxies=proxies)
                body, cut = read_capped(response.raw)
            except _READ_ERRORS as exc:
                if deadline.expired or isinstance(exc, requests.Timeout):
                    raise self._timeout(request, late) from exc
                raise
        if deadline.expired:
            response.close()
            raise self._timeout(request, late)
        self.unanswered.record(False)
        if cut:
            response.close()
            raise BodyTooLarge(f"a body of more than {MAX_BODY >> 20} MiB (read no further)",
                               request=request, response=response)
        response._content = body  # what requests' Response.content returns from now on
        response._content_consumed = True
        response.close()  # releases the connection (the body has been read to its end)
        return response


@contextmanager
def guarded_sessions(seconds: float, unanswered: Unanswered) -> Iterator[None]:
    from schemathesis.engine import context as engine_context

    original: Callable[..., requests.Session] = engine_context.make_session

    def make_session(*args: Any, **kwargs: Any) -> requests.Session:
        session = original(*args, **kwargs)
        adapter = GuardedAdapter(seconds, unanswered)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    engine_context.make_session = make_session  # type: ignore[assignment]
    try:
        yield
    finally:
        engine_context.make_session = original  # type: ignore[assignment]
