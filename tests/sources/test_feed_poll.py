"""One poll of a feed over real HTTP, into the real store through the service's real ingest
step (with a stand-in analysis): entries appear once, 304s cost no parsing, syndicated
copies are one article, and every kind of broken feed ends in a logged error and backoff."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import Analysis, Article, Feed, Subscription
from bot.service.ingest import Ingest
from bot.sources import feed_poll
from bot.sources.feed_policy import Timing
from bot.sources.feed_poll import FeedPoller, PollRules
from bot.sources.http_fetch import Http, Limits, user_agent
from bot.store import SqlStore, fingerprint, open_store
from tests.sources.feed_server import FeedServer, Item, atom, html_page, rss10, rss20
from tests.sources.feed_stories import FESTIVAL, GRAIN, STEEL, item, stand_in_analysis

EVERY = 600.0
LIMITS = Limits(allow_private_addresses=True, total_timeout=1.5, read_timeout=1.0, max_bytes=2_000_000)
CHANNEL = "console:default"


@dataclass
class Env:
    store: SqlStore
    server: FeedServer
    poller: FeedPoller
    ingested: list[Article]

    async def add(self, path: str, *, backfill: bool = False) -> Feed:
        feed, _ = await self.store.add_feed(self.server.url(path), EVERY, backfill=backfill)
        return feed

    async def poll(self, feed: Feed) -> feed_poll.PollOutcome:
        current = await self.store.get_feed(feed.id)
        assert current is not None
        return await self.poller.poll(current)

    async def alerts(self) -> int:
        return len(await self.store.deliveries(channel=CHANNEL))


def make_poller(store: SqlStore, http: Http, ingest: Callable[[Article, int], object],
                max_failures: int = 5) -> FeedPoller:
    return FeedPoller(store, http, ingest, PollRules(Timing(0.1, max_failures, 86400.0), True, 40),  # type: ignore[arg-type]
                      clock=lambda: datetime.now(UTC), rng=random.Random(7))


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
    try:
        yield Env(store, server, make_poller(store, http, ingest.article), ingested)
    finally:
        await http.close()
        await server.close()
        await store.close()


async def test_first_poll_records_then_each_new_entry_is_alerted_once(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []
    real_parse = feed_poll.parse_feed
    monkeypatch.setattr(feed_poll, "parse_feed", lambda *a: parses.append(a[2]) or real_parse(*a))
    items = [item(1, STEEL), item(2, GRAIN), item(3, FESTIVAL)]
    env.server.feed("/trade.xml", rss20(items))
    feed = await env.add("/trade.xml")

    first = await env.poll(feed)
    assert (first.outcome, first.ingested, first.recorded) == ("read", 0, 3)
    assert await env.store.count_articles() == 0 and await env.alerts() == 0  # old news: not posted

    second = await env.poll(feed)  # nothing changed
    assert second.outcome == "not modified" and len(parses) == 1  # the 304 was not parsed
    conditional = env.server.requests_to("/trade.xml")[1]
    assert conditional["if-none-match"] == first.feed.etag
    assert conditional["if-modified-since"] == "Mon, 02 Jun 2025 08:00:00 GMT"

    fresh = item(4, GRAIN.replace("four million", "five million"), published=datetime.now(UTC))
    env.server.feed("/trade.xml", rss20([fresh, *items]))
    third = await env.poll(feed)
    assert (third.outcome, third.ingested, third.recorded) == ("read", 1, 0)
    assert [a.title for a in env.ingested] == [fresh.title]
    assert await env.alerts() == 1

    # the same entry again: a changed date and a tracking query string make it no new story
    again = replace(fresh, link=fresh.link + "?utm_source=rss&utm_medium=feed",
                    published=fresh.published + timedelta(hours=2))  # type: ignore[operator]
    env.server.feed("/trade.xml", rss20([again, *items]))
    fourth = await env.poll(feed)
    assert (fourth.outcome, fourth.ingested) == ("read", 0)
    assert len(env.ingested) == 1 and await env.alerts() == 1
    assert (await env.poll(feed)).outcome == "not modified"


async def test_a_feed_added_with_backfill_alerts_what_it_carries(env: Env) -> None:
    env.server.feed("/trade.xml", rss20([item(1, STEEL), item(2, GRAIN)]))
    outcome = await env.poll(await env.add("/trade.xml", backfill=True))
    assert (outcome.ingested, outcome.recorded) == (2, 0)
    assert await env.store.count_articles() == 2 and await env.alerts() == 2


async def test_the_first_poll_posts_nothing_even_entries_dated_after_the_feed_was_added(env: Env) -> None:
    feed = await env.add("/trade.xml")
    env.server.feed("/trade.xml", rss20([item(1, STEEL), item(2, GRAIN, published=feed.added_at + timedelta(seconds=5))]))
    outcome = await env.poll(feed)
    assert (outcome.ingested, outcome.recorded) == (0, 2)
    assert env.ingested == [] and await env.alerts() == 0


@pytest.mark.parametrize("build", [rss20, atom, rss10])
async def test_rss_2_atom_and_rss_1_become_the_same_articles(env: Env, build: Callable[[list[Item]], bytes]) -> None:
    published = datetime(2025, 6, 3, 22, 0, tzinfo=UTC)
    env.server.feed("/trade.xml", build([item(1, STEEL, published=published)]))
    outcome = await env.poll(await env.add("/trade.xml", backfill=True))
    assert outcome.ingested == 1
    article = env.ingested[0]
    assert article.title.startswith("Story 1: Freedonia will raise its import duty")
    assert article.url == "https://desk.example/news/1" and str(article.published) == "2025-06-03"
    assert article.body.splitlines()[1].startswith("Trade minister Rufus Firefly")
    stored = await env.store.get_article(article.id)
    assert stored is not None and stored.body == article.body


async def test_a_story_syndicated_by_two_feeds_is_one_article_with_two_sources(env: Env) -> None:
    ours = Item("a-1", "Freedonia lifts steel duty to 25 pct", "https://desk.example/steel", STEEL)
    theirs = Item("b-77", "Steel duty to rise, Freedonia says", "https://wire.example/2025/steel-duty", STEEL)
    env.server.feed("/ours.xml", rss20([ours]))
    env.server.feed("/theirs.xml", atom([theirs]))
    a = await env.poll(await env.add("/ours.xml", backfill=True))
    b = await env.poll(await env.add("/theirs.xml", backfill=True))
    assert a.ingested == b.ingested == 1
    assert await env.store.count_articles() == 1
    article_id = env.ingested[0].id
    assert await env.store.article_sources(article_id) == [ours.link, theirs.link]
    assert len(env.ingested) == 1  # the copy was not analysed again
    assert await env.alerts() == 1  # and the channel is alerted once


async def test_a_teaser_entry_is_replaced_by_the_main_text_of_its_page(env: Env) -> None:
    teaser = Item("t-1", "Sylvania caps wheat exports", env.server.url("/news/wheat"),
                  "Sylvania caps wheat exports for the season ...")
    env.server.feed("/trade.xml", rss20([teaser]))
    env.server.page("/news/wheat", html_page("Sylvania caps wheat exports", GRAIN))
    outcome = await env.poll(await env.add("/trade.xml", backfill=True))
    assert outcome.ingested == 1
    body = env.ingested[0].body
    assert body.startswith("Sylvania said on Tuesday it would cap wheat exports")
    assert "Agriculture minister Pedro Alvarez" in body
    assert "newsletter" not in body and "Markets" not in body  # the page's furniture is left out


async def test_a_teaser_whose_page_fails_keeps_the_teaser(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    teaser = Item("t-2", "Duty talks stall", env.server.url("/news/missing"), "Talks on the steel duty stalled ...")
    env.server.feed("/trade.xml", rss20([teaser]))
    with caplog.at_level(logging.INFO, logger="bot.sources"):
        outcome = await env.poll(await env.add("/trade.xml", backfill=True))
    assert outcome.ingested == 1 and env.ingested[0].body == "Talks on the steel duty stalled ..."
    assert "HTTP 404" in caplog.text


def _serve_broken(server: FeedServer, kind: str) -> None:
    if kind == "HTTP 500":
        server.status("/feed", 500)
    elif kind == "timed out":
        server.hang("/feed", 30)
    elif kind == "redirect loop":
        server.redirect("/feed", "/feed-b")
        server.redirect("/feed-b", "/feed")
    elif kind == "too large":
        server.huge("/feed", 20_000_000)
    elif kind == "not well-formed XML":
        server.feed("/feed", b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
                             b"<item><title>Steel</title></itm></channel>")
    elif kind == "not an RSS or Atom feed":  # UTF-16 bytes under a UTF-8 declaration: unreadable
        server.feed("/feed", rss20([item(1)]).decode("utf-8").encode("utf-16-le"))
    elif kind == "not a feed but a web page":
        server.feed("/feed", html_page("Desk home", FESTIVAL), "text/html; charset=utf-8")


@pytest.mark.parametrize("kind", ["HTTP 500", "timed out", "redirect loop", "too large",
                                  "not well-formed XML", "not an RSS or Atom feed",
                                  "not a feed but a web page"])
async def test_a_broken_feed_ends_in_a_logged_error_and_backoff(
        env: Env, kind: str, caplog: pytest.LogCaptureFixture) -> None:
    _serve_broken(env.server, kind)
    feed = await env.add("/feed")
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        started = datetime.now(UTC)
        outcome = await env.poll(feed)
    assert outcome.outcome == "failed" and outcome.error and kind in outcome.error
    stored = await env.store.get_feed(feed.id)
    assert stored is not None and stored.failures == 1 and not stored.disabled
    assert stored.last_error and kind in stored.last_error and stored.last_success is None
    # backoff: twice the interval (jittered), not the interval
    assert stored.next_poll is not None and stored.next_poll >= started + timedelta(seconds=2 * EVERY * 0.9)
    assert f"feed {feed.url}: " in caplog.text and kind in caplog.text and "failure 1 of 5" in caplog.text
    assert await env.store.count_articles() == 0


async def test_a_feed_is_disabled_after_max_failures(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = open_store(None, tmp_path)
    await store.migrate()
    server = await FeedServer().start()
    http = Http(LIMITS, user_agent("x"))
    try:
        server.status("/feed", 503)
        poller = make_poller(store, http, stand_in_analysis, max_failures=3)
        feed, _ = await store.add_feed(server.url("/feed"), EVERY)
        waits = []
        with caplog.at_level(logging.WARNING, logger="bot.sources"):
            for _ in range(3):
                current = await store.get_feed(feed.id)
                assert current is not None
                outcome = await poller.poll(current)
                assert outcome.feed.next_poll is not None and outcome.feed.last_polled is not None
                waits.append((outcome.feed.next_poll - outcome.feed.last_polled).total_seconds())
        assert waits[0] < waits[1] < waits[2]  # exponential
        final = await store.get_feed(feed.id)
        assert final is not None and final.disabled and final.failures == 3
        assert any(r.levelno == logging.ERROR and "disabled after 3 failures" in r.getMessage()
                   for r in caplog.records)
        again, _ = await store.add_feed(feed.url, EVERY)  # an admin adds it again: enabled
        assert not again.disabled and again.failures == 0
    finally:
        await http.close()
        await server.close()
        await store.close()


async def test_a_feed_in_latin_1_is_read(env: Env) -> None:
    env.server.feed("/latin.xml", rss20([Item("l-1", "Zölle auf Käse", "https://desk.example/k", STEEL)],
                                        encoding="iso-8859-1"))
    outcome = await env.poll(await env.add("/latin.xml", backfill=True))
    assert outcome.ingested == 1 and env.ingested[0].title == "Zölle auf Käse"


async def test_a_feed_misdeclaring_its_encoding_is_read_with_a_logged_warning(
        env: Env, caplog: pytest.LogCaptureFixture) -> None:
    doc = rss20([Item("l-2", "Zölle auf Käse", "https://desk.example/k2", STEEL)], encoding="iso-8859-1")
    env.server.feed("/mislabelled.xml", doc.replace(b'encoding="iso-8859-1"', b'encoding="utf-8"'))
    with caplog.at_level(logging.WARNING, logger="bot.sources"):
        outcome = await env.poll(await env.add("/mislabelled.xml", backfill=True))
    assert outcome.outcome == "read" and env.ingested[0].title == "Zölle auf Käse"
    assert "declared as utf-8" in caplog.text and "read leniently" in caplog.text


async def test_a_permanent_redirect_moves_the_stored_url_a_temporary_one_does_not(env: Env) -> None:
    env.server.feed("/new.xml", rss20([item(1)]))
    env.server.redirect("/old.xml", "/new.xml", 301)
    env.server.redirect("/today.xml", "/new.xml", 302)
    moved = await env.poll(await env.add("/old.xml"))
    temporary = await env.poll(await env.add("/today.xml"))
    assert moved.outcome == temporary.outcome == "read"
    urls = {f.id: f.url for f in await env.store.feeds()}
    assert urls[moved.feed.id] == env.server.url("/new.xml")
    assert urls[temporary.feed.id] == env.server.url("/today.xml")


async def test_an_entry_whose_ingest_failed_is_tried_again_at_the_next_poll(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    await store.migrate()
    server = await FeedServer().start()
    http = Http(LIMITS, user_agent("x"))
    calls: list[str] = []

    async def flaky(article: Article, priority: int) -> Analysis | None:
        calls.append(article.id)
        if len(calls) == 1:
            raise RuntimeError("the store went away for a moment")
        return await stand_in_analysis(article)

    try:
        server.feed("/trade.xml", rss20([item(1)]))
        poller = make_poller(store, http, flaky)
        feed, _ = await store.add_feed(server.url("/trade.xml"), EVERY, backfill=True)
        first = await poller.poll(feed)
        assert first.ingested == 0 and first.feed.etag is None  # validators dropped: read it all again
        second = await poller.poll(first.feed)
        assert second.outcome == "read" and second.ingested == 1 and calls == [calls[0], calls[0]]
    finally:
        await http.close()
        await server.close()
        await store.close()
