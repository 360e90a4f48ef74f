"""Servers that attack their client, on raw sockets (aiohttp would not send what they send).

Each answers every request of a connection the same way:

- ``drip_body``: headers at once, then the body one byte every ``DRIP`` seconds, forever;
- ``drip_headers``: the status line and headers one byte every ``DRIP`` seconds, forever;
- ``endless_chunked``: a chunked body of 64 KiB chunks, as fast as the client reads, forever;
- ``escapes``: a complete JSON answer whose ``Content-Type`` and body carry terminal escape
  sequences (a window title, a screen clear, a green fake PASS line) and XML-forbidden bytes.

A drip interval below the kit's timeout defeats any per-read socket timeout: only a
wall-clock deadline per request ends it.
"""

from __future__ import annotations

import asyncio

from .serving import LoopThread

DRIP = 0.2  # seconds between two bytes
CHUNK = b"x" * 65536
EVIL = "\x1b]0;owned\x07\x1b[2J\x1b[32mPASS everything\x1b[0m\x08\x00\x0b"
MODES = ("drip_body", "drip_headers", "endless_chunked", "escapes")


def _head(status: str, content_type: str, extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}\r\n").encode("latin-1")


class HostileServer(LoopThread):
    """One of :data:`MODES` on a free loopback port, in a background thread."""

    def __init__(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        super().__init__()
        self.mode = mode
        self.requests = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _answer(self, writer: asyncio.StreamWriter) -> None:
        if self.mode == "drip_headers":
            head = _head("200 OK", "application/json", "X-Padding: " + "p" * 100_000 + "\r\n")
            for byte in head:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(DRIP)
        elif self.mode == "drip_body":
            writer.write(_head("200 OK", "application/json", "Content-Length: 1000000\r\n"))
            while True:
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(DRIP)
        elif self.mode == "endless_chunked":
            writer.write(_head("200 OK", "application/json", "Transfer-Encoding: chunked\r\n"))
            while True:
                writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                await writer.drain()
        else:
            body = b'{"message": "' + EVIL.encode() + b'"}'  # raw control bytes: not JSON
            writer.write(_head("401 Unauthorized", "application/json" + EVIL,
                               f"Content-Length: {len(body)}\r\nX-Evil: {EVIL}\r\n") + body)
            await writer.drain()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                await self._answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.CancelledError):  # cancelled: the server stops
            return
        finally:
            writer.close()

    async def serve(self, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self.ready()
        async with server:
            await stop.wait()
            server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()
