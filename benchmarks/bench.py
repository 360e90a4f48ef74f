"""Throughput, latency, start-up and memory of the mock against bare aiohttp, interleaved.

    python benchmarks/bench.py [--seconds 5] [--rounds 3] [--connections 50] [--workers 1]

Server on CPU 0, load generator (wrk -t1, or the bundled asyncio one) on CPU 1. Realistic
traffic rotates over two orgs x 24 months with their keys. Figures are ratios measured in
one run: this machine is shared and noisy. Prints a Markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Result, driver

HERE = Path(__file__).resolve().parent
SUMMARY = "/v1/analytics/api-keys/summary/"
KEYS = {"org_abc123": "mock-key-abc123", "org_xyz789": "mock-key-xyz789"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def realistic() -> list[tuple[str, dict[str, str]]]:
    reqs = []
    for i in range(24):
        year, month = 2024 + i // 12, i % 12 + 1
        for org, key in KEYS.items():
            reqs.append((f"{SUMMARY}{org}?year={year}&month={month}", {"X-API-Key": key}))
    return reqs


ERRORS = {
    "401 no key": [(f"{SUMMARY}org_abc123?year=2025&month=3", {})],
    "403 other org": [(f"{SUMMARY}org_xyz789?year=2025&month=3",
                       {"X-API-Key": "mock-key-abc123"})],
    "400 month=13": [(f"{SUMMARY}org_abc123?year=2025&month=13",
                      {"X-API-Key": "mock-key-abc123"})],
}


def pinned(cmd: list[str], cpu: str) -> list[str]:
    return ["taskset", "-c", cpu, *cmd] if shutil.which("taskset") else cmd


def start(cmd: list[str], probe: str, headers: dict[str, str]) -> tuple[subprocess.Popen, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + 30
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(probe, headers=headers),
                                        timeout=1) as resp:
                if resp.status == 200:
                    return proc, time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.005)
    proc.kill()
    raise SystemExit(f"server did not start: {cmd}")


def rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid, *children(pid)]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return []
    kids = [int(x) for x in out.split()]
    return kids + [g for k in kids for g in children(k)]


def fmt(name: str, r: Result, ratio: float | None) -> str:
    shown = "1.00" if ratio is None else f"{ratio:.2f}"
    return f"| {name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {shown} |"


def startups(cmd_for: dict[str, tuple[list[str], str, dict[str, str]]],
             times: int) -> dict[str, list[float]]:
    """Process start to first 200, measured ``times`` times each, alternating."""
    got: dict[str, list[float]] = {name: [] for name in cmd_for}
    for _ in range(times):
        for name, (cmd, probe, headers) in cmd_for.items():
            proc, seconds = start(cmd, probe, headers)
            proc.terminate()
            proc.wait(timeout=30)
            got[name].append(seconds)
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--startups", type=int, default=5, help="start-up measurements each")
    args = ap.parse_args()
    name, run = driver()
    server_cpu = "0" if args.workers == 1 else f"0-{os.cpu_count() - 1}"
    load_cpu = 1 if args.workers == 1 and (os.cpu_count() or 1) > 1 else None

    def base_cmd(port: int) -> list[str]:
        return pinned([sys.executable, str(HERE / "baseline_server.py"), str(port)], server_cpu)

    def mock_cmd(port: int) -> list[str]:
        cmd = [sys.executable, "-m", "mock_server", "--port", str(port)]
        return pinned(cmd + (["--workers", str(args.workers)] if args.workers > 1 else []),
                      server_cpu)

    probe_headers = {"X-API-Key": "mock-key-abc123"}
    sp1, sp2 = free_port(), free_port()
    boot = startups({
        "baseline": (base_cmd(sp1), f"http://127.0.0.1:{sp1}/", {}),
        "mock": (mock_cmd(sp2), f"http://127.0.0.1:{sp2}{SUMMARY}org_abc123", probe_headers),
    }, args.startups)

    bport, mport = free_port(), free_port()
    base_proc, _ = start(base_cmd(bport), f"http://127.0.0.1:{bport}/", {})
    mock_proc, _ = start(mock_cmd(mport), f"http://127.0.0.1:{mport}{SUMMARY}org_abc123",
                         probe_headers)
    base_o, mock_o = f"http://127.0.0.1:{bport}", f"http://127.0.0.1:{mport}"
    targets = {"mock, 2 orgs x 24 months": realistic(),
               **{f"mock, {label}": reqs for label, reqs in ERRORS.items()}}
    try:
        run(mock_o, realistic(), 2, args.connections, load_cpu)  # warm-up
        run(base_o, realistic(), 2, args.connections, load_cpu)
        rss_warm = rss_mb(mock_proc.pid)
        served = 0.0
        base_runs: list[Result] = []
        runs: dict[str, list[Result]] = {k: [] for k in targets}
        ratios: dict[str, list[float]] = {k: [] for k in targets}
        order = list(targets)
        for i in range(args.rounds):
            # Each round: the baseline, then every mock target in a rotated order; each
            # ratio is taken against its own round's baseline (the machine drifts).
            base_runs.append(run(base_o, realistic(), args.seconds, args.connections, load_cpu))
            for label in order[i % len(order):] + order[:i % len(order)]:
                r = run(mock_o, targets[label], args.seconds, args.connections, load_cpu)
                runs[label].append(r)
                ratios[label].append(r.rps / base_runs[-1].rps)
                served += r.rps * args.seconds
        rss_end = rss_mb(mock_proc.pid)
        rss_base = rss_mb(base_proc.pid)
    finally:
        for p in (base_proc, mock_proc):
            p.terminate()
            p.wait(timeout=30)

    def med(rs: list[Result]) -> Result:
        return Result(statistics.median(r.rps for r in rs), statistics.median(r.p50_ms for r in rs),
                      statistics.median(r.p99_ms for r in rs), sum(r.non_2xx for r in rs))

    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
          f"driver: {name}, -c{args.connections}, {args.rounds} rounds x {args.seconds}s "
          f"interleaved, mock workers: {args.workers}")
    print("\n| target | req/s | p50 ms | p99 ms | ratio to baseline (median of rounds) |")
    print("|---|---|---|---|---|")
    print(fmt("bare aiohttp, fixed bytes", med(base_runs), None))
    for label in targets:
        print(fmt(label, med(runs[label]), statistics.median(ratios[label])))
    b, m = (statistics.median(boot[k]) for k in ("baseline", "mock"))
    print(f"\nstart-up to first 200 (median of {args.startups}): mock {m:.2f} s, "
          f"baseline {b:.2f} s (mock - baseline: {m - b:+.2f} s)")
    print(f"RSS: mock {rss_warm:.1f} MB after warm-up, {rss_end:.1f} MB after "
          f"{served:,.0f} requests ({(rss_end / rss_warm - 1) * 100:+.1f}%); "
          f"baseline {rss_base:.1f} MB")
    if med(runs["mock, 2 orgs x 24 months"]).non_2xx:
        print("WARNING: non-2xx answers on the realistic run")


if __name__ == "__main__":
    main()
