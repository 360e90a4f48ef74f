"""CPU instructions per request, mock against bare aiohttp, counted by callgrind.

    python benchmarks/instructions.py [--seconds 15] [--targets 200,401,403,400,200s]

Wall-clock figures on a shared machine drift by +-30% between runs; an instruction count
does not (the same server measured twice differs by 0.01%). Each server runs under
``valgrind --tool=callgrind`` with instrumentation off; after a warm-up, counting is
switched on for a wrk run, dumped, and divided by the requests wrk completed. Instructions
are not time (cache misses and syscalls are not in them), so this complements bench.py;
it is how each optimisation in the README was measured. Needs valgrind and wrk. Prints a
Markdown table; asserts nothing. About a minute per target.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ERRORS, HERE, SUMMARY, free_port, pinned, realistic
from loadgen import _lua

TARGETS = {
    "200": ("mock, 2 orgs x 24 months", realistic()),
    # the same requests in a session (X-Mock-Session), nothing switched in it (#26)
    "200s": ("mock, 2 orgs x 24 months, in a session",
             [(path, {**headers, "X-Mock-Session": "bench"}) for path, headers in realistic()]),
    "401": ("mock, 401 no key", ERRORS["401 no key"]),
    "403": ("mock, 403 other org", ERRORS["403 other org"]),
    "400": ("mock, 400 month=13", ERRORS["400 month=13"]),
}


def wait_ready(url: str, headers: dict[str, str], proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # python under valgrind starts ~50x slower
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"server did not start under valgrind: {url}")


def wrk(origin: str, script: Path, seconds: int) -> int:
    cmd = pinned(["wrk", "-t1", "-c10", f"-d{seconds}s", "-s", str(script), origin], "1")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    return int(re.search(r"(\d+) requests in", out).group(1))


def per_request(server: list[str], port: int, requests: list[tuple[str, dict[str, str]]],
                seconds: int, work: Path) -> float:
    out = work / f"cg.{port}.out"
    script = work / f"load.{port}.lua"
    script.write_text(_lua(requests))
    cmd = pinned(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                  f"--callgrind-out-file={out}", *server], "0")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}{SUMMARY}org_abc123", {"X-API-Key": "mock-key-abc123"},
                   proc)
        origin = f"http://127.0.0.1:{port}"
        wrk(origin, script, 3)  # warm-up (caches, the interpreter's specialisation)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True,
                       capture_output=True)
        served = wrk(origin, script, seconds)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True,
                       capture_output=True)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    dump = next(work.glob(f"cg.{port}.out.*"))
    totals = re.search(r"^totals:\s+(\d+)", dump.read_text(errors="replace"), re.M)
    return int(totals.group(1)) / served


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--targets", default="200,401,403,400")
    args = ap.parse_args()
    missing = [t for t in ("valgrind", "callgrind_control", "wrk") if not shutil.which(t)]
    if missing:
        print(f"instructions.py: needs {', '.join(missing)} (Debian: valgrind, wrk)",
              file=sys.stderr)
        raise SystemExit(2)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        base = per_request([sys.executable, str(HERE / "baseline_server.py"), str(port)], port,
                           realistic(), args.seconds, work)
        rows = [("bare aiohttp, fixed bytes", base)]
        for key in args.targets.split(","):
            label, reqs = TARGETS[key.strip()]
            port = free_port()
            rows.append((label, per_request([sys.executable, "-m", "mock_server", "--port",
                                             str(port)], port, reqs, args.seconds, work)))
    print("\n| target | instructions per request | baseline / target |\n|---|---|---|")
    for label, ir in rows:
        print(f"| {label} | {ir:,.0f} | {base / ir:.2f} |")


if __name__ == "__main__":
    main()
