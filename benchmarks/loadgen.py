"""Load drivers: wrk when installed, a bundled asyncio generator otherwise.

Both take a list of (path, headers) requests to rotate over and return req/s, p50, p99 (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int = 0


def _lua(requests: list[tuple[str, dict[str, str]]], pace_ms: float | None = None) -> str:
    rows = []
    for path, headers in requests:
        h = ", ".join(f'["{k}"]="{v}"' for k, v in headers.items())
        rows.append(f'{{"{path}", {{{h}}}}}')
    return (
        "local reqs = {" + ",\n".join(rows) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local r = reqs[(i % #reqs) + 1]\n"
        '  return wrk.format("GET", r[1], r[2])\n'
        "end\n"
        # wrk's delay(): each connection waits this long before its next request, so the
        # load is paced (latency is measured from sending, the wait excluded).
        + (f"delay = function() return {pace_ms:g} end\n" if pace_ms else "")
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert m, text
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(origin: str, requests: list[tuple[str, dict[str, str]]], seconds: float,
            connections: int, cpu: int | None, pace_ms: float | None = None) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(requests, pace_ms))
    duration = f"-d{max(1, round(seconds))}s"
    cmd = ["wrk", "-t1", f"-c{connections}", duration, "--latency", "-s", f.name, origin]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(rps, p50, p99, int(non2xx.group(1)) if non2xx else 0)


async def _asyncio_load(origin: str, requests: list[tuple[str, dict[str, str]]],
                        seconds: float, connections: int,
                        pace_ms: float | None = None) -> Result:
    import aiohttp

    latencies: list[float] = []
    non2xx = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int, session: aiohttp.ClientSession) -> None:
        nonlocal non2xx
        i = offset
        while time.perf_counter() < deadline:
            path, headers = requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            async with session.get(origin + path, headers=headers) as resp:
                await resp.read()
                if resp.status >= 300:
                    non2xx += 1
            latencies.append(time.perf_counter() - t0)
            if pace_ms:
                await asyncio.sleep(pace_ms / 1000)

    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=conn) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(i, session) for i in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return Result(len(latencies) / elapsed, pick(0.5), pick(0.99), non2xx)


def run_asyncio(origin: str, requests: list[tuple[str, dict[str, str]]], seconds: float,
                connections: int, cpu: int | None, pace_ms: float | None = None) -> Result:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    return asyncio.run(_asyncio_load(origin, requests, seconds, connections, pace_ms))


def driver() -> tuple[str, object]:
    if shutil.which("wrk"):
        return "wrk", run_wrk
    return "asyncio (bundled; wrk not installed)", run_asyncio


def load_parser(doc: str, seconds: float) -> argparse.ArgumentParser:
    """The options every benchmark that drives load shares: seconds per round, rounds,
    connections."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=seconds)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=50)
    return ap
