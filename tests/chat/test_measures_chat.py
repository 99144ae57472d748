"""Measures, charts and exports through the real slack-bolt / discord.py code against the
local fakes: the chart arrives as an uploaded PNG, the CSV as a file, the ids on the cards."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from datetime import date

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.discord_bot import DiscordConnector
from bot.chat.slack import SlackConnector
from bot.config import DiscordSettings, Settings, SlackSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.source import Discovered
from bot.domain import Analysis, Article, TariffChange, TradeVerdict
from bot.render.slack_blocks import block_texts
from bot.store import SqlStore, fingerprint
from tests.chat.fake_discord import APP_ID, FakeDiscord, running
from tests.chat.fake_slack import FakeSlack
from tests.chat.slack_helpers import (
    ENV_HTTP,
    assert_within_slack_limits,
    pings_or_links,
    send_slash,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("no article is analysed in these tests")


async def stored_history(store: SqlStore) -> str:
    """Steel pipes: announced, put in force, removed (three stories); the measure's id."""
    steps = [("pipes-1", date(2025, 3, 6), None, 25, "announced"),
             ("pipes-2", date(2025, 4, 1), None, 25, "in_effect"),
             ("pipes-3", date(2025, 6, 2), 25, 0, "removed")]
    for aid, day, old, new, status in steps:
        title = f"Steel pipes @everyone <!channel> step {aid}"
        art = Article(aid, title, f"{title}. The ministry said so.", day, f"https://news.example/{aid}")
        change = TariffChange("US", "China", "steel pipes", 2_000_000_000, old, new, None, status,  # type: ignore[arg-type]
                              "The US duties on Chinese steel pipes.")
        await store.add_article(art, fingerprint(art.title, art.body))
        await store.save_analysis_and_enqueue(
            Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ("duties",)), tariff_changes=(change,)), [])
    [entry] = await store.ledger()
    return entry.id


# ---------------------------------------------------------------- Slack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


@pytest.fixture
async def slack(fake: FakeSlack, store: SqlStore) -> AsyncIterator[tuple[str, int]]:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    runtime = Runtime(Settings(), store, Commands(store, _no_analysis), AsyncIOScheduler(), ingest,
                      lambda: None, ingest_file)
    c = SlackConnector(SlackSettings(enabled=True, mode="auto", host="127.0.0.1", port=0, api_url=fake.api_url),
                       env=ENV_HTTP)
    await c.start(runtime)
    assert c.address is not None
    yield c.address
    await c.stop()


async def test_slack_chart_is_uploaded_with_files_upload_v2(fake: FakeSlack, store: SqlStore,
                                                            slack: tuple[str, int]) -> None:
    await stored_history(store)
    status, _ = await send_slash(slack, "/tariffs", "china chart", fake.response_url())
    assert status == 200
    await fake.wait_for(lambda: fake.responses)
    assert [m for m, _ in fake.calls if m.startswith("files.")] == ["files.getUploadURLExternal",
                                                                    "files.completeUploadExternal"]
    [shared] = fake.files
    assert shared["channel"] == "C1" and shared["filename"] == "tariffs-china.png"
    assert shared["title"] == "Tariff rates — China"
    width, height = png_size(shared["data"])
    assert (width, height) == (1000, 650) and 10_000 < len(shared["data"]) < 400_000
    [answer] = fake.responses
    assert answer["response_type"] == "in_channel" and "shared in this channel" in answer["text"]
    assert_within_slack_limits(answer)


async def test_slack_csv_export_and_a_channel_the_bot_cannot_use(fake: FakeSlack, store: SqlStore,
                                                                 slack: tuple[str, int]) -> None:
    measure = await stored_history(store)
    await send_slash(slack, "/tariffs", "csv", fake.response_url())
    await fake.wait_for(lambda: fake.files and fake.responses)
    [shared] = fake.files
    lines = shared["data"].decode().splitlines()
    assert shared["filename"] == "tariffs.csv" and len(lines) == 4 and lines[1].startswith(f"{measure},2025-03-06")
    fake.channel_errors["C9"] = "channel_not_found"
    await send_slash(slack, "/tariffs", "chart", fake.response_url("r2"), channel="C9")
    await fake.wait_for(lambda: len(fake.responses) == 2)
    refused = fake.responses[1]
    assert refused["response_type"] == "ephemeral" and "could not share the file" in refused["text"]
    assert len(fake.files) == 1
    fake.queue("files.getUploadURLExternal", error="missing_scope")  # an app installed before files:write
    await send_slash(slack, "/tariffs", "chart", fake.response_url("r3"))
    await fake.wait_for(lambda: len(fake.responses) == 3)
    assert fake.responses[2]["response_type"] == "ephemeral" and "files:write" in fake.responses[2]["text"]
    assert len(fake.files) == 1


async def test_slack_cards_and_show_carry_the_measure_id(fake: FakeSlack, store: SqlStore,
                                                        slack: tuple[str, int]) -> None:
    measure = await stored_history(store)
    await send_slash(slack, "/summary", "pipes-2", fake.response_url())
    await send_slash(slack, "/tariffs", f"show {measure}", fake.response_url("r2"))
    await fake.wait_for(lambda: len(fake.responses) == 2)
    card, history = sorted(fake.responses, key=lambda r: r["url_name"])
    assert f"*{measure} — US → China*" in "\n".join(block_texts(card["blocks"]))
    shown = "\n".join(block_texts(history["blocks"]))
    assert f"Measure {measure}" in history["text"]
    for aid, status in (("pipes-1", "announced"), ("pipes-2", "in effect"), ("pipes-3", "removed")):
        assert aid in shown and status in shown
    for answer, link in ((card, "<https://news.example/pipes-2|Read the source>"), (history, None)):
        assert_within_slack_limits(answer)
        assert pings_or_links(answer, allowed_link=link) == []


# ---------------------------------------------------------------- Discord


@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


async def _discord(store: SqlStore, defer_after: float) -> DiscordConnector:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    runtime = Runtime(Settings(), store, Commands(store, _no_analysis), None, ingest,  # type: ignore[arg-type]
                      lambda: None, ingest_file)
    connector = DiscordConnector(DiscordSettings(enabled=True, defer_after_seconds=defer_after))
    await connector.start(runtime)
    return connector


async def test_discord_chart_is_an_attachment_of_the_answer(discord_fake: FakeDiscord, store: SqlStore) -> None:
    measure = await stored_history(store)
    connector = await _discord(store, 2.5)
    try:
        # the answer within the interaction's time, or deferred and followed up: the PNG goes either way
        answer = await discord_fake.interact(discord_fake.interaction("tariffs", {"country": "china", "export": "chart"}))
        for _ in range(3000):
            sent = [c for c in discord_fake.calls if c.files]
            if sent:
                break
            await asyncio.sleep(0.01)
        [call] = sent
        assert answer["type"] in (4, 5) and call.path.startswith(("/interactions/", f"/webhooks/{APP_ID}/"))
        [(filename, data)] = call.files
        assert filename == "tariffs-china.png" and png_size(data) == (1000, 650)
        message = call.body.get("data", call.body)
        assert message["attachments"][0]["filename"] == "tariffs-china.png"
        [embed] = message["embeds"]
        assert embed["title"] == "Tariff rates — China" and "1 measure(s)" in embed["description"]

        shown = await discord_fake.interact(discord_fake.interaction("tariffs", {"measure": measure}))
        [embed] = shown["data"]["embeds"]
        assert embed["title"].startswith(f"Measure {measure}") and "@everyone" not in str(embed)
        assert len(embed.get("description", "")) + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]) < 6000
    finally:
        await connector.stop()


async def test_discord_csv_deferred_is_a_follow_up_with_the_file(discord_fake: FakeDiscord, store: SqlStore) -> None:
    measure = await stored_history(store)
    connector = await _discord(store, 0.001)
    try:
        await discord_fake.interact(discord_fake.interaction("tariffs", {"export": "csv"}))
        for _ in range(3000):
            if [c for c in discord_fake.calls if c.files]:
                break
            await asyncio.sleep(0.01)
        [call] = [c for c in discord_fake.calls if c.files]
        [(filename, data)] = call.files
        assert filename == "tariffs.csv" and data.decode().splitlines()[3].startswith(f"{measure},2025-06-02,removed")
        card = await discord_fake.interact(discord_fake.interaction("summary", {"article": "pipes-1"}))
        for _ in range(3000):
            follow = [c for c in discord_fake.of("POST", f"/webhooks/{APP_ID}/") if not c.files]
            if follow:
                break
            await asyncio.sleep(0.01)
        embeds = follow[0].body["embeds"] if follow else card["data"]["embeds"]
        assert any(f["name"] == f"Tariff changes — {measure}" and "steel pipes" in f["value"]
                   for e in embeds for f in e.get("fields", []))
    finally:
        await connector.stop()
