"""What the validating proxy (freddy-mock --proxy) adds to a local upstream's latency.

    python benchmarks/proxy_overhead.py [--seconds 5] [--rounds 3] [--connections 50]
                                        [--rates 250,500,1000] [--nice -5]

The upstream is the mock itself (CPU 0); the proxy forwards to it and checks every exchange
(CPU 1, shared with the load generator: wrk -t1, or the bundled asyncio one). Each round
measures, interleaved, the upstream directly and through the proxy, with the same
realistic traffic (two orgs x 24 months with their keys) at 50 connections:

- paced: each connection waits so that the total is RATE requests/s; latency then is the
  time one request takes, and the difference is what the proxy adds to it (the target:
  under 2 ms at the median);
- flat out: no wait; latency is then mostly queueing (Little's law), and the ratio of
  req/s says how much throughput a proxy of one process has next to the mock's.

Also the proxy's CPU time per request (from /proc: robust to a busy machine, unlike
latency) and the cost of checking one exchange in-process (the registry, no sockets).
Figures are
differences and ratios taken within a round (this machine is shared and noisy); the table
shows their medians. Prints Markdown; asserts nothing.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import SUMMARY, free_port, pinned, realistic, start
from loadgen import Result, driver, load_parser

PROBE_HEADERS = {"X-API-Key": "mock-key-abc123"}
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def check_cost(n: int = 5000) -> float:
    """Microseconds to check one 200 exchange with the registry (best of 5)."""
    from api_contract.contract import load_contract
    from api_contract.exchange import Observed, Reply
    from api_contract.resources import default_spec_path
    from api_contract.verdicts import verify

    contract = load_contract(default_spec_path())
    body = json.dumps(contract.examples["documented"].value, separators=(",", ":")).encode()
    now = datetime.now(UTC)
    date = format_datetime(now, usegmt=True)

    def one() -> None:
        reply = Reply(200, {"content-type": "application/json", "date": date}, body)
        verify(contract, Observed("org_abc123", [("year", "2025"), ("month", "11")],
                                  [("X-API-Key", "mock-key-abc123")], reply,
                                  key_org="org_abc123", sent_between=(now, now)))

    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            one()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e6


def main() -> None:
    ap = load_parser(__doc__, seconds=5)
    ap.add_argument("--rates", default="250,500,1000",
                    help="paced loads, total requests/s (comma-separated)")
    ap.add_argument("--nice", type=int, default=0,
                    help="run the benchmark (upstream, proxy, load generator: all inherit "
                         "it) at this niceness, e.g. -5 on a shared machine (needs root)")
    args = ap.parse_args()
    if args.nice:
        os.nice(args.nice)
    name, run = driver()
    rates = [int(r) for r in args.rates.split(",") if r]
    two_cpus = (os.cpu_count() or 1) > 1
    load_cpu = 1 if two_cpus else None

    up_port, px_port = free_port(), free_port()
    up_cmd = pinned([sys.executable, "-m", "mock_server", "--port", str(up_port)], "0")
    px_cmd = pinned([sys.executable, "-m", "mock_server", "--port", str(px_port), "--proxy",
                     f"http://127.0.0.1:{up_port}/v1"], "1" if two_cpus else "0")
    probe = f"{SUMMARY}org_abc123?year=2025&month=11"
    upstream, _ = start(up_cmd, f"http://127.0.0.1:{up_port}{probe}", PROBE_HEADERS)
    proxy, _ = start(px_cmd, f"http://127.0.0.1:{px_port}{probe}", PROBE_HEADERS)
    origins = {"direct": f"http://127.0.0.1:{up_port}", "proxy": f"http://127.0.0.1:{px_port}"}
    loads: dict[str, float | None] = {"flat out": None}
    loads.update({f"paced {r}/s": args.connections / r * 1000 for r in rates})
    runs: dict[tuple[str, str], list[Result]] = {(lo, o): [] for lo in loads for o in origins}
    added: dict[str, list[float]] = {lo: [] for lo in loads}
    cpu_us: dict[str, list[float]] = {lo: [] for lo in loads}  # proxy CPU per request
    ratio: dict[str, list[float]] = {lo: [] for lo in loads}
    traffic = realistic()
    try:
        for origin in origins.values():  # warm-up
            run(origin, traffic, 2, args.connections, load_cpu)
        for i in range(args.rounds):
            for load, pace in loads.items():
                pair = {}
                order = list(origins) if i % 2 == 0 else list(origins)[::-1]
                for which in order:
                    cpu0 = cpu_seconds(proxy.pid)
                    pair[which] = run(origins[which], traffic, args.seconds, args.connections,
                                      load_cpu, pace)
                    runs[(load, which)].append(pair[which])
                    if which == "proxy":
                        served = pair[which].rps * args.seconds
                        cpu_us[load].append((cpu_seconds(proxy.pid) - cpu0) / served * 1e6)
                added[load].append(pair["proxy"].p50_ms - pair["direct"].p50_ms)
                ratio[load].append(pair["proxy"].rps / pair["direct"].rps)
    finally:
        for proc in (proxy, upstream):
            proc.terminate()
            proc.wait(timeout=30)

    cost = check_cost()
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_version()}, driver: {name}, -c{args.connections}, "
          f"{args.rounds} rounds x {args.seconds:g}s interleaved; upstream: the mock (CPU 0), "
          f"proxy on CPU 1 with the load generator; nice {os.nice(0)}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("\n| load | direct req/s | direct p50 / p99 ms | proxy req/s | proxy p50 / p99 ms "
          "| proxy adds at p50 (ms) | req/s ratio | proxy CPU per request |")
    print("|---|---|---|---|---|---|---|---|")
    for load in loads:
        d = [runs[(load, "direct")][k] for k in range(args.rounds)]
        p = [runs[(load, "proxy")][k] for k in range(args.rounds)]

        def med(rs: list[Result], attr: str) -> float:
            return statistics.median(getattr(r, attr) for r in rs)

        print(f"| {load} | {med(d, 'rps'):,.0f} | {med(d, 'p50_ms'):.2f} / "
              f"{med(d, 'p99_ms'):.2f} | {med(p, 'rps'):,.0f} | {med(p, 'p50_ms'):.2f} / "
              f"{med(p, 'p99_ms'):.2f} | {statistics.median(added[load]):+.2f} | "
              f"{statistics.median(ratio[load]):.2f} | "
              f"{statistics.median(cpu_us[load]):.0f} µs |")
        bad = sum(r.non_2xx for r in d + p)
        if bad:
            print(f"WARNING: {bad} non-2xx answers under '{load}'")
    print(f"\nchecking one 200 exchange (the registry, in-process, best of 5): {cost:.0f} µs")


if __name__ == "__main__":
    main()
