"""The configuration's feeds when several instances start on one PostgreSQL store at once:
each instance adds the listed feeds it does not find, and a feed another instance added
(and maybe polled) in the meantime is left as it is, not made due again."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.config import FeedSettings, FeedsSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.domain import Analysis, Article, Feed
from bot.sources.feeds import FeedsConnector
from bot.store import SqlStore
from tests.sources.feed_server import FeedServer, rss20
from tests.sources.feed_stories import feeds_runtime, item, stand_in_analysis

pytestmark = pytest.mark.postgres


def _runtime(settings: FeedsSettings, store: SqlStore, instance: str, tmp_path: Path) -> Runtime:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return await stand_in_analysis(article)

    return feeds_runtime(settings, store, Commands(store, stand_in_analysis, feeds=settings), tmp_path, ingest,
                         instance)


async def _polled(store: SqlStore, url: str) -> Feed:
    start = time.monotonic()
    while time.monotonic() - start < 30.0:
        feed = next((f for f in await store.feeds() if f.url == url), None)
        if feed is not None and feed.last_success is not None:
            return feed
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url} not polled within 30 s")


async def test_a_feed_another_starting_instance_added_and_polled_is_not_made_due_again(
        pg_stores: list[SqlStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = await FeedServer().start()
    server.feed("/trade.xml", rss20([item(1)]))
    url = server.url("/trade.xml")
    settings = FeedsSettings(allow_private_addresses=True, jitter=0.0, sync_seconds=3600.0,
                             feed=(FeedSettings(url=url, every=600.0),))
    first, second = pg_stores[:2]
    # instance b reads the store's feeds before instance a has added any (both starting at once)...
    before = await second.feeds()
    assert before == []

    async def as_read_before() -> list[Feed]:
        return list(before)

    monkeypatch.setattr(second, "feeds", as_read_before)
    a, b = FeedsConnector(settings), FeedsConnector(settings)
    try:
        # ... a adds the configuration's feed and polls it ...
        await a.start(_runtime(settings, first, "a", tmp_path))
        polled = await _polled(first, url)
        assert polled.next_poll is not None and polled.next_poll > first.now()
        # ... then b goes on through the configuration: the feed is known now
        await b.start(_runtime(settings, second, "b", tmp_path))
        after = await first.get_feed(polled.id)
        assert after is not None
        assert after.next_poll == polled.next_poll, "the feed was made due again: it would be fetched twice"
        assert len(server.requests_to("/trade.xml")) == 1
    finally:
        await b.stop()
        await a.stop()
        await server.close()
