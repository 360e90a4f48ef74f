"""Counters in Redis for the requests of one process, batched: one script call at a time.

A rate-limited (or ``every:``-counted) request needs its count from Redis: ``INCRBY`` of the
window's key, then ``EXPIRE`` so old windows go away by themselves; the count is Redis's,
never a read-modify-write here. The requests that arrive in the same turn of the event loop
share one call of a small Lua script (atomic in Redis; one round trip), and while a call is
in flight the requests that come meanwhile wait for it and go together in the next one. So
under load a request costs two arguments of a command instead of a round trip of its own
(with redis-py's asyncio client one command costs about as much CPU as all the rest of a
request; a pipeline of 2 x N commands several times more than one script call for N).
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

Op = tuple[str, int, int]  # key, cost (0: read only), ttl in seconds

# KEYS: the counters; ARGV: cost and ttl of each. Returns the counts, in order.
SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local cost = tonumber(ARGV[2 * i - 1])
  if cost > 0 then
    counts[i] = redis.call('INCRBY', key, cost)
    redis.call('EXPIRE', key, ARGV[2 * i])
  else
    counts[i] = tonumber(redis.call('GET', key) or '0')
  end
end
return counts
"""


class CounterBatch:
    def __init__(self, client: Redis) -> None:
        self._script = client.register_script(SCRIPT)  # EVALSHA; loaded again if missing
        self._ops: list[Op] = []
        self._waiters: list[asyncio.Future[int]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def count(self, key: str, cost: int, ttl: int) -> asyncio.Future[int]:
        """The key's count after adding ``cost``; raises the Redis error of the batch."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int] = loop.create_future()
        if not self._ops and not self._tasks:
            loop.call_soon(self._send)
        self._ops.append((key, cost, ttl))
        self._waiters.append(waiter)
        return waiter

    def _send(self) -> None:
        """One call in flight at a time: what arrives meanwhile goes with the next one, so
        the busier the server, the fuller the batch (a wait of at most one round trip)."""
        if not self._ops:
            return
        ops, waiters = self._ops, self._waiters
        self._ops, self._waiters = [], []
        task = asyncio.get_running_loop().create_task(self._run(ops, waiters))
        self._tasks.add(task)  # held until done (the loop keeps only weak references)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            self._send()

    async def _run(self, ops: list[Op], waiters: list[asyncio.Future[int]]) -> None:
        args: list[int] = []
        for _, cost, ttl in ops:
            args += (cost, ttl)
        try:
            counts = await self._script(keys=[key for key, _, _ in ops], args=args)
        except asyncio.CancelledError:  # the server stops
            for waiter in waiters:
                waiter.cancel()
            raise
        except Exception as exc:  # every request of the batch falls back alike
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        for count, waiter in zip(counts, waiters, strict=True):
            if not waiter.done():  # (a request cancelled meanwhile no longer waits)
                waiter.set_result(int(count))

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
