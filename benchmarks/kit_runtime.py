"""Wall-clock time of a default ``freddy-contract`` run (every check, 100 Schemathesis
examples per mode), against the local mock and against servers that take 100 ms for every
answer: one that answers concurrently, and one that answers one request at a time.

Not part of the test run:  python benchmarks/kit_runtime.py [--rounds 3] [--baseline DIR]
The budgets (issues 14, 25): under 15 s against the mock, under 60 s against a 100 ms server.
With ``--baseline DIR`` (another checkout, e.g. ``git worktree add --detach DIR REV``) the
kit of DIR runs too, alternately with this one against the same servers, and the ratio of
the medians is printed: the machine is shared, so only a ratio measured in one run compares.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
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


def run_kit(base_url: str, checkout: Path | None = None) -> tuple[float, str]:
    """One default run of the kit (of ``checkout``, first on the path, if given)."""
    exe = Path(sys.executable).with_name("freddy-contract")
    env = {**os.environ, "PYTHONPATH": str(checkout)} if checkout else None
    start = time.monotonic()
    proc = subprocess.run([str(exe), "--base-url", base_url, "--api-key", KEY, "--org-id", ORG,
                           "--foreign-org-id", FOREIGN], capture_output=True, text=True,
                          timeout=600, env=env)
    seconds = time.monotonic() - start
    return seconds, proc.stdout.strip().splitlines()[-1] if proc.stdout else proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout whose kit runs too")
    args = parser.parse_args()
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # Schemathesis' NUL probes
    targets = {"local mock": mock, "100 ms, concurrent": lambda: slow(False),
               "100 ms, one at a time": lambda: slow(True)}
    kits: dict[str, Path | None] = {"this kit": None}
    if args.baseline:
        kits["baseline"] = args.baseline.resolve()
    print("| target | kit | median s | max s | kit's last line |\n|---|---|---|---|---|")
    for name, target in targets.items():
        times: dict[str, list[float]] = {k: [] for k in kits}
        last: dict[str, str] = {}
        for _ in range(args.rounds):
            with target() as url:
                for kit, checkout in kits.items():
                    seconds, last[kit] = run_kit(url, checkout)
                    times[kit].append(seconds)
        for kit in kits:
            print(f"| {name} | {kit} | {statistics.median(times[kit]):.1f} | "
                  f"{max(times[kit]):.1f} | {last[kit]} |", flush=True)
        if args.baseline:
            ratio = statistics.median(times["this kit"]) / statistics.median(times["baseline"])
            print(f"| {name} | ratio this / baseline | {ratio:.2f} | | |", flush=True)


if __name__ == "__main__":
    main()
