"""A plain HTTP client with a wall-clock timeout per request that never follows redirects.

Every answer is an :class:`Exchange`: the request that was sent and either the reply or the
transport error (timeout, refused or reset connection). Checks turn a transport error into
a violation; nothing here raises on a bad server. The deadline, the body cap and the stop
after unanswered requests are :mod:`contract_tests.guard`'s.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import urllib3

from api_contract.exchange import Reply
from api_contract.keys import mask_key
from contract_tests.guard import Deadline, Unanswered, read_capped, watch_pools
from contract_tests.text import shell_quote

RATE_LIMITED = 429
RETRY_429 = 3  # a 429 is waited out (Retry-After, at most MAX_WAIT_429 s) this many times
MAX_WAIT_429 = 60.0
CONCURRENCY = 8  # requests in flight at once when a check sends many (Context.summary_many)
KEY_VARIABLE = "$FREDDY_API_KEY"  # what reproductions write instead of the key


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()  # values masked wherever the request is shown
    own_key: str = ""  # the run's --api-key: written as $FREDDY_API_KEY in reproductions

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, mask_key(secret))
        return text

    def curl(self) -> str:
        """A command to paste: the run's key is ``$FREDDY_API_KEY`` (set it in the shell),
        never the secret itself; other secrets are masked."""
        parts = ["curl", "-sS", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(shell_quote(self.mask(self.url)))
        for name, value in self.headers:
            if value and value == self.own_key:
                # Double quotes, so the shell expands the variable.
                parts += ["-H", f'"{name}: {KEY_VARIABLE}"']
                continue
            # curl drops "Name:" without a value; "Name;" sends it empty.
            header = f"{name}: {value}" if value else f"{name};"
            parts += ["-H", shell_quote(self.mask(header))]
        return " ".join(parts)


@dataclass(slots=True)
class Exchange:
    request: Request
    reply: Reply | None
    error: str | None
    key: str | None  # the API key sent, if any
    elapsed: float
    sent_at: float = 0.0  # wall-clock time (epoch seconds) the request was sent

    @property
    def received_at(self) -> float:
        return self.sent_at + self.elapsed

    @property
    def rate_limited(self) -> bool:
        """Still a 429 after waiting it out: no verdict either way on what was asked."""
        return self.reply is not None and self.reply.status == RATE_LIMITED


def retry_after(reply: Reply) -> float | None:
    """Seconds a 429 asks to wait (delta-seconds form; 1 s when absent), None past the cap."""
    text = reply.headers.get("retry-after", "1").strip()
    try:
        seconds = max(0.0, float(text))
    except ValueError:
        seconds = 1.0
    return seconds if seconds <= MAX_WAIT_429 else None


class Client:
    """Safe to share between threads: pacing and the count of timeouts are under a lock."""

    def __init__(self, base_url: str, timeout: float, min_interval: float = 0.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last = 0.0
        self.unanswered = Unanswered()  # shared with the Schemathesis step
        self._pool = watch_pools(urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=timeout, read=timeout),
            maxsize=CONCURRENCY,
        ))

    def close(self) -> None:
        self._pool.clear()

    def url(self, path: str, query: list[tuple[str, str | bytes]] | None = None) -> str:
        url = self.base_url + path
        return url + ("?" + urlencode(query) if query else "")

    def send(self, request: Request, key: str | None = None) -> Exchange:
        """Send once; a 429 is waited out and sent again (a rate limit is no violation).

        A server that let the last few requests time out is not sent more: the run against a
        server that stopped answering ends in seconds, not in (requests x timeout).
        """
        if self.unanswered.exhausted:
            return Exchange(request, None, self.unanswered.refusal(self.timeout), key, 0.0)
        exchange = self._send_retrying(request, key)
        self.unanswered.record(exchange.error is not None and "timeout" in exchange.error)
        return exchange

    def _send_retrying(self, request: Request, key: str | None) -> Exchange:
        for _ in range(RETRY_429):
            exchange = self._send_once(request, key)
            reply = exchange.reply
            wait = retry_after(reply) if reply is not None and reply.status == 429 else None
            if wait is None:
                return exchange
            time.sleep(wait)
        return self._send_once(request, key)

    def _pace(self) -> None:
        """Under --rate-limit, wait for this request's slot (slots are handed out in turn)."""
        if not self.min_interval:
            return
        with self._lock:
            slot = max(time.monotonic(), self._last + self.min_interval)
            self._last = slot
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _send_once(self, request: Request, key: str | None) -> Exchange:
        self._pace()
        sent_at = time.time()
        start = time.monotonic()
        with Deadline(self.timeout) as deadline:
            try:
                resp = self._pool.request(
                    request.method, request.url, headers=dict(request.headers), redirect=False,
                    preload_content=False,
                )
                complete = False
                try:
                    body, cut = read_capped(resp)
                    complete = not cut
                finally:
                    if not complete:  # what is left unread is not read: the connection goes
                        resp.close()
                    resp.release_conn()
                error = None
            except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
                error = _describe(exc, self.timeout)
        if deadline.expired:
            error = _describe(TimeoutError(), self.timeout)
        if error is not None:
            return Exchange(request, None, error, key, time.monotonic() - start, sent_at)
        # A repeated header (two Set-Cookie) keeps every value, joined as RFC 9110 combines
        # them, so a rule on header values (the key never echoed) sees them all.
        reply = Reply(resp.status, {k.lower(): v for k, v in resp.headers.itermerged()}, body,
                      cut)
        return Exchange(request, reply, None, key, time.monotonic() - start, sent_at)


def _describe(exc: BaseException, timeout: float) -> str:
    text = str(exc).lower()
    if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError) or "timed out" in text:
        return f"no complete answer within the {timeout:g} s timeout"
    if "reset" in text or "aborted" in text or "remotedisconnected" in text or isinstance(
        exc, urllib3.exceptions.ProtocolError
    ):
        return f"a broken connection ({exc.__class__.__name__})"
    return f"a transport error ({exc.__class__.__name__}: {str(exc)[:120]})"


def host_of(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "", port
