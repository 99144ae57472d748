"""The feeds connector on the real scheduler: feeds polled at their own pace, added or
removed while running, and one slow feed never holding up another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import FeedSettings, FeedsSettings, Settings
from bot.core.commands import Commands, Context
from bot.domain import Analysis, Article, Feed
from bot.service.connectors import build_connectors
from bot.sources.feeds import FeedsConnector
from bot.store import SqlStore, open_store
from tests.sources.feed_server import FeedServer, rss20
from tests.sources.feed_stories import GRAIN, STEEL, feeds_runtime, item, stand_in_analysis

ADMIN = Context("console:default", user="U-admin", can_manage=True)


def feeds_settings(**changes: object) -> FeedsSettings:
    base = {"allow_private_addresses": True, "every": 0.5, "min_every": 0.1, "sync_seconds": 0.3,
            "total_timeout": 1.0, "read_timeout": 1.0, "jitter": 0.0}
    return FeedsSettings(**{**base, **changes})  # type: ignore[arg-type]


@dataclass
class Running:
    connector: FeedsConnector
    store: SqlStore
    commands: Commands
    server: FeedServer
    articles: list[Article]


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await check():
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    made: list[tuple[FeedsConnector, AsyncIOScheduler, SqlStore, FeedServer]] = []

    async def start(settings: FeedsSettings | None = None, server: FeedServer | None = None) -> Running:
        settings = settings or feeds_settings()
        store = open_store(None, tmp_path)
        await store.migrate()
        server = server or await FeedServer().start()
        articles: list[Article] = []

        async def ingest(article: Article, priority: int) -> Analysis | None:
            articles.append(article)
            await store.add_article(article, article.id)
            return await stand_in_analysis(article)

        connector = FeedsConnector(settings)
        commands = Commands(store, stand_in_analysis, feeds=settings, feeds_changed=connector.sync)
        runtime = feeds_runtime(settings, store, commands, tmp_path, ingest)
        scheduler = runtime.scheduler
        await connector.start(runtime)
        scheduler.start()
        made.append((connector, scheduler, store, server))
        return Running(connector, store, commands, server, articles)

    yield start
    for connector, scheduler, store, server in made:
        scheduler.shutdown(wait=False)
        await connector.stop()
        await server.close()
        await store.close()


async def last_success(store: SqlStore, url: str) -> Feed | None:
    return next((f for f in await store.feeds() if f.url == url and f.last_success is not None), None)


def test_the_registry_adds_the_feeds_connector_when_enabled() -> None:
    assert [c.name for c in build_connectors(Settings())] == ["feeds", "folders"]
    assert [c.name for c in build_connectors(Settings(feeds=FeedsSettings(enabled=False)))] == ["folders"]


async def test_configured_feeds_are_added_and_polled(make: Callable[..., Awaitable[Running]]) -> None:
    server = await FeedServer().start()
    server.feed("/trade.xml", rss20([item(1)]))
    listed = FeedSettings(url=server.url("/trade.xml"), every=30.0)
    run = await make(feeds_settings(feed=(listed,)), server)

    async def polled() -> bool:
        return await last_success(run.store, listed.url) is not None

    await until(polled)
    feed = await last_success(run.store, listed.url)
    assert feed is not None and feed.added_by == "configuration" and feed.every_seconds == 30.0


async def test_a_feed_added_from_chat_mid_run_is_polled(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make(feeds_settings(sync_seconds=3600.0))  # only the command layer can start the poll
    run.server.feed("/trade.xml", rss20([item(1)]))
    url = run.server.url("/trade.xml")
    answer = await run.commands.execute(ADMIN, f"feeds add {url} --every 2m")
    assert answer.kind == "reply" and answer.title == "Feed added", answer

    async def polled() -> bool:
        return await last_success(run.store, url) is not None

    await until(polled, 10.0)  # at once: the command layer told the connector, no periodic sync ran
    listing = await run.commands.execute(ADMIN, "feeds list")
    row = listing.sections[0].table.rows[0]  # type: ignore[union-attr]
    assert row[1] == url and row[3] == "ok" and row[5] == "-" and "UTC" in row[4] and "(in 2 min)" in row[6]


async def test_a_feed_added_from_the_cli_is_picked_up_by_the_sync(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make()
    run.server.feed("/trade.xml", rss20([item(1)]))
    url = run.server.url("/trade.xml")
    await run.store.add_feed(url, 60.0)  # what `tradewatch feeds add` does, from another process

    async def polled() -> bool:
        return await last_success(run.store, url) is not None

    await until(polled, 5.0)


async def test_each_feed_is_polled_again_after_its_interval(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make()
    run.server.feed("/fast.xml", rss20([item(1)]))
    run.server.feed("/slow.xml", rss20([item(2)]))
    await run.store.add_feed(run.server.url("/fast.xml"), 0.3)
    await run.store.add_feed(run.server.url("/slow.xml"), 60.0)
    await run.connector.sync()
    await asyncio.sleep(1.6)
    fast, slow = len(run.server.requests_to("/fast.xml")), len(run.server.requests_to("/slow.xml"))
    assert fast >= 3 and slow == 1
    later = run.server.requests_to("/fast.xml")[-1]
    assert "if-none-match" in later  # the repeats were conditional (answered 304)


async def test_a_new_entry_on_a_later_poll_reaches_ingest_once(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make()
    run.server.feed("/trade.xml", rss20([item(1, STEEL)]))
    url = run.server.url("/trade.xml")
    await run.store.add_feed(url, 0.3)
    await run.connector.sync()

    async def first_poll() -> bool:
        return await last_success(run.store, url) is not None

    await until(first_poll)
    assert run.articles == []  # the first poll only recorded
    fresh = item(2, GRAIN)
    run.server.feed("/trade.xml", rss20([fresh, item(1, STEEL)]))

    async def ingested() -> bool:
        return len(run.articles) == 1

    await until(ingested)
    await asyncio.sleep(1.0)  # several more polls
    assert [a.title for a in run.articles] == [fresh.title]


async def test_one_hanging_feed_never_delays_the_others(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make(feeds_settings(total_timeout=6.0, read_timeout=6.0, per_host=2))
    run.server.hang("/hanging.xml", 30)
    run.server.feed("/good.xml", rss20([item(1)]))
    hanging, good = run.server.url("/hanging.xml"), run.server.url("/good.xml")
    await run.store.add_feed(hanging, 60.0)
    await asyncio.sleep(0)
    await run.store.add_feed(good, 60.0)
    await run.connector.sync()

    async def good_polled() -> bool:
        return await last_success(run.store, good) is not None

    await until(good_polled, 5.0)
    assert run.server.in_flight == 1  # polled while the hanging feed still waits (6 s) for its answer

    async def hanging_failed() -> bool:
        return any(f.url == hanging and f.failures == 1 for f in await run.store.feeds())

    await until(hanging_failed, 12.0)
    feed = next(f for f in await run.store.feeds() if f.url == hanging)
    assert feed.last_error is not None and "timed out" in feed.last_error


async def test_a_removed_feed_is_no_longer_polled(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make()
    run.server.feed("/trade.xml", rss20([item(1)]))
    url = run.server.url("/trade.xml")
    await run.commands.execute(ADMIN, f"feeds add {url} --every 0.3s")

    async def polled_twice() -> bool:
        return len(run.server.requests_to("/trade.xml")) >= 2

    await until(polled_twice)
    answer = await run.commands.execute(ADMIN, f"feeds remove {url}")
    assert answer.title == "Feed removed"
    await asyncio.sleep(0.2)  # a poll already under way may finish
    count = len(run.server.requests_to("/trade.xml"))
    await asyncio.sleep(1.0)
    assert len(run.server.requests_to("/trade.xml")) == count


async def test_a_disabled_feed_stops_being_polled(make: Callable[..., Awaitable[Running]]) -> None:
    run = await make(feeds_settings(max_failures=2, backoff_max=0.2))
    run.server.status("/gone.xml", 410)
    url = run.server.url("/gone.xml")
    await run.store.add_feed(url, 0.1)
    await run.connector.sync()

    async def disabled() -> bool:
        return any(f.url == url and f.disabled for f in await run.store.feeds())

    await until(disabled)
    await asyncio.sleep(0.8)
    assert len(run.server.requests_to("/gone.xml")) == 2
    listing = await run.commands.execute(ADMIN, "feeds list")
    row = listing.sections[0].table.rows[0]  # type: ignore[union-attr]
    assert row[3] == "disabled after 2 failures" and "HTTP 410" in row[5] and row[6] == "-"


async def test_a_feed_made_due_again_from_chat_is_polled_at_once(make: Callable[..., Awaitable[Running]]) -> None:
    """The loop sleeps until the soonest next poll (an hour away here); adding the feed again
    from chat makes it due now and wakes the loop, no periodic sync needed."""
    server = await FeedServer().start()
    server.feed("/trade.xml", rss20([item(1)]))
    listed = FeedSettings(url=server.url("/trade.xml"), every=3600.0)
    run = await make(feeds_settings(feed=(listed,), sync_seconds=3600.0), server)

    async def polled(times: int) -> bool:
        return len(server.requests_to("/trade.xml")) >= times

    await until(lambda: polled(1))
    await asyncio.sleep(0.5)
    assert len(server.requests_to("/trade.xml")) == 1  # not due again for an hour
    answer = await run.commands.execute(ADMIN, f"feeds add {listed.url} --every 1h")
    assert answer.kind == "reply", answer
    await until(lambda: polled(2), 10.0)


async def test_feeds_due_beyond_the_room_of_one_claim_are_all_polled(make: Callable[..., Awaitable[Running]]) -> None:
    """More feeds due at once than an instance has in hand: they are claimed batch after
    batch as polls finish, each polled once."""
    run = await make(feeds_settings(max_connections=4, per_host=4, sync_seconds=3600.0))
    for n in range(40):
        run.server.feed(f"/f{n}.xml", rss20([item(n)]), delay=0.05)
        await run.store.add_feed(run.server.url(f"/f{n}.xml"), 3600.0)
    await run.connector.sync()

    async def all_polled() -> bool:
        return sum(1 for f in await run.store.feeds() if f.last_success is not None) == 40

    await until(all_polled, 30.0)
    assert sorted(len(run.server.requests_to(f"/f{n}.xml")) for n in range(40)) == [1] * 40
    assert run.server.most_in_flight <= 4  # feeds.max_connections
