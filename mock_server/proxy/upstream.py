"""The upstream server: one request forwarded, its answer read whole (or why not).

One :class:`aiohttp.ClientSession` per application, created and closed by a cleanup context
(:func:`session_context`); no cookie jar (nothing one client receives reaches another), no
redirect followed, one timeout for the whole answer. A failure is never raised: it comes
back as the status the proxy answers (504 for a timeout, 502 for anything else) and a
one-line reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from api_contract.exchange import MAX_BODY, Reply  # more is refused (502), not relayed

CONNECTIONS = 100  # kept-alive connections to the upstream, at most
# Request headers passed on besides the key headers: content negotiation, the client's
# name, request ids and tracing (W3C trace context, Sentry, baggage). No cookies, no
# Origin, no Prefer (the proxy itself answers what Prefer asks for).
FORWARDED = ("Accept", "Accept-Language", "User-Agent", "X-Request-ID", "traceparent",
             "tracestate", "sentry-trace", "baggage")
# Answer headers not relayed: hop-by-hop ones, those describing the upstream's encoding
# (the body is relayed decoded), and CORS (the proxy answers for its own origin).
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "content-encoding", "set-cookie",
})


@dataclass(slots=True)
class Fetched:
    reply: Reply | None
    error: str | None = None  # why there is no reply
    status: int = 502  # what the proxy answers without a reply: 502, or 504 for a timeout
    headers: CIMultiDictProxy[str] | None = None  # the answer's headers, as sent


class Upstream:
    def __init__(self, base_url: str, timeout: float, key_headers: Iterable[str]) -> None:
        self.base_url = base_url.rstrip("/")
        # Request headers passed on (lower-case names): the key headers and FORWARDED.
        self.forwarded = frozenset(n.lower() for n in (*key_headers, *FORWARDED))
        parts = urlsplit(self.base_url)
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.timeout = timeout
        self.session: aiohttp.ClientSession | None = None

    async def fetch(self, path: str, query: str,
                    headers: Iterable[tuple[str, str]]) -> Fetched:
        """GET ``base_url + path`` (both already URL-encoded) with the given headers."""
        assert self.session is not None, "the upstream session is made at start-up"
        url = URL(self.base_url + path + ("?" + query if query else ""), encoded=True)
        try:
            async with self.session.get(url, headers=CIMultiDict(headers),
                                        allow_redirects=False) as resp:
                body = await _read(resp)
                if body is None:
                    return Fetched(None, f"an answer larger than {MAX_BODY} bytes")
                lowered = {k.lower(): ", ".join(resp.headers.getall(k))
                           for k in resp.headers}
                return Fetched(Reply(resp.status, lowered, body), headers=resp.headers)
        except TimeoutError:
            return Fetched(None, f"no complete answer within the {self.timeout:g} s timeout",
                           504)
        except aiohttp.ClientConnectorError as exc:
            why = (exc.os_error.strerror or str(exc.os_error).splitlines()[0][:120]
                   or type(exc.os_error).__name__) if exc.os_error.args else type(exc).__name__
            return Fetched(None, f"cannot connect to {self.host}:{self.port} ({why})")
        except (aiohttp.ClientError, OSError) as exc:
            return Fetched(None, f"a broken connection ({type(exc).__name__})")

    def relayed(self, headers: CIMultiDictProxy[str]) -> CIMultiDict[str]:
        """The answer's headers a client may see."""
        return CIMultiDict((k, v) for k, v in headers.items()
                           if k.lower() not in HOP_BY_HOP
                           and not k.lower().startswith("access-control-"))


async def _read(resp: aiohttp.ClientResponse) -> bytes | None:
    """The whole body, or None past MAX_BODY."""
    length = resp.content_length
    if length is not None and length > MAX_BODY:
        return None
    if length is not None and resp.headers.get("Content-Encoding") is None:
        return await resp.read()
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def session_context(upstream: Upstream) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context owning the upstream's session for the application's lifetime."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        upstream.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=upstream.timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        try:
            yield
        finally:
            await upstream.session.close()
            upstream.session = None

    return context
