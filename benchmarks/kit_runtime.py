"""Wall-clock time of a default ``freddy-contract`` run (every check, 100 Schemathesis
examples per mode), against the local mock and against servers that take 100 ms for every
answer: one that answers concurrently, and one that answers one request at a time.

Not part of the test run:  python benchmarks/kit_runtime.py [--rounds 3]
The budgets (issue 14): under 15 s against the mock, under 60 s against a 100 ms server.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from mock_server.config import MockConfig  # noqa: E402
from mock_server.testing import MockServerThread  # noqa: E402
from tests.kit.broken import BrokenServer  # noqa: E402

KEY, ORG, FOREIGN = "mock-key-abc123", "org_abc123", "org_xyz789"


@contextmanager
def mock() -> Iterator[str]:
    server = MockServerThread(MockConfig(port=0)).start()
    try:
        yield server.base_url
    finally:
        server.stop()


@contextmanager
def slow(one_at_a_time: bool) -> Iterator[str]:
    server = BrokenServer("slow_100ms")
    if one_at_a_time:  # every handler behind one lock: answers strictly in turn
        impl = server.impl
        lock = asyncio.Lock()

        def serial(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
            async def run(request: Any) -> Any:
                async with lock:
                    return await handler(request)
            return run

        impl.get, impl.other_method = serial(impl.get), serial(impl.other_method)  # type: ignore[method-assign]
    with server:
        yield server.base_url


def run_kit(base_url: str) -> tuple[float, str]:
    exe = Path(sys.executable).with_name("freddy-contract")
    start = time.monotonic()
    proc = subprocess.run([str(exe), "--base-url", base_url, "--api-key", KEY, "--org-id", ORG,
                           "--foreign-org-id", FOREIGN], capture_output=True, text=True,
                          timeout=600)
    seconds = time.monotonic() - start
    return seconds, proc.stdout.strip().splitlines()[-1] if proc.stdout else proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # Schemathesis' NUL probes
    targets = {"local mock": mock, "100 ms, concurrent": lambda: slow(False),
               "100 ms, one at a time": lambda: slow(True)}
    print("| target | median s | max s | kit's last line |\n|---|---|---|---|")
    for name, target in targets.items():
        times, last = [], ""
        for _ in range(args.rounds):
            with target() as url:
                seconds, last = run_kit(url)
            times.append(seconds)
        print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} | {last} |",
              flush=True)


if __name__ == "__main__":
    main()
