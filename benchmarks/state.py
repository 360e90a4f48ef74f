"""Throughput with the runtime state in Redis against in memory, interleaved in one run.

    python benchmarks/state.py [--seconds 4] [--rounds 3] [--connections 50] [--cases ...]
    python benchmarks/state.py --instructions     (callgrind: instructions per request)

Starts a redis-server of its own on a free loopback port and, for each case, the mock
twice: ``--state memory`` and ``--state redis://...``. Cases: the plain path (nothing
switched on: no Redis round trip at all), rate limiting on (``--rate-limit``, a limit never
reached: one script call per request, shared by concurrent ones), the journal on
(``--admin``: entries queued, pushed in batches); and an A/A control, memory against
memory, whose ratio shows how far the machine's noise alone moves a ratio. Mock on CPU 0,
load generator (wrk -t1, or the bundled one) and redis-server on CPU 1. Each round runs
every case (in a rotated order) as a pair, memory and redis back to back (alternating which
first); a ratio is redis / memory within one pair (the machine drifts). Prints a Markdown
table; asserts nothing."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import SUMMARY, free_port, pinned, realistic, start
from loadgen import Result, driver, load_parser

CONTROL = "A/A control: memory vs memory"

CASES = {
    "plain path": [],
    "rate limit on": ["--rate-limit", "1000000000/min"],
    "journal on (--admin)": ["--admin"],
    CONTROL: [],  # both "memory" and "redis" of this row are --state memory: the noise floor
}


def start_redis(cpu: str) -> tuple[subprocess.Popen, str, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port, folder = free_port(), tempfile.mkdtemp(prefix="freddy-bench-redis-")
    proc = subprocess.Popen(pinned([binary, "--port", str(port), "--bind", "127.0.0.1",
                                    "--save", "", "--appendonly", "no", "--dir", folder], cpu),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(500):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.01)
    return proc, f"redis://127.0.0.1:{port}/0", folder


def count_instructions(cases: dict[str, list[str]], seconds: int) -> None:
    from instructions import per_request

    redis_proc, url, folder = start_redis("1")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for case, flags in cases.items():
                if case == CONTROL:
                    continue  # instruction counts repeat: no noise floor to show
                counts = []
                for state in ("memory", url):
                    port = free_port()
                    counts.append(per_request(
                        [sys.executable, "-m", "mock_server", "--port", str(port), "--state",
                         state, *flags], port, realistic(), seconds, Path(tmp)))
                rows.append((case, *counts))
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print("\n| case | memory instructions / request | redis | memory / redis |")
    print("|---|---|---|---|")
    for case, mem, red in rows:
        print(f"| {case} | {mem:,.0f} | {red:,.0f} | {mem / red:.2f} |")


def main() -> None:
    ap = load_parser(__doc__, seconds=4)
    ap.add_argument("--instructions", action="store_true",
                    help="count CPU instructions per request under callgrind instead "
                         "(deterministic; needs valgrind)")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated subset of: " + ", ".join(CASES))
    args = ap.parse_args()
    cases = {c: CASES[c] for c in args.cases.split(",")}
    if args.instructions:
        return count_instructions(cases, max(3, round(args.seconds)))
    name, run = driver()
    two = (os.cpu_count() or 1) > 1
    load_cpu = 1 if two else None
    redis_proc, url, folder = start_redis("1" if two else "0")
    headers = {"X-API-Key": "mock-key-abc123"}
    procs: dict[str, subprocess.Popen] = {}
    origins: dict[str, str] = {}
    try:
        for case, flags in cases.items():
            for kind, state in (("memory", "memory"), ("redis", url)):
                state = "memory" if case == CONTROL else state
                port = free_port()
                cmd = pinned([sys.executable, "-m", "mock_server", "--port", str(port),
                              "--state", state, *flags], "0")
                label = f"{case}, {kind}"
                procs[label], _ = start(cmd, f"http://127.0.0.1:{port}{SUMMARY}org_abc123",
                                        headers)
                origins[label] = f"http://127.0.0.1:{port}"
        for origin in origins.values():  # warm-up
            run(origin, realistic(), 1, args.connections, load_cpu)
        runs: dict[str, list[Result]] = {k: [] for k in origins}
        names = list(cases)
        for i in range(args.rounds):
            for case in names[i % len(names):] + names[:i % len(names)]:
                pair = ("memory", "redis") if i % 2 == 0 else ("redis", "memory")
                for state in pair:  # back to back: the ratio of a pair is one moment's
                    label = f"{case}, {state}"
                    runs[label].append(run(origins[label], realistic(), args.seconds,
                                           args.connections, load_cpu))
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(timeout=30)
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_version()}, redis-py {redis.__version__}, driver: {name}, "
          f"-c{args.connections}, {args.rounds} rounds x {args.seconds}s interleaved")
    print("\n| case | memory req/s | redis req/s | redis / memory (median of rounds) "
          "| redis p50 ms | redis p99 ms |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        mem, red = runs[f"{case}, memory"], runs[f"{case}, redis"]
        ratio = statistics.median(r.rps / m.rps for r, m in zip(red, mem, strict=True))
        print(f"| {case} | {statistics.median(m.rps for m in mem):,.0f} | "
              f"{statistics.median(r.rps for r in red):,.0f} | {ratio:.2f} | "
              f"{statistics.median(r.p50_ms for r in red):.2f} | "
              f"{statistics.median(r.p99_ms for r in red):.2f} |")
    bad = {k: sum(r.non_2xx for r in v) for k, v in runs.items() if any(r.non_2xx for r in v)}
    if bad:
        print(f"WARNING: non-2xx answers: {bad}")


if __name__ == "__main__":
    main()
