"""End to end: the running service reads feeds from a local web server and alerts the
console channel (issue 7).

The real service (analysis worker with spaCy, SQLite store, scheduler, dispatcher, the
feeds connector from the configuration's registry) runs in the test's event loop; feeds
are added from chat while it runs.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat.console import ConsoleSink
from bot.config import FeedsSettings, FolderSettings, Settings, StoreSettings, SubscriptionSettings
from bot.core.commands import Context
from bot.service.app import Service
from tests.sources.feed_server import FeedServer, Item, atom, rss20
from tests.sources.feed_stories import FESTIVAL, GRAIN, STEEL, item

pytestmark = pytest.mark.slow
ADMIN = Context("console:default", user="admin", can_manage=True)


async def until(check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


async def test_feeds_added_from_chat_alert_new_stories_once(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    server = await FeedServer().start()
    settings = Settings(
        store=StoreSettings(data_dir=tmp_path / "data"),
        folders=(FolderSettings(path=tmp_path / "news"),),
        subscriptions=(SubscriptionSettings(channel="console:default"),),
        feeds=FeedsSettings(allow_private_addresses=True, min_every=0.1, sync_seconds=0.5, jitter=0.0),
    )
    out = io.StringIO()
    service = Service(settings, sinks={"console": ConsoleSink(tmp_path / "data", stream=out)})
    await service.start()
    try:
        assert [c.name for c in service.connectors] == ["feeds", "folders"]
        store, commands = service.store, service.commands
        assert store is not None and commands is not None
        old = [item(1, GRAIN), item(2, FESTIVAL)]
        server.feed("/desk.xml", rss20(old))
        desk = server.url("/desk.xml")
        answer = await commands.execute(ADMIN, f"feeds add {desk} --every 0.5s")
        assert answer.kind == "reply", answer

        async def polled(url: str) -> bool:
            return any(f.url == url and f.last_success for f in await store.feeds())

        await until(lambda: polled(desk), 10)
        await asyncio.sleep(0.5)
        assert out.getvalue() == ""  # what the feed carried when it was added is not alerted

        steel = Item("urn:desk:3", "Freedonia to raise steel duty to 25 pct", "https://desk.example/news/steel",
                     STEEL, datetime.now(UTC))
        server.feed("/desk.xml", rss20([steel, *old]))

        async def alerted() -> bool:
            return "■" in out.getvalue()

        await until(alerted, 30)
        card = out.getvalue()
        assert "Freedonia to raise steel duty to 25 pct" in card and "Rufus Firefly" in card
        assert any("steel" in line and "10% → 25%" in line for line in card.splitlines()), card

        # a second feed syndicating the same story under its own link and headline
        wire = Item("wire-88", "Freedonia steel tariff to rise", "https://wire.example/steel-duty", STEEL,
                    datetime.now(UTC))
        server.feed("/wire.xml", atom([wire]))
        wire_url = server.url("/wire.xml")
        await commands.execute(ADMIN, f"feeds add {wire_url} --every 0.5s --backfill")

        async def two_sources() -> bool:
            found = await store.find_by_source("https://wire.example/steel-duty")
            return found is not None

        await until(two_sources, 15)
        article = await store.find_by_source("https://desk.example/news/steel")
        assert article is not None
        assert await store.article_sources(article.article.id) == ["https://desk.example/news/steel",
                                                                   "https://wire.example/steel-duty"]

        # the first story again, with a tracking parameter and a new date
        again = replace(steel, link=steel.link + "?utm_source=rss", published=steel.published + timedelta(hours=3))  # type: ignore[operator]
        server.feed("/desk.xml", rss20([again, *old]))
        await asyncio.sleep(2.0)
        assert out.getvalue().count("■") == 1  # one alert for the story, whatever came after

        listing = await commands.execute(ADMIN, "feeds list")
        rows = listing.sections[0].table.rows  # type: ignore[union-attr]
        assert [(r[1], r[3]) for r in rows] == [(desk, "ok"), (wire_url, "ok")]
    finally:
        await service.close()
        await server.close()
