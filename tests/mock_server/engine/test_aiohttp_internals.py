"""The aiohttp internals the mock reads (engine/protocol.py, ``INTERNALS``) are still there
and mean what they did: a release that moves one fails here, by name, rather than somewhere
as a wrong answer or a server that never answers."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from aiohttp.http_exceptions import LineTooLong
from aiohttp.web_protocol import RequestHandler

from mock_server.engine import protocol


def test_no_other_module_of_the_mock_reads_them() -> None:
    from pathlib import Path

    root = Path(protocol.__file__).resolve().parents[1]
    private = {n for attrs in protocol.INTERNALS.values() for n in attrs
               if n.startswith("_") and n not in ("_loop", "_close")}  # (names of our own too)
    for path in root.rglob("*.py"):
        if path.name != "protocol.py":
            text = path.read_text()
            assert not [n for n in private if "." + n in text], path


def test_the_request_handler_still_has_what_the_mock_reads() -> None:
    slots = set()
    for cls in RequestHandler.__mro__:
        slots.update(getattr(cls, "__slots__", ()))
    missing = [n for n in protocol.INTERNALS["RequestHandler"] if n not in slots]
    assert not missing, f"aiohttp's RequestHandler lost {missing}: see engine/protocol.py"


def test_a_server_runner_and_site_still_have_what_the_mock_reads() -> None:
    async def check() -> None:
        app = web.Application()
        runner = web.AppRunner(app)
        for name in protocol.INTERNALS["AppRunner"]:
            assert hasattr(runner, name), f"AppRunner lost {name}: see engine/protocol.py"
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            port = protocol.bound_port(site)
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                pass
            server = runner.server
            assert server is not None
            for name in protocol.INTERNALS["Server"]:
                assert hasattr(server, name), f"web.Server lost {name}: see engine/protocol.py"
            assert isinstance(server._kwargs, dict)
            assert len(server._connections) >= 0
        finally:
            await runner.cleanup()

    asyncio.run(check())


@pytest.mark.parametrize("limit", [protocol.MAX_LINE, protocol.MAX_FIELD])
def test_line_too_long_still_carries_the_limit_it_broke(limit: int) -> None:
    exc = LineTooLong(b"x" * 100 + b"...", limit)
    assert exc.args[1] == limit, "LineTooLong's arguments changed: see engine/protocol.py"
    assert protocol.classify(400, exc).status == (414 if limit == protocol.MAX_LINE else 431)
