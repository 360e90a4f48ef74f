"""The request journal in Redis, shared by every process that names the same URL.

``freddy-mock:journal`` is a list of entries (JSON, keys already masked by
:meth:`~mock_server.runtime.journal.Journal.record`), trimmed to the journal's size;
``freddy-mock:journal:count`` counts every entry ever pushed, so an entry's number is
``count - length + position``. A request never waits for Redis: ``record`` queues the
entry and a background task pushes what is queued with one call of a small Lua script
(``RPUSH``, ``LTRIM``, ``INCRBY``; atomic in Redis). While Redis is lost the queue keeps
the newest entries (up to the journal's size) and is pushed when Redis is back; reads
answer 503 meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque

import orjson
from redis.commands.core import AsyncScript

from mock_server.runtime.journal import ANY, Entry, Journal, decode, encode
from mock_server.runtime.redis_link import BACKOFF, ERRORS, PREFIX, RedisLink, stop

LIST = PREFIX + "journal"
COUNT = PREFIX + "journal:count"
CLOSE_WAIT = 2.0  # seconds the last push may take when the server stops
CHUNK = 1000  # entries per script call (Lua's unpack has a limit)
# KEYS: the list, the count; ARGV: the size, then the entries. Atomic in Redis.
PUSH = """
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return redis.call('INCRBY', KEYS[2], #ARGV - 1)
"""
# KEYS: the list; ARGV: the session ("": the entries without one). The count removed.
DROP = """
local want = ARGV[1]
local kept, removed = {}, 0
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, doc = pcall(cjson.decode, item)
  local session = ok and doc.session or cjson.null
  if (want == '' and session == cjson.null) or session == want then
    removed = removed + 1
  else
    kept[#kept + 1] = item
  end
end
if removed > 0 then
  redis.call('DEL', KEYS[1])
  for i = 1, #kept, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept)))
  end
end
return removed
"""


class RedisJournal(Journal):
    def __init__(self, link: RedisLink, size: int) -> None:
        super().__init__(size)
        self._link = link
        self._seq = itertools.repeat(0)  # numbered by Redis
        self._queue: deque[bytes] = deque(maxlen=size)
        self._wake = asyncio.Event()
        self._pushing = asyncio.Lock()  # one push at a time keeps the order of entries
        self._task: asyncio.Task[None] | None = None
        self._push: AsyncScript | None = None
        self._drop: AsyncScript | None = None

    def start(self) -> None:
        assert self._link.client is not None
        self._push = self._link.client.register_script(PUSH)
        self._drop = self._link.client.register_script(DROP)
        self._task = asyncio.create_task(self._pusher(), name="freddy-mock-journal")

    async def close(self) -> None:
        if self._task is not None:
            await stop(self._task)
        with contextlib.suppress(asyncio.TimeoutError, *ERRORS):
            await asyncio.wait_for(self.flush(), CLOSE_WAIT)

    def wake(self) -> None:
        self._wake.set()

    def _append(self, entry: Entry) -> Entry:
        self._queue.append(encode(entry))
        self._wake.set()
        return entry

    async def flush(self) -> None:
        """Push what is queued (raises a Redis error when it cannot; nothing is lost)."""
        async with self._pushing:
            if not self._queue or not self._link.connected:
                return
            batch, self._queue = self._queue, deque(maxlen=self.size)
            try:
                entries = list(batch)
                for i in range(0, len(entries), CHUNK):
                    chunk = entries[i:i + CHUNK]
                    assert self._push is not None
                    await self._push(keys=[LIST, COUNT], args=[self.size, *chunk])
                    for _ in chunk:
                        batch.popleft()
            except BaseException:
                batch.extend(self._queue)  # back in front of what came meanwhile
                self._queue = batch
                raise

    async def _pusher(self) -> None:
        while not self._link.closing:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except ERRORS as exc:
                self._link.lost(exc)
                await asyncio.sleep(BACKOFF[0])

    async def _all(self) -> list[Entry]:
        with self._link.guard() as client:
            await self.flush()  # this process's own requests first
            async with client.pipeline(transaction=True) as pipe:
                count, items = await pipe.get(COUNT).lrange(LIST, 0, -1).execute()
        first = int(count or 0) - len(items) + 1
        return [decode(first + i, data) for i, data in enumerate(items)]

    async def count(self) -> int:
        with self._link.guard() as client:
            return int(await client.llen(LIST))

    async def clear(self, session: str | None = ANY) -> int:
        with self._link.guard() as client:
            if session != ANY:  # that session's entries only: filtered in Redis, atomically
                self._queue = deque((e for e in self._queue
                                     if orjson.loads(e).get("session") != session),
                                    maxlen=self.size)
                assert self._drop is not None
                return int(await self._drop(keys=[LIST], args=[session or ""]))
            self._queue.clear()
            async with client.pipeline(transaction=True) as pipe:
                n, _ = await pipe.llen(LIST).delete(LIST).execute()
        return int(n)
