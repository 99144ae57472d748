"""`feeds list|add|remove` and `summary <url>` through the command layer, on a real store,
with a real local web server for the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import FeedsSettings
from bot.core.commands import Commands, Context
from bot.core.feed_commands import parse_feed_command
from bot.domain import Analysis, Article
from bot.sources.page_fetch import WebPages
from bot.store import SqlStore
from tests.sources.feed_server import FeedServer, html_page
from tests.sources.feed_stories import GRAIN, stand_in_analysis

ADMIN = Context("slack:C1", user="U-admin", can_manage=True)
MEMBER = Context("slack:C1", user="U-member", can_manage=False)
URL = "https://desk.example/trade.xml"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    s = await FeedServer().start()
    yield s
    await s.close()


def test_parsing_the_feeds_command() -> None:
    assert parse_feed_command([]).action == "list"
    cmd = parse_feed_command(["add", "<https://desk.example/f.xml>", "--every", "15m", "--backfill"])
    assert (cmd.action, cmd.url, cmd.every_seconds, cmd.backfill) == ("add", "https://desk.example/f.xml", 900, True)
    assert parse_feed_command(["add", URL, "--every=2h"]).every_seconds == 7200
    assert parse_feed_command(["remove", "2"]).url == "2"
    assert parse_feed_command(["remove", f"<{URL}|desk>"]).url == URL  # as Slack writes a link
    for bad, words in ((["add"], "which feed"), (["add", "ftp://x"], "http:// or https://"),
                       (["add", URL, "--every", "soon"], "--every"), (["add", URL, "--fast"], "--fast"),
                       (["fetch", URL], "unknown feeds action"), (["remove"], "which feed")):
        with pytest.raises(ValueError, match=words):
            parse_feed_command(bad)


async def test_add_list_and_remove_feeds(store: SqlStore) -> None:
    commands = Commands(store, stand_in_analysis)
    added = await commands.execute(ADMIN, f"feeds add {URL} --every 15m")
    assert added.kind == "reply" and "every 15 min" in added.text and "without alerting" in added.text
    feed = (await store.feeds())[0]
    assert feed.every_seconds == 900 and feed.added_by == "U-admin" and not feed.backfill

    # a failed poll shows in the list: last success, last error, next poll
    now = datetime.now(UTC)
    await store.save_feed_poll(replace(feed, last_success=now - timedelta(hours=1), failures=1,
                                       last_error="HTTP 503 from https://desk.example/trade.xml",
                                       next_poll=now + timedelta(minutes=30)))
    listing = await commands.execute(ADMIN, "feeds list")
    assert listing.kind == "reply" and listing.text == "1 feed(s), 1 failing or disabled"
    table = listing.sections[0].table
    assert table is not None
    assert table.header == ("#", "feed", "interval", "state", "last success", "last error", "next poll")
    assert table.rows[0][:4] == ("1", URL, "every 15 min", "failing (1 in a row)")
    assert table.rows[0][4].endswith("(1 h ago)") and table.rows[0][5].startswith("HTTP 503")
    assert table.rows[0][6].endswith("(in 30 min)")

    again = await commands.execute(ADMIN, f"feeds add {URL} --every 20m")
    assert again.title == "Feed updated" and "enabled again" in again.text
    removed = await commands.execute(ADMIN, "feeds remove 1")
    assert removed.title == "Feed removed" and URL in removed.text
    assert await store.feeds() == []
    gone = await commands.execute(ADMIN, f"feeds remove {URL}")
    assert gone.kind == "error" and "No feed" in gone.text


async def test_feeds_need_the_manage_permission(store: SqlStore) -> None:
    commands = Commands(store, stand_in_analysis)
    for line in ("feeds list", f"feeds add {URL}", f"feeds remove {URL}"):
        answer = await commands.execute(MEMBER, line)
        assert answer.kind == "error" and answer.ephemeral and "manage permission" in answer.text
    assert await store.feeds() == []


async def test_an_interval_below_the_minimum_is_refused(store: SqlStore) -> None:
    commands = Commands(store, stand_in_analysis, feeds=FeedsSettings(min_every=300))
    answer = await commands.execute(ADMIN, f"feeds add {URL} --every 1m")
    assert answer.kind == "error" and "at least 5 min" in answer.text
    assert await store.feeds() == []


async def test_backfill_is_said_back(store: SqlStore) -> None:
    answer = await Commands(store, stand_in_analysis).execute(ADMIN, f"feeds add {URL} --backfill")
    assert "alerts what it already carries" in answer.text and (await store.feeds())[0].backfill


async def test_summary_of_a_loopback_url_is_refused_unless_allowed(store: SqlStore, server: FeedServer) -> None:
    server.page("/news/wheat", html_page("Sylvania caps wheat exports", GRAIN))
    url = server.url("/news/wheat")
    refused = await Commands(store, stand_in_analysis, pages=WebPages(FeedsSettings())).execute(
        ADMIN, f"summary {url}")
    assert refused.kind == "error" and "will not fetch" in refused.text
    assert "loopback" in refused.text and "allow_private_addresses" in refused.text
    assert server.requests == []  # refused before any request

    seen: list[Article] = []

    async def analyse(article: Article) -> Analysis:
        seen.append(article)
        return await stand_in_analysis(article)

    allowed = Commands(store, analyse, pages=WebPages(FeedsSettings(allow_private_addresses=True)))
    card = await allowed.execute(ADMIN, f"summary {url}")
    assert card.kind == "reply" and card.title == "Sylvania caps wheat exports"
    assert seen[0].body.startswith("Sylvania said on Tuesday it would cap wheat exports")
    assert seen[0].url == url and "newsletter" not in seen[0].body


async def test_summary_of_other_schemes_and_unreadable_pages(store: SqlStore, server: FeedServer) -> None:
    commands = Commands(store, stand_in_analysis, pages=WebPages(FeedsSettings(allow_private_addresses=True)))
    ftp = await commands.execute(ADMIN, "summary ftp://files.example/story.txt")
    assert ftp.kind == "error" and "only http and https" in ftp.text
    missing = await commands.execute(ADMIN, f"summary {server.url('/nowhere')}")
    assert missing.kind == "error" and "HTTP 404" in missing.text
    server.feed("/data.json", b'{"a": 1}', "application/json", validators=False)
    data = await commands.execute(ADMIN, f"summary {server.url('/data.json')}")
    assert data.kind == "error" and "not a web page" in data.text


async def test_summary_of_a_stored_articles_url_needs_no_fetch(store: SqlStore) -> None:
    article = Article("feed-1", "Freedonia raises steel duty", "Freedonia raised its steel duty.",
                      url="https://desk.example/news/1", source="https://desk.example/news/1")
    await store.add_article(article, "fp-1")
    await store.save_analysis(await stand_in_analysis(article))
    card = await Commands(store, stand_in_analysis, pages=WebPages(FeedsSettings())).execute(
        ADMIN, "summary https://desk.example/news/1?utm_source=slack")
    assert card.kind == "reply" and card.title == "Freedonia raises steel duty"


async def test_the_feeds_source_given_at_construction_hears_of_each_change(store: SqlStore) -> None:
    told: list[int] = []

    async def feeds_changed() -> None:
        told.append(len(await store.feeds()))
        if len(told) == 2:
            raise ConnectionError("the poller is busy")

    commands = Commands(store, stand_in_analysis, feeds_changed=feeds_changed)
    assert (await commands.execute(ADMIN, f"feeds add {URL}")).title == "Feed added"
    assert (await commands.execute(ADMIN, "feeds add https://desk.example/two.xml")).title == "Feed added"
    assert (await commands.execute(ADMIN, f"feeds remove {URL}")).title == "Feed removed"
    assert told == [1, 2, 1]  # after each change is stored; a failing listener is only logged
    await commands.execute(ADMIN, "feeds list")
    assert told == [1, 2, 1]


async def test_without_the_web_a_url_is_not_fetched(store: SqlStore, server: FeedServer) -> None:
    server.page("/news/wheat", html_page("Sylvania caps wheat exports", GRAIN))
    answer = await Commands(store, stand_in_analysis).execute(ADMIN, f"summary {server.url('/news/wheat')}")
    assert answer.kind == "error" and "Web pages are not read here" in answer.text
    assert server.requests == []
