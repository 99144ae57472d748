"""End to end on Discord (issue 6): the real service (worker process, SQLite store, watched
folder, dispatcher) with the real Discord connector (discord.py) against the fake Discord.

Slash commands are `INTERACTION_CREATE` events pushed down the fake gateway; answers are the
interaction callbacks; alerts are `POST /channels/{id}/messages`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.chat.discord_bot import DiscordConnector
from bot.config import (
    ConsoleSettings,
    DiscordSettings,
    FolderSettings,
    Settings,
    StoreSettings,
    SubscriptionSettings,
)
from bot.domain import Delivery
from bot.service.app import Service
from bot.sources.folders import FoldersConnector
from tests.chat.fake_discord import CHANNEL_ID, MANAGE_CHANNELS, Call, FakeDiscord, running
from tests.render.test_discord_embeds import displayed, within_limits

pytestmark = pytest.mark.slow
SEED = "000_93b695e3e3035885.txt"
GONE = "900000000000000404"
WAIT = 60.0  # generous: the worker loads spaCy first, and the machine is shared


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


def _settings(tmp: Path, *channels: str) -> Settings:
    (tmp / "news").mkdir(exist_ok=True)
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news"),),
        subscriptions=tuple(SubscriptionSettings(channel=c) for c in channels),
        console=ConsoleSettings(enabled=False),
        discord=DiscordSettings(enabled=True),
    )


async def _start(settings: Settings, checkpoint: Callable[[str, Delivery], None] | None = None) -> Service:
    service = Service(settings, connectors=[DiscordConnector(settings.discord), FoldersConnector(settings.folders)],
                      checkpoint=checkpoint)
    await service.start()
    return service


async def _until(predicate: Callable[[], Any], timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.02)


def _write_story(folder: Path, name: str = "widgets.md", title: str = "US to raise tariffs on widgets") -> None:
    """A plain tariff story of our own (not from any wire)."""
    (folder / "news" / name).write_text(
        f"# {title}\n\n"
        "WASHINGTON - The United States will raise tariffs on US$2 billion of imported widgets "
        "to 40 per cent from 10 per cent on July 1, the trade office said on Monday. "
        "Trade Representative Ann Keller said the duties answer unfair subsidies.\n", encoding="utf-8")


def _posts(fake: FakeDiscord, channel: str = CHANNEL_ID) -> list[Call]:
    return fake.of("POST", f"/channels/{channel}/messages")


def _shown(embeds: list[dict[str, Any]]) -> str:
    """What a member reads (escapes resolved)."""
    return displayed(embeds)


def within_limits_of(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The embeds as posted, checked against every Discord limit."""
    return within_limits([discord.Embed.from_dict(e) for e in sent])


async def test_subscribe_then_the_seed_article_gives_one_alert_and_commands_answer(
        tmp_path: Path, fake: FakeDiscord, shared: Path) -> None:
    service = await _start(_settings(tmp_path))
    try:
        answer = await fake.interact(fake.interaction("subscribe", {"tags": "tariffs"}, permissions=MANAGE_CHANNELS))
        assert answer["type"] == 4 and answer["data"]["embeds"][0]["title"] == "Subscribed"
        refused = await fake.interact(fake.interaction("subscribe", {"tags": "tariffs"}, permissions=0,
                                                       channel_id="900000000000000201"))
        assert refused["data"]["flags"] & 64 and "Manage Channels" in _shown(refused["data"]["embeds"])

        shutil.copy(shared / "articles" / SEED, tmp_path / "news" / SEED)
        await _until(lambda: _posts(fake))
        await asyncio.sleep(0.5)
        [alert] = fake.of("POST", "/messages")  # one post, to the subscribed channel only
        assert alert.path == f"/channels/{CHANNEL_ID}/messages"
        assert alert.body["allowed_mentions"] == {"parse": []}
        embeds = within_limits_of(alert.body["embeds"])
        card = _shown(embeds)
        for name in ("Robert Lighthizer", "Liao Min", "Wilbur Ross", "Jeffrey Gerrish"):
            assert name in card
        for day in ("2019-10-15", "2019-09-01", "2019-12-15"):
            assert day in card
        tariffs = [f["value"] for f in embeds[0]["fields"]
                   if re.fullmatch(r"Tariff changes — m-[a-z2-7]{7}", f["name"]) and "who → whom: US → China" in f["value"]]
        assert any("value: US$300 bn" in v and "rate: 10% → 15%" in v for v in tariffs), tariffs
        assert any("value: US$250 bn" in v and "rate: 25% → 30%" in v and "status: delayed" in v for v in tariffs)
        assert embeds[-1]["footer"]["text"].endswith("id: 000_93b695e3e3035885")

        ledger = await fake.interact(fake.interaction("tariffs", {"country": "china"}))
        assert ledger["type"] == 4
        shown = _shown(ledger["data"]["embeds"])
        assert "Tariff ledger — China" in shown and "25% → 30%" in shown and "000_93b695e3e3035885" in shown
        summary = await fake.interact(fake.interaction("summary", {"article": "latest"}))
        assert summary["type"] == 4
        assert "Robert Lighthizer" in _shown(summary["data"]["embeds"])
        assert "US$300 bn" in _shown(summary["data"]["embeds"])
        for a in (ledger, summary):
            within_limits_of(a["data"]["embeds"])
            assert a["data"]["allowed_mentions"] == {"parse": []}
        assert len(fake.of("POST", "/messages")) == 1  # answers are callbacks, the alert went once
    finally:
        await service.close()


async def test_an_article_titled_with_pings_pings_nobody(tmp_path: Path, fake: FakeDiscord) -> None:
    service = await _start(_settings(tmp_path, f"discord:{CHANNEL_ID}"))
    try:
        (tmp_path / "news" / "hostile.md").write_text(
            "# @everyone <@&123> check this\n\n"
            "WASHINGTON - The United States will raise tariffs on US$2 billion of imported widgets "
            "to 40 per cent from 10 per cent on July 1, the trade office said on Monday. "
            "@here and <@&123456789012345678> were told by <@123456789012345678>.\n", encoding="utf-8")
        await _until(lambda: _posts(fake))
        [alert] = _posts(fake)
        assert alert.body["allowed_mentions"] == {"parse": []}  # Discord: no one is pinged
        assert not alert.body.get("content")
        embeds = within_limits_of(alert.body["embeds"])
        assert embeds[0]["title"] == "@\u200beveryone <@&123> check this"
        shown = _shown(embeds)
        assert "@everyone" not in shown and "@here" not in shown and "<@&123456789012345678>" not in shown
    finally:
        await service.close()


async def test_a_channel_the_bot_lost_is_unsubscribed_and_the_others_still_get_alerts(
        tmp_path: Path, fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.service.dispatch")
    fake.gone[GONE] = 403
    service = await _start(_settings(tmp_path, f"discord:{CHANNEL_ID}", f"discord:{GONE}"))
    try:
        _write_story(tmp_path)
        await _until(lambda: _posts(fake) and _posts(fake, GONE))
        assert service.store is not None
        store = service.store
        subs: list[str] = []
        for _ in range(500):
            subs[:] = [s.channel for s in await store.subscriptions()]
            if f"discord:{GONE}" not in subs:
                break
            await asyncio.sleep(0.02)
        assert subs == [f"discord:{CHANNEL_ID}"]
        assert f"discord:{GONE} is gone" in caplog.text and "unsubscribing it" in caplog.text
        assert len(_posts(fake)) == 1 and len(_posts(fake, GONE)) == 1  # tried once, not retried
    finally:
        await service.close()


async def test_an_alert_posted_before_a_crash_is_not_posted_again(tmp_path: Path, fake: FakeDiscord) -> None:
    def crash_after_posting(step: str, d: Delivery) -> None:
        if step == "posted":
            raise RuntimeError("simulated crash between posting and recording it")

    settings = _settings(tmp_path, f"discord:{CHANNEL_ID}")
    service = await _start(settings, checkpoint=crash_after_posting)
    try:
        _write_story(tmp_path)
        await _until(lambda: _posts(fake))
    finally:
        await service.close()

    again = await _start(settings)  # reconcile reads the channel's history first
    try:
        await _until(lambda: fake.of("GET", f"/channels/{CHANNEL_ID}/messages"))
        assert again.store is not None
        [delivery] = [d for d in await again.store.deliveries() if d.channel == f"discord:{CHANNEL_ID}"]
        assert delivery.state == "sent"
        await asyncio.sleep(0.5)
        assert len(_posts(fake)) == 1
    finally:
        await again.close()
