"""Network faults, each producing exactly that failure at the client (WireMock's names):

- ``reset``: the connection is reset (TCP RST) before any byte of the answer; clients see
  "connection reset by peer" (``ConnectionResetError``).
- ``empty``: the connection is closed cleanly without any answer; clients see "remote end
  closed connection without response" / "server disconnected".
- ``malformed``: a complete 200 ``application/json`` answer whose body is cut in the
  middle, so it is not JSON; clients see a JSON decode error.
- ``stall``: the status, headers (with the full ``Content-Length``) and half of the body
  are sent, then nothing for ``stall_ms``, then the connection closes; clients see their
  read timeout, or an incomplete body ("IncompleteRead", "payload not completed").
"""

from __future__ import annotations

import asyncio
import socket
import struct

from aiohttp import web

from mock_server.foundation.errors import JSON
from mock_server.qa.scenarios import Fault

_POLL = 0.05  # seconds between checks whether a stalled client has gone away


def _abort(request: web.Request, *, rst: bool) -> web.Response:
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if rst and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if rst:
            transport.abort()
        else:
            transport.close()
    # aiohttp's attempt to send this on the closed transport is a quiet ConnectionError.
    return web.Response(status=499)


async def _stall(request: web.Request, fault: Fault, body: bytes,
                 headers: dict[str, str]) -> web.StreamResponse:
    resp = web.StreamResponse(status=200, headers=headers)
    resp.content_type = JSON
    resp.content_length = len(body)
    await resp.prepare(request)
    await resp.write(body[: len(body) // 2])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + fault.stall_ms / 1000
    transport = request.transport
    while transport is not None and not transport.is_closing() and loop.time() < deadline:
        await asyncio.sleep(min(_POLL, max(0.0, deadline - loop.time())))
    if transport is not None:
        transport.close()
    return resp


async def perform(request: web.Request, fault: Fault, body: bytes,
                  headers: dict[str, str]) -> web.StreamResponse:
    if fault.kind == "reset":
        return _abort(request, rst=True)
    if fault.kind == "empty":
        return _abort(request, rst=False)
    if fault.kind == "malformed":
        return web.Response(body=body[: max(1, len(body) // 2)], content_type=JSON,
                            headers=headers)
    return await _stall(request, fault, body, headers)
