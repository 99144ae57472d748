"""Saving poll outcomes with group commit: when many feeds finish at once (a full cycle of a
thousand feeds answering 304), their states are written in a few transactions instead of
one each. A poll still waits until its own outcome is committed, so nothing is reported
done before it is stored; a lone poll is written at once, with no added delay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import Feed
from bot.store.feeds import FeedPoll

log = logging.getLogger(__name__)

MAX_BATCH = 250


class BatchStore(Protocol):
    async def seen_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]: ...
    async def save_feed_polls(self, polls: Sequence[FeedPoll]) -> list[bool]: ...


class PollWriter:
    """The poller's store: reads pass through, saves are batched (one writer at a time;
    what arrives while it writes goes into the next batch)."""

    def __init__(self, store: BatchStore, clock: Callable[[], datetime], *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._clock = clock
        self._max_batch = max_batch
        self._queue: list[tuple[FeedPoll, asyncio.Future[bool]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.batches = 0

    async def seen_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        return await self._store.seen_entry_keys(feed_id, keys)

    async def save_feed_poll(self, feed: Feed, entries: Iterable[tuple[str, str | None]] = (), *,
                             keep: Iterable[str] = (), forget_after: timedelta | None = None) -> bool:
        prune_before = None if forget_after is None else self._clock() - forget_after
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((FeedPoll(feed, tuple(entries), tuple(keep), prune_before), done))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain(), name="feed-poll-writer")
        return await asyncio.shield(done)

    async def close(self) -> None:
        """Write what is queued, then stop."""
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: len(batch)]
            await self._write(batch)

    async def _write(self, batch: list[tuple[FeedPoll, asyncio.Future[bool]]]) -> None:
        self.batches += 1
        try:
            results = await self._store.save_feed_polls([poll for poll, _ in batch])
        except Exception as e:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(e)
                return
            log.warning("saving %d feed polls together failed (%s); saving them one by one", len(batch), e)
            for one in batch:
                await self._write([one])
            return
        for (_, done), saved in zip(batch, results, strict=True):
            if not done.done():
                done.set_result(saved)
