"""Three feeds connectors (three instances) on one PostgreSQL store: each claims due feeds in
batches (the store hands a feed to one claim only), so a feed is fetched once a cycle; a
stopped instance's feeds are taken by the others once its claims run out.

Three connectors in one test process (not three processes): the requests each feed gets,
and when, are what is observed, and the local feed server sees them all the same.
`tests/cli/test_scale_out.py` runs three real `tradewatch run` processes."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import FeedSettings, FeedsSettings, Settings, StoreSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.source import Discovered
from bot.domain import Analysis, Article
from bot.sources.feeds import FeedsConnector
from bot.store import SqlStore, open_store
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema
from tests.sources.feed_server import FeedServer, rss20
from tests.sources.feed_stories import item, stand_in_analysis

pytestmark = pytest.mark.postgres

EVERY = 4.0
FEEDS = 300


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    name = await postgres_schema()
    try:
        yield name
    finally:
        await drop_schema(name)


class Instance:
    def __init__(self, name: str, settings: FeedsSettings, schema: str, tmp_path: Path) -> None:
        self.name = name
        self.settings = settings
        self.store: SqlStore = open_store(POSTGRES_URL, tmp_path, schema=schema)
        self.connector = FeedsConnector(settings)
        self.scheduler = AsyncIOScheduler()
        self.tmp_path = tmp_path

    async def start(self) -> None:
        await self.store.migrate()

        async def ingest(article: Article, priority: int) -> Analysis | None:
            await self.store.add_article(article, article.id)
            return await stand_in_analysis(article)

        async def ingest_file(found: Discovered, priority: int) -> None:
            raise AssertionError("no files expected")

        commands = Commands(self.store, stand_in_analysis, feeds=self.settings, feeds_changed=self.connector.sync)
        runtime = Runtime(Settings(store=StoreSettings(data_dir=self.tmp_path), feeds=self.settings), self.store,
                          commands, self.scheduler, ingest, lambda: None, ingest_file, self.name)
        await self.connector.start(runtime)
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.connector.stop()
        await self.store.close()


def gaps(server: FeedServer) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for seen in server.requests:
        times[seen.path].append(seen.at)
    return {path: [b - a for a, b in zip(sorted(at), sorted(at)[1:], strict=False)] for path, at in times.items()}


async def test_three_instances_fetch_each_feed_once_a_cycle(schema: str, tmp_path: Path) -> None:
    server = await FeedServer().start()
    listed = []
    for n in range(FEEDS):
        server.feed(f"/f{n}.xml", rss20([item(n % 3)]))
        listed.append(FeedSettings(url=server.url(f"/f{n}.xml"), every=EVERY))
    settings = FeedsSettings(allow_private_addresses=True, every=EVERY, min_every=0.1, jitter=0.0,
                             sync_seconds=1.0, feed=tuple(listed), claim_seconds=60.0, fetch_pages=False,
                             per_host=16)
    instances = [Instance(name, settings, schema, tmp_path / name) for name in ("a", "b", "c")]
    try:
        for i in instances:
            await i.start()
        deadline = time.monotonic() + 240  # (a generous guard on a loaded machine)
        while time.monotonic() < deadline:
            per_feed = gaps(server)
            if len(per_feed) == FEEDS and all(len(g) >= 2 for g in per_feed.values()):
                break
            await asyncio.sleep(0.2)
        else:
            counts = {path: len(g) + 1 for path, g in gaps(server).items()}
            few = sorted(counts.items(), key=lambda kv: kv[1])[:5]
            never = FEEDS - len(counts)
            rows = [f for f in await instances[1].store.feeds() if any(f.url.endswith(p) for p, _ in few)]
            raise AssertionError(f"not every feed was polled three times: {len(server.requests)} requests; "
                                 f"never polled: {never}; fewest: {few}; their state: {rows}; "
                                 f"polls and claims: {[(i.name, i.connector.polls, i.connector.claims) for i in instances]}")
        # stop one instance: the two others go on polling every feed, still once a cycle
        await instances[0].stop()
        after = len(server.requests)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(server.requests) < after + 2 * FEEDS:
            await asyncio.sleep(0.2)
        assert len(server.requests) >= after + 2 * FEEDS, "the other instances did not go on polling"
    finally:
        for i in instances:
            await i.stop()
        await server.close()
    shortest = min(g for per in gaps(server).values() for g in per)
    assert shortest > EVERY / 2, f"a feed was fetched twice {shortest:.2f} s apart (every {EVERY} s)"
    polled = [i.connector.polls for i in instances]
    assert all(p > 0 for p in polled), f"every instance polled some feeds: {polled}"
