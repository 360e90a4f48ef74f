"""Bounded soak: about 60 s of mixed valid, invalid and error-scenario traffic over loopback.

    python benchmarks/soak.py [--seconds 60] [--connections 20] [--journal-size 1000]

Starts the mock (admin API on, so the journal can be read), warms it up, then drives a fixed
mix where every request has a known expected status. Reports unexpected answers, resident
memory after warm-up and after the run, and the journal's length against its bound.
Exits 1 on an unexpected answer or on memory growth over 10%.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import free_port, rss_mb, start

SUMMARY = "/v1/analytics/api-keys/summary/"
A, X = "mock-key-abc123", "mock-key-xyz789"


def mix() -> list[tuple[str, dict[str, str], int]]:
    """(path, headers, expected status), rotated over by every connection."""
    m: list[tuple[str, dict[str, str], int]] = []
    for month in range(1, 13):
        m.append((f"{SUMMARY}org_abc123?year=2025&month={month}", {"X-API-Key": A}, 200))
        m.append((f"{SUMMARY}org_xyz789?year=2024&month={month}", {"Api-Key": X}, 200))
    m += [
        (f"{SUMMARY}org_abc123", {"X-API-Key": A}, 200),
        (f"{SUMMARY}org_abc123?month=13", {"X-API-Key": A}, 400),
        (f"{SUMMARY}org_abc123?year=abc", {"X-API-Key": A}, 400),
        (f"{SUMMARY}org_abc123?month=1&month=2", {"X-API-Key": A}, 400),
        (f"{SUMMARY}org_abc123", {}, 401),
        (f"{SUMMARY}org_abc123", {"X-API-Key": "wrong-key-000"}, 401),
        (f"{SUMMARY}org_xyz789", {"X-API-Key": A}, 403),
        (f"{SUMMARY}{'o' * 2000}", {"X-API-Key": A}, 403),
        (f"{SUMMARY}org_abc123", {"X-API-Key": A, "Prefer": "code=500"}, 500),
        (f"{SUMMARY}org_abc123?__code=403", {"X-API-Key": A}, 403),
        (f"{SUMMARY}org_abc123", {"X-API-Key": A, "Prefer": "example=no-usage"}, 200),
        ("/v1/nowhere", {}, 404),
        (f"{SUMMARY}org_abc123", {"X-API-Key": A, "Prefer": "scenario=enterprise-org"}, 200),
        (f"{SUMMARY}org_abc123", {"X-API-Key": A, "Prefer": "scenario=rate-limited"}, 429),
        (f"{SUMMARY}org_xyz789", {"X-API-Key": X, "Prefer": "scenario=empty-org"}, 200),
    ]
    return m


async def drive(origin: str, seconds: float, connections: int) -> dict[str, int]:
    counts = {"requests": 0, "unexpected": 0}
    deadline = time.monotonic() + seconds
    requests = mix()

    async def worker(offset: int, session: aiohttp.ClientSession) -> None:
        for i in itertools.count(offset):
            if time.monotonic() >= deadline:
                return
            path, headers, expected = requests[i % len(requests)]
            async with session.get(origin + path, headers=headers) as resp:
                await resp.read()
                counts["requests"] += 1
                if resp.status != expected:
                    counts["unexpected"] += 1
                    if counts["unexpected"] <= 5:
                        print(f"unexpected {resp.status} (wanted {expected}) for {path[:80]}")

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(worker(i * 7, session) for i in range(connections)))
    return counts


def journal_length(origin: str) -> int | None:
    try:
        with urllib.request.urlopen(origin + "/__mock/requests?limit=100000", timeout=10) as r:
            doc = json.loads(r.read())
    except OSError:
        return None
    items = doc.get("requests", doc) if isinstance(doc, dict) else doc
    return len(items)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--journal-size", type=int, default=1000)
    args = ap.parse_args()
    port = free_port()
    cmd = [sys.executable, "-m", "mock_server", "--port", str(port), "--admin",
           "--journal-size", str(args.journal_size)]
    proc, _ = start(cmd, f"http://127.0.0.1:{port}{SUMMARY}org_abc123", {"X-API-Key": A})
    origin = f"http://127.0.0.1:{port}"
    try:
        warm = asyncio.run(drive(origin, min(10.0, args.seconds / 6), args.connections))
        rss_warm = rss_mb(proc.pid)
        t0 = time.monotonic()
        run = asyncio.run(drive(origin, args.seconds, args.connections))
        elapsed = time.monotonic() - t0
        rss_end = rss_mb(proc.pid)
        journal = journal_length(origin)
        alive = proc.poll() is None
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    growth = (rss_end / rss_warm - 1) * 100
    print(f"warm-up: {warm['requests']:,} requests; soak: {run['requests']:,} requests in "
          f"{elapsed:.0f} s ({run['requests'] / elapsed:,.0f}/s), "
          f"unexpected answers: {run['unexpected'] + warm['unexpected']}")
    print(f"RSS: {rss_warm:.1f} MB after warm-up, {rss_end:.1f} MB after the soak "
          f"({growth:+.1f}%)")
    print(f"journal: {journal} entries (bound {args.journal_size}); server alive: {alive}; "
          f"exit code after SIGTERM: {code}")
    ok = (run["unexpected"] + warm["unexpected"] == 0 and growth <= 10 and alive and code == 0
          and (journal is None or journal <= args.journal_size))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
