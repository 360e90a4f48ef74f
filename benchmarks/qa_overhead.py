"""Per-request cost of the summary handler with the QA features off and on.

Not part of the test run. Calls the handler directly (no sockets), so it measures the
pipeline only:  python benchmarks/qa_overhead.py
"""

from __future__ import annotations

import asyncio
import time

from aiohttp.test_utils import make_mocked_request

from mock_server.config import MockConfig, QaConfig
from mock_server.engine.pipeline import get_summary
from mock_server.foundation.clock import parse_instant
from mock_server.serve.app import create_app

ROUTE = "/v1/analytics/api-keys/summary/org_xyz789?year=2025&month=10"
N = 20_000
CASES = {
    "nothing on (hot path)": QaConfig(),
    "admin on (handler only, no journal)": QaConfig(admin=True),
    "rate limit": QaConfig(rate_limit="1000000000/min"),
    "scenario active (enterprise-org)": QaConfig(scenarios=("enterprise-org",)),
}


async def per_request(qa: QaConfig) -> float:
    app = create_app(MockConfig(now=parse_instant("2025-11-20T12:00:00Z"), qa=qa))
    request = make_mocked_request("GET", ROUTE, headers={"X-API-Key": "mock-key-xyz789"},
                                  app=app, match_info={"org_id": "org_xyz789"})
    for _ in range(2_000):
        await get_summary(request)
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(N):
            await get_summary(request)
        best = min(best, (time.perf_counter() - start) / N)
    return best


def main() -> None:
    for name, qa in CASES.items():
        print(f"{name:36s} {asyncio.run(per_request(qa)) * 1e6:7.2f} µs/request (best of 7)")


if __name__ == "__main__":
    main()
