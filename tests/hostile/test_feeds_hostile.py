"""Hostile feeds and hostile servers (issue 12, points 6 to 10), over real HTTP on loopback
into the real store through the service's real ingest step (with a stand-in analysis).

Each test is a promise of the README that a feed or a publisher's server once broke: one
bad entry or date does not cost the feed, stories sharing a link are not lost, a new feed's
first poll posts nothing, a server's Retry-After is obeyed, slow feeds do not hold up the
others of their host, and a loopback feed is refused when it is added.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.cli import main
from bot.config import FeedSettings, FeedsSettings, Settings, StoreSettings
from bot.core.commands import Commands, Context
from bot.core.connector import Runtime
from bot.core.source import Discovered
from bot.domain import Analysis, Article, Feed, Subscription
from bot.service.ingest import Ingest
from bot.sources.feed_policy import Timing
from bot.sources.feed_poll import FeedPoller, PollOutcome, PollRules
from bot.sources.feed_writer import MAX_BATCH
from bot.sources.feeds import FeedsConnector
from bot.sources.http_fetch import Http, Limits, Refused, check_public_url, user_agent
from bot.store import SqlStore, fingerprint, open_store
from bot.store.engine import async_url, create_engine
from tests.sources.feed_server import FeedServer, Item, rss20
from tests.sources.feed_stories import FESTIVAL, GRAIN, STEEL, item, stand_in_analysis

EVERY = 600.0
LIMITS = Limits(allow_private_addresses=True, total_timeout=3.0, read_timeout=2.0)
CHANNEL = "console:default"
ADMIN = Context("slack:C1", user="U-admin", can_manage=True)


@dataclass
class Env:
    store: SqlStore
    server: FeedServer
    poller: FeedPoller
    ingested: list[Article]

    async def add(self, path: str, *, backfill: bool = False) -> Feed:
        feed, _ = await self.store.add_feed(self.server.url(path), EVERY, backfill=backfill)
        return feed

    async def poll(self, feed: Feed) -> PollOutcome:
        current = await self.store.get_feed(feed.id)
        assert current is not None
        return await self.poller.poll(current)

    async def alerts(self) -> int:
        return len(await self.store.deliveries(channel=CHANNEL))


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    store = open_store(None, tmp_path)
    await store.migrate()
    await store.subscribe(Subscription(CHANNEL))
    server = await FeedServer().start()
    ingested: list[Article] = []

    async def analyse(article: Article, priority: int) -> Analysis:
        ingested.append(article)
        return await stand_in_analysis(article, priority)

    ingest = Ingest(store, analyse, fingerprint, lambda: None)
    http = Http(LIMITS, user_agent("https://ops.example"))
    poller = FeedPoller(store, http, ingest.article, PollRules(Timing(0.1, 5, 86400.0), False, 40),  # type: ignore[arg-type]
                        clock=lambda: datetime.now(UTC), rng=random.Random(7))
    try:
        yield Env(store, server, poller, ingested)
    finally:
        await http.close()
        await server.close()
        await store.close()


def rss_items(*items: str) -> bytes:
    """An RSS 2.0 document around hand-written <item> elements (to write what `rss20` would
    escape: a bare `&`, a date that is no date)."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Desk</title>'
            "<link>https://desk.example/</link><description>Trade news</description>"
            f"{''.join(items)}</channel></rss>").encode()


def raw_item(n: int, text: str, *, link: str | None = None, date: str | None = None) -> str:
    return (f"<item><title>Story {n}</title><link>{link or f'https://desk.example/news/{n}'}</link>"
            f'<guid isPermaLink="false">urn:desk:{n}</guid>'
            + (f"<pubDate>{date}</pubDate>" if date else "")
            + f"<description>{text}</description></item>")


# ---------------------------------------------------------------- 6. read what can be read


async def test_dates_that_are_no_dates_do_not_fail_the_feed(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.server.feed("/dates.xml", rss_items(
        raw_item(1, STEEL, date="0000-00-00 00:00:00"),
        raw_item(2, GRAIN, date="Sat, 01 Jan 10000 00:00:00 GMT"),
        raw_item(3, FESTIVAL, date="Mon, 02 Jun 2025 08:00:00 GMT")))
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        outcome = await env.poll(await env.add("/dates.xml", backfill=True))
    assert (outcome.outcome, outcome.ingested) == ("read", 3), outcome.error
    dated = {a.title: a.published for a in env.ingested}  # (ingested concurrently: in no set order)
    assert sorted(dated) == ["Story 1", "Story 2", "Story 3"] and str(dated["Story 3"]) == "2025-06-02"
    assert "'0000-00-00 00:00:00' not understood" in caplog.text
    assert "10000" in caplog.text and "read as undated" in caplog.text


async def test_a_bare_ampersand_in_a_link_does_not_reject_the_feed(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.server.feed("/amp.xml", rss_items(
        raw_item(1, STEEL, link="https://desk.example/news?id=1&page=2"),
        raw_item(2, GRAIN)))
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        outcome = await env.poll(await env.add("/amp.xml", backfill=True))
    assert (outcome.outcome, outcome.ingested) == ("read", 2), outcome.error
    assert env.ingested[0].url == "https://desk.example/news?id=1&page=2"
    assert "read leniently" in caplog.text


async def test_a_truncated_feed_is_still_refused(env: Env) -> None:
    whole = rss_items(raw_item(1, STEEL, link="https://desk.example/news?id=1&page=2"), raw_item(2, GRAIN))
    env.server.feed("/cut.xml", whole[: whole.index(b"<item>", 100) + 40])
    outcome = await env.poll(await env.add("/cut.xml", backfill=True))
    assert outcome.outcome == "failed" and "not well-formed XML" in (outcome.error or "")
    assert env.ingested == []


async def test_an_entry_that_cannot_be_read_is_a_logged_skip(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.server.feed("/bad-entry.xml", rss_items(raw_item(1, STEEL, link="http://[desk.example/news/1"),
                                                raw_item(2, GRAIN)))
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        outcome = await env.poll(await env.add("/bad-entry.xml", backfill=True))
    assert (outcome.outcome, outcome.ingested) == ("read", 1), outcome.error
    assert [a.title for a in env.ingested] == ["Story 2"]
    assert "entry 1 (urn:desk:1) skipped" in caplog.text


# ---------------------------------------------------------------- 7. stories sharing a link


async def test_entries_with_their_own_ids_and_one_link_are_each_a_story(
        env: Env, caplog: pytest.LogCaptureFixture) -> None:
    index = "https://desk.example/press-releases"
    steel = Item("urn:pr:1", "Freedonia raises its steel duty", index, STEEL)
    env.server.feed("/pr.xml", rss20([steel]))
    feed = await env.add("/pr.xml")
    assert (await env.poll(feed)).recorded == 1  # the first poll records
    grain = Item("urn:pr:2", "Sylvania caps wheat exports", index, GRAIN)
    festival = Item("urn:pr:3", "Port Amble opens its festival", index, FESTIVAL)
    env.server.feed("/pr.xml", rss20([festival, grain, steel]))
    second = await env.poll(feed)
    assert (second.outcome, second.ingested) == ("read", 2)
    assert sorted(a.title for a in env.ingested) == sorted([festival.title, grain.title])
    assert len({a.id for a in env.ingested}) == 2 and await env.alerts() == 2
    assert {(await env.store.get_article(a.id)).body for a in env.ingested} == {GRAIN, FESTIVAL}  # type: ignore[union-attr]

    # a feed that renews its ids on every build: the same story under a new id is a logged repeat
    renewed = Item("urn:build-2:2", grain.title, index, GRAIN)
    env.server.feed("/pr.xml", rss20([renewed, festival, steel]))
    with caplog.at_level(logging.INFO, logger="bot.sources"):
        third = await env.poll(feed)
    assert (third.outcome, third.ingested) == ("read", 0) and await env.alerts() == 2
    assert "entry urn:build-2:2 repeats the story already seen" in caplog.text


# ---------------------------------------------------------------- 8. the first poll posts nothing


async def test_a_new_feeds_first_poll_posts_nothing_even_an_entry_dated_in_the_future(env: Env) -> None:
    ahead = datetime.now(UTC) + timedelta(hours=5)  # a publisher's local time labelled GMT
    env.server.feed("/ahead.xml", rss20([item(1, STEEL, published=ahead), item(2, GRAIN)]))
    feed = await env.add("/ahead.xml")
    first = await env.poll(feed)
    assert (first.outcome, first.ingested, first.recorded) == ("read", 0, 2)
    assert env.ingested == [] and await env.alerts() == 0
    # what comes after the first poll is news, whatever its date
    env.server.feed("/ahead.xml", rss20([item(3, FESTIVAL, published=ahead), item(1, STEEL, published=ahead),
                                         item(2, GRAIN)]))
    second = await env.poll(feed)
    assert second.ingested == 1 and [a.title for a in env.ingested] == [item(3, FESTIVAL).title]


# ---------------------------------------------------------------- 10. refused when added


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/trade.xml", "http://localhost:{port}/trade.xml",
                                 "http://[::1]:{port}/trade.xml", "http://169.254.169.254/latest/meta-data",
                                 "http://10.0.0.8/feed.xml", "http://[::ffff:127.0.0.1]:{port}/trade.xml"])
async def test_feeds_add_refuses_a_non_public_address(env: Env, url: str) -> None:
    env.server.feed("/trade.xml", rss20([item(1)]))
    url = url.format(port=env.server.port)
    answer = await Commands(env.store, stand_in_analysis).execute(ADMIN, f"feeds add {url}")
    assert answer.kind == "error" and "I will not read that feed" in answer.text, answer
    assert "allow_private_addresses is off" in answer.text
    assert await env.store.feeds() == [] and env.server.requests == []


async def test_feeds_add_accepts_a_loopback_feed_when_private_addresses_are_allowed(env: Env) -> None:
    allowed = Commands(env.store, stand_in_analysis, feeds=FeedsSettings(allow_private_addresses=True))
    answer = await allowed.execute(ADMIN, f"feeds add {env.server.url('/trade.xml')}")
    assert answer.kind == "reply" and answer.title == "Feed added"
    assert [f.url for f in await env.store.feeds()] == [env.server.url("/trade.xml")]


def test_the_command_line_refuses_a_loopback_feed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tradewatch.toml"
    config.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n')
    assert main(["feeds", "add", "http://127.0.0.1/trade.xml", "--config", str(config)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "127.0.0.1 is a loopback address" in err and "allow_private_addresses" in err
    assert main(["feeds", "list", "--config", str(config)]) == 0
    assert "No feeds yet" in capsys.readouterr().out


async def test_a_name_is_checked_after_resolution() -> None:
    names = {"intranet.desk.example": ["93.184.216.34", "10.1.2.3"], "desk.example": ["93.184.216.34"]}

    async def resolve(host: str) -> list[str]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return names[host]

    with pytest.raises(Refused, match=r"intranet\.desk\.example resolves to 10\.1\.2\.3 is a private address"):
        await check_public_url("https://intranet.desk.example/feed.xml", False, resolve)
    assert await check_public_url("https://desk.example/feed.xml", False, resolve) is None
    assert await check_public_url("https://intranet.desk.example/feed.xml", True, resolve) is None
    note = await check_public_url("https://typo.desk.example/feed.xml", False, resolve)
    assert note is not None and "does not resolve now" in note and "each poll checks it again" in note


# ---------------------------------------------------------------- 9. servers that push back, slow hosts


@dataclass
class Running:
    connector: FeedsConnector
    store: SqlStore
    server: FeedServer


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    """The feeds connector on the real scheduler and store, against the local server."""
    made: list[tuple[FeedsConnector, AsyncIOScheduler, SqlStore, FeedServer]] = []

    async def run(settings: FeedsSettings, *, server: FeedServer | None = None,
                  store: SqlStore | None = None) -> Running:
        store = store or open_store(None, tmp_path)
        await store.migrate()
        server = server or await FeedServer().start()

        async def ingest(article: Article, priority: int) -> Analysis | None:
            return await stand_in_analysis(article)

        scheduler = AsyncIOScheduler()
        commands = Commands(store, stand_in_analysis)
        async def ingest_file(found: Discovered, priority: int) -> None:
            raise AssertionError("no files in these tests")

        runtime = Runtime(Settings(store=StoreSettings(data_dir=tmp_path), feeds=settings), store, commands,
                          scheduler, ingest, lambda: None, ingest_file)
        connector = FeedsConnector(settings)
        made.append((connector, scheduler, store, server))
        await connector.start(runtime)
        scheduler.start()
        return Running(connector, store, server)

    yield run
    for connector, scheduler, store, server in made:
        scheduler.shutdown(wait=False)
        await connector.stop()
        await server.close()
        await store.close()


def connector_settings(**changes: object) -> FeedsSettings:
    base = {"allow_private_addresses": True, "every": 600.0, "min_every": 0.1, "sync_seconds": 0.05,
            "total_timeout": 6.0, "read_timeout": 6.0, "jitter": 0.0}
    return FeedsSettings(**{**base, **changes})  # type: ignore[arg-type]


async def until(check: Callable[[], Awaitable[bool]], guard: float = 30.0) -> None:
    """Wait for `check` (a generous guard against hanging, not a measure of speed)."""
    async with asyncio.timeout(guard):
        while not await check():
            await asyncio.sleep(0.02)


class LateListing(SqlStore):
    """The real store, whose feed listing can arrive late: read, then handed over only once
    `hold` says so (as on a loaded database, where polls land while the sync's read is on
    its way back)."""

    hold: Callable[[], Awaitable[bool]] | None = None

    async def feeds(self) -> list[Feed]:
        listed = await super().feeds()
        if self.hold is not None:
            await until(self.hold)
        return listed


async def test_a_sync_reading_the_list_while_a_batch_of_polls_lands_fetches_no_feed_twice(
        tmp_path: Path, start: Callable[..., Awaitable[Running]]) -> None:
    store = LateListing(create_engine(async_url(None, tmp_path)))
    server = await FeedServer().start()
    count = MAX_BATCH  # one poll-writer batch
    for n in range(count):
        server.feed(f"/f{n}.xml", rss20([item(n)]), delay=0.3)  # the cycle is under way when the sync reads
    run = await start(connector_settings(per_host=64, sync_seconds=3600.0), server=server, store=store)
    for n in range(count):
        await store.add_feed(server.url(f"/f{n}.xml"), 600.0)
    await run.connector.sync()  # every feed due now: the cycle starts

    async def all_polled() -> bool:
        return run.connector.polls >= count

    store.hold = all_polled  # the next sync's list is read now, and arrives after the whole cycle
    await run.connector.sync()
    store.hold = None

    async def saved() -> bool:
        return sum(1 for f in await store.feeds() if f.last_success is not None) == count

    await until(saved)
    await run.connector.sync()
    await asyncio.sleep(0.5)  # a feed wrongly due again would be asked at once (its job is due now)
    asked = Counter(r.path for r in server.requests)
    assert len(asked) == count and max(asked.values()) == 1, asked.most_common(3)


@pytest.mark.parametrize("code", [429, 503])
async def test_a_servers_retry_after_is_obeyed(env: Env, code: int, caplog: pytest.LogCaptureFixture) -> None:
    env.server.status("/busy.xml", code, {"Retry-After": "3600"})
    env.server.status("/dated.xml", code, {"Retry-After": format_datetime(datetime.now(UTC) + timedelta(hours=3),
                                                                          usegmt=True)})
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        busy = await env.poll(await env.add("/busy.xml"))
        dated = await env.poll(await env.add("/dated.xml"))
    for outcome, hours in ((busy, 1), (dated, 3)):
        state = outcome.feed
        assert outcome.outcome == "failed" and state.next_poll is not None and state.last_polled is not None
        wait = (state.next_poll - state.last_polled).total_seconds()
        assert wait >= hours * 3600 - 5  # not the backoff of 2 x 10 min
    assert f"HTTP {code}" in caplog.text and "Retry-After: 1 h" in caplog.text and "next try in 1 h" in caplog.text
    stored = await env.store.get_feed(busy.feed.id)
    assert stored is not None and stored.last_error is not None and "Retry-After: 1 h" in stored.last_error


async def test_two_slow_feeds_holding_the_hosts_places_do_not_hold_up_its_other_feeds(
        start: Callable[..., Awaitable[Running]]) -> None:
    run = await start(connector_settings(per_host=2, slow_after=0.2, sync_seconds=3600.0))
    for name in ("slow-a", "slow-b"):
        run.server.hang(f"/{name}.xml", 30)  # answers only after the 6 s time limit
        await run.store.add_feed(run.server.url(f"/{name}.xml"), 600.0)
    await run.connector.sync()

    async def both_hanging() -> bool:
        return run.server.in_flight == 2

    await until(both_hanging)  # the two slow feeds hold both places of the host
    run.server.feed("/good.xml", rss20([item(1)]))
    good = run.server.url("/good.xml")
    await run.store.add_feed(good, 600.0)
    await run.connector.sync()

    async def good_polled() -> bool:
        return any(f.url == good and f.last_success is not None for f in await run.store.feeds())

    await until(good_polled)
    # read while both slow feeds still wait for their answers: not after their time limit
    assert run.server.in_flight == 2
    slow = [f for f in await run.store.feeds() if f.url != good]
    assert [(f.failures, f.last_polled) for f in slow] == [(0, None), (0, None)]


class FlakyStore(SqlStore):
    """The real store, whose first claim of due feeds fails (a database hiccup)."""

    failures = 1

    async def claim_due_feeds(self, instance: str, limit: int, lease: timedelta, *,
                              exclude: Collection[int] = ()) -> list[Feed]:
        if self.failures:
            self.failures -= 1
            raise OSError("the database went away for a moment")
        return await super().claim_due_feeds(instance, limit, lease, exclude=exclude)


async def test_a_feed_whose_claim_the_store_failed_is_claimed_again(
        tmp_path: Path, start: Callable[..., Awaitable[Running]], caplog: pytest.LogCaptureFixture) -> None:
    store = FlakyStore(create_engine(async_url(None, tmp_path)))
    await store.migrate()
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        server = await FeedServer().start()
        server.feed("/trade.xml", rss20([item(1)]))
        url = server.url("/trade.xml")
        await store.add_feed(url, 600.0)
        await start(connector_settings(every=0.2, sync_seconds=3600.0), server=server, store=store)

        async def polled() -> bool:
            return any(f.url == url and f.last_success is not None for f in await store.feeds())

        await until(polled)  # no periodic sync: the loop asked again after the failure
    assert "could not claim due feeds (OSError: the database went away" in caplog.text and store.failures == 0


async def test_a_loopback_feed_in_the_configuration_is_not_added(
        start: Callable[..., Awaitable[Running]], caplog: pytest.LogCaptureFixture) -> None:
    listed = FeedSettings(url="http://127.0.0.1:9/trade.xml")
    with caplog.at_level(logging.ERROR, logger="bot.sources"):
        run = await start(connector_settings(allow_private_addresses=False, feed=(listed,)))
    assert await run.store.feeds() == []
    assert "feed http://127.0.0.1:9/trade.xml of the configuration is not added" in caplog.text
    assert "127.0.0.1 is a loopback address" in caplog.text
