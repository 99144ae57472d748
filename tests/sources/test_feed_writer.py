"""Group commit of poll outcomes: many concurrent polls, few transactions, none lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import Feed
from bot.sources.feed_writer import PollWriter
from bot.store import open_store
from bot.store.feeds import FeedPoll

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


async def test_concurrent_saves_share_transactions_and_all_land(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    await store.migrate()
    try:
        feeds = [(await store.add_feed(f"https://desk{i}.example/feed", 600.0))[0] for i in range(300)]
        writer = PollWriter(store, lambda: NOW, max_batch=100)
        saved = await asyncio.gather(*(writer.save_feed_poll(replace(f, failures=1), [(f"id:{f.id}", None)])
                                       for f in feeds))
        assert all(saved)
        assert 3 <= writer.batches <= 5  # 300 polls, batches of up to 100: not 300 transactions
        stored = await store.feeds()
        assert all(f.failures == 1 for f in stored)
        assert await store.seen_entry_keys(feeds[-1].id, [f"id:{feeds[-1].id}"]) == {f"id:{feeds[-1].id}"}
        assert await writer.save_feed_poll(replace(feeds[0], failures=0))  # a lone poll: at once
        await writer.close()
    finally:
        await store.close()


class BrokenForOne:
    """A store whose batch write fails when it contains feed 13."""

    def __init__(self) -> None:
        self.saved: list[int] = []

    async def seen_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        return set()

    async def save_feed_polls(self, polls: Sequence[FeedPoll]) -> list[bool]:
        await asyncio.sleep(0)
        if any(p.feed.id == 13 for p in polls):
            raise ValueError("feed 13 cannot be written")
        self.saved += [p.feed.id for p in polls]
        return [True] * len(polls)


async def test_one_bad_poll_does_not_fail_the_others_in_its_batch() -> None:
    store = BrokenForOne()
    writer = PollWriter(store, lambda: NOW)
    feeds = [Feed(i, f"https://desk{i}.example/f", 600.0, NOW) for i in range(10, 16)]
    results = await asyncio.gather(*(writer.save_feed_poll(f) for f in feeds), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["bool", "bool", "bool", "ValueError", "bool", "bool"]
    assert sorted(store.saved) == [10, 11, 12, 14, 15]
