"""Issue 14's scripted history end to end (`tests/chat/scheduled_story.py`): the real service
with the real Slack (slack-bolt, slack-sdk) and Discord (discord.py) connectors against the
local fakes, a controlled clock, and a crash and restart at every delivery (before posting,
and after posting but before recording it), alerts, edits, updates, reminders and digests
alike. Per channel: one alert per measure, the syndicated copies folded into it by an edit,
one update per later step in its thread (or as a post of its own with `updates:channel`),
saying what changed; the reminder once, at the right moment, moved by the delay and
cancelled by a removal; one digest per period; nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.chat.discord_bot import DiscordConnector
from bot.chat.slack import SlackConnector
from bot.config import (
    ConsoleSettings,
    DeliverySettings,
    DiscordSettings,
    Settings,
    SlackSettings,
    StoreSettings,
)
from bot.render.slack_blocks import block_texts
from bot.schedules import how_soon
from bot.service.app import Service
from tests.chat.fake_discord import CHANNEL_ID, MANAGE_CHANNELS, FakeDiscord, running
from tests.chat.fake_slack import FakeSlack
from tests.chat.scheduled_story import (
    DELIVERIES,
    STEPS,
    Clock,
    CrashOnce,
    Post,
    play_the_month,
    scripted,
)
from tests.chat.slack_helpers import (
    ENV_HTTP,
    assert_within_slack_limits,
    pings_or_links,
    send_slash,
)
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema
from tests.render.test_discord_embeds import displayed, everything, within_limits

pytestmark = pytest.mark.slow
WAIT = 30.0
ONE_AT_A_TIME = DeliverySettings(concurrency=1)
"""One post at a time, so each simulated crash is its own restart (posts side by side are
tested in tests/service/test_dispatch.py)."""
DIGEST_CHANNEL = "900000000000000299"
CHANGES_CHANNEL = "900000000000000298"
CRASHES = [None, "claimed", "posted"]


def _link(key: str) -> str | None:
    """The one link a message may carry: its story's source (none for reminders, digests)."""
    if key.startswith(("remind:", "digest:")):
        return None
    story = key.split(":")[1] if key.startswith(("update:", "change:")) else key
    return STEPS[story].url


class SlackChat:
    alerts, digest, changes = "slack:C1", "slack:C2", "slack:C3"

    def __init__(self, tmp: Path, fake: FakeSlack, pg_schema: str | None = None) -> None:
        self.fake = fake
        self.settings = Settings(database_url=POSTGRES_URL if pg_schema else None,
                                 store=StoreSettings(data_dir=tmp / "data", pg_schema=pg_schema),
                                 console=ConsoleSettings(enabled=False), subscriptions=(), delivery=ONE_AT_A_TIME,
                                 slack=SlackSettings(enabled=True, host="127.0.0.1", port=0, api_url=fake.api_url))
        self.connector: SlackConnector | None = None

    async def start(self, clock: Clock, crash: CrashOnce) -> Service:
        self.connector = SlackConnector(self.settings.slack, env=ENV_HTTP)
        service = Service(self.settings, connectors=[self.connector], checkpoint=crash, clock=clock,
                          analyse=scripted)
        await service.start()
        return service

    async def subscribe(self, channel: str, text: str) -> None:
        assert self.connector is not None and self.connector.address is not None
        before = len(self.fake.responses)
        await send_slash(self.connector.address, "/tradewatch", f"subscribe {text}",
                         self.fake.response_url(channel), channel=channel.split(":")[1])
        await self.fake.wait_for(lambda: len(self.fake.responses) > before, WAIT)
        assert "Subscribed" in self.fake.responses[-1]["text"]

    def posts(self, channel: str) -> list[Post]:
        out = []
        cid = channel.split(":")[1]
        messages = self.fake.posts(cid)
        by_ts = {m["ts"]: m["metadata"]["event_payload"]["key"] for m in messages}
        for m in messages:
            assert_within_slack_limits(m)
            key = m["metadata"]["event_payload"]["key"]
            link = _link(key)
            assert pings_or_links(m, allowed_link=f"<{link}|Read the source>" if link else None) == []
            edits = sum(1 for e in self.fake.edits if e["channel"] == cid and e["ts"] == m["ts"])
            parent = by_ts[m["thread_ts"]] if m.get("thread_ts") else None
            out.append(Post(key, "\n".join(block_texts(m["blocks"])), parent, edits))
        return out


class DiscordChat:
    alerts, digest, changes = f"discord:{CHANNEL_ID}", f"discord:{DIGEST_CHANNEL}", f"discord:{CHANGES_CHANNEL}"

    def __init__(self, tmp: Path, fake: FakeDiscord) -> None:
        self.fake = fake
        self.settings = Settings(store=StoreSettings(data_dir=tmp / "data"), console=ConsoleSettings(enabled=False), subscriptions=(),
                                 delivery=ONE_AT_A_TIME, discord=DiscordSettings(enabled=True))

    async def start(self, clock: Clock, crash: CrashOnce) -> Service:
        service = Service(self.settings, connectors=[DiscordConnector(self.settings.discord)], checkpoint=crash,
                          clock=clock, analyse=scripted)
        await service.start()
        return service

    async def subscribe(self, channel: str, text: str) -> None:
        options = dict(word.split(":", 1) for word in text.split())
        options = {k.replace("-", "_"): v for k, v in options.items()}
        answer = await self.fake.interact(self.fake.interaction("subscribe", options, permissions=MANAGE_CHANNELS,
                                                                channel_id=channel.split(":")[1]), WAIT)
        assert answer["data"]["embeds"][0]["title"] == "Subscribed", answer

    def posts(self, channel: str) -> list[Post]:
        out = []
        cid = channel.split(":")[1]
        by_id: dict[str, str] = {}
        for m in self.fake.messages.get(cid, []):
            sent = within_limits([discord.Embed.from_dict(e) for e in m["embeds"]])
            assert "@everyone" not in everything(sent) and "<!channel>" in displayed(sent)  # shown, not pinging
            footer = sent[-1]["footer"]["text"]
            key = by_id[str(m["id"])] = footer.rsplit("id: ", 1)[1].replace("\\", "")
            ref = (m.get("message_reference") or {}).get("message_id")
            edits = sum(1 for e in self.fake.edits if e["channel_id"] == cid and str(e["message_id"]) == str(m["id"]))
            out.append(Post(key, displayed(sent), by_id[str(ref)] if ref else None, edits))
        return out


@pytest.fixture
async def slack_fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


@pytest.mark.parametrize("crash_at", CRASHES)
async def test_slack_reminders_and_digests_once_each_through_crashes(
        tmp_path: Path, slack_fake: FakeSlack, crash_at: str | None) -> None:
    crash = CrashOnce(crash_at)
    play = await play_the_month(SlackChat(tmp_path, slack_fake), crash)
    assert play.restarts == crash.count == (0 if crash_at is None else DELIVERIES)  # every delivery crashed once


@pytest.mark.postgres
async def test_slack_reminders_and_digests_on_postgresql_through_crashes(tmp_path: Path, slack_fake: FakeSlack) -> None:
    schema = await postgres_schema()
    try:
        crash = CrashOnce("posted")
        play = await play_the_month(SlackChat(tmp_path, slack_fake, schema), crash)
        assert play.restarts == crash.count == DELIVERIES
    finally:
        await drop_schema(schema)


@pytest.mark.parametrize("crash_at", CRASHES)
async def test_discord_reminders_and_digests_once_each_through_crashes(
        tmp_path: Path, discord_fake: FakeDiscord, crash_at: str | None) -> None:
    crash = CrashOnce(crash_at)
    play = await play_the_month(DiscordChat(tmp_path, discord_fake), crash)
    assert play.restarts == crash.count == (0 if crash_at is None else DELIVERIES)
    await asyncio.sleep(0)


async def test_the_console_shows_reminders_and_digests(tmp_path: Path) -> None:
    """`tradewatch run` with console channels: a reminder and a digest are cards on the
    terminal and in the channel's log, posted once (a restart finds them in the log)."""
    from bot.config import SubscriptionSettings
    from bot.core.connector import LIVE
    from tests.chat.scheduled_story import at

    settings = Settings(store=StoreSettings(data_dir=tmp_path / "data"), subscriptions=(
        SubscriptionSettings(channel="console:default", remind="3d", tz="Europe/Brussels"),
        SubscriptionSettings(channel="console:digest", digest="daily@08:00", tz="Europe/Brussels")))
    clock = Clock(at(1, 9))
    for restart in range(2):
        service = Service(settings, connectors=[], clock=clock, analyse=scripted)
        await service.start()
        try:
            assert service.runtime is not None and service.dispatcher is not None
            if restart == 0:
                await service.runtime.ingest(STEPS["pipes-announced"].article(), LIVE)
                clock.now = at(2, 7)
                await service.dispatcher.drain()
                clock.now = at(11, 23)
            await service.dispatcher.drain()
        finally:
            await service.close()
    logs = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "data").glob("console-*.log")}
    default, digest = logs["console-default.log"], logs["console-digest.log"]
    assert default.count("## alert ") == 2 and "## alert pipes-announced" in default
    assert default.count("in 3 days: US tariff on steel pipes rises to 30%") == 1
    assert digest.count("## alert digest:2026-12-02\n") == 1 and "Daily digest 2026-12-02: 1 alert" in digest
    assert "tariffs — China, US" in digest


async def test_a_planned_wake_up_posts_a_reminder_on_time_without_the_retry_job(tmp_path: Path) -> None:
    """The real clock and APScheduler: with the periodic retry wake-up an hour away, only the
    `date` job planned from the store can post the reminder due in two seconds."""
    from datetime import UTC, datetime, time, timedelta

    from bot.config import DeliverySettings
    from bot.core.connector import LIVE
    from bot.domain import Subscription
    from tests.chat.scheduled_story import Step

    now = datetime.now(UTC)
    effective = now.date() + timedelta(days=2)
    lead = datetime.combine(effective, time(0), tzinfo=UTC) - now - timedelta(seconds=2)
    # 1.5 to 2 days by the time of day the test runs: "in 1 day" after 12:00 UTC, else "in 2 days"
    # (either, when it runs at noon and the post comes a little late)
    expected = {f"{how_soon(until)}: US tariff on steel pipes rises to 30%" for until in (lead, lead - timedelta(seconds=WAIT))}
    step = Step("soon", now.date(), "US", "China", "steel pipes", 25, 30, effective.isoformat(), "announced")
    settings = Settings(store=StoreSettings(data_dir=tmp_path / "data"), subscriptions=(),
                        delivery=DeliverySettings(retry_seconds=3600))
    service = Service(settings, connectors=[], analyse=lambda a, p: _analysed(step, a))
    await service.start()
    try:
        assert service.store is not None and service.runtime is not None
        await service.store.subscribe(Subscription("console:default", remind_seconds=lead.total_seconds()))
        await service.runtime.ingest(step.article(), LIVE)
        log = tmp_path / "data" / "console-default.log"
        for _ in range(int(WAIT / 0.1)):
            if log.is_file() and any(e in log.read_text(encoding="utf-8") for e in expected):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no reminder within {WAIT} s")
    finally:
        await service.close()


async def _analysed(step: Any, article: Any) -> Any:
    return step.analysis(article)
