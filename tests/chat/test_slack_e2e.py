"""End to end on Slack (issue 5): the real service (worker process, SQLite store, watched
folder, dispatcher) with the real Slack connector, against the fake Slack on 127.0.0.1.

Slash commands are signed and POSTed to the bot's HTTP endpoint; alerts are the fake's
chat.postMessage calls; answers are the fake's response_url calls.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.chat.slack import SlackConnector
from bot.config import (
    ConsoleSettings,
    FolderSettings,
    Settings,
    SlackSettings,
    StoreSettings,
    SubscriptionSettings,
)
from bot.domain import Delivery
from bot.render.slack_blocks import block_texts
from bot.service.app import Service
from bot.sources.folders import FoldersConnector
from tests.chat.fake_slack import FakeSlack
from tests.chat.slack_helpers import (
    ENV_HTTP,
    assert_within_slack_limits,
    pings_or_links,
    send_slash,
)

pytestmark = pytest.mark.slow
SEED = "000_93b695e3e3035885.txt"
STORY = "2025-06-02-scooter-duties.txt"
STORY_TEXT = """date 2025-06-02
GENEVA (TRADEWATCH) - The European Union will raise import duties on US$3 billion of Chinese
electric scooters to 35 per cent from 10 per cent on July 1, trade commissioner Maria Olsen said
on Monday, after trade talks with Beijing on subsidies broke down.

China's commerce ministry said it would retaliate with tariffs on European farm exports and
would file a dispute at the World Trade Organization over the new anti-subsidy duties.
"""
WAIT = 60.0  # generous: the worker loads spaCy first, and the machine is shared


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


def _settings(tmp: Path, fake: FakeSlack, *channels: str) -> Settings:
    (tmp / "news").mkdir(exist_ok=True)
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news"),),
        subscriptions=tuple(SubscriptionSettings(channel=c) for c in channels),
        console=ConsoleSettings(enabled=False),
        slack=SlackSettings(enabled=True, host="127.0.0.1", port=0, api_url=fake.api_url),
    )


async def _start(settings: Settings, checkpoint: Callable[[str, Delivery], None] | None = None
                 ) -> tuple[Service, SlackConnector]:
    connector = SlackConnector(settings.slack, env=ENV_HTTP)
    service = Service(settings, connectors=[connector, FoldersConnector(settings.folders)], checkpoint=checkpoint)
    await service.start()
    return service, connector


def _text(message: dict[str, Any]) -> str:
    return "\n".join(block_texts(message["blocks"]))


def _address(c: SlackConnector) -> tuple[str, int]:
    assert c.address is not None
    return c.address


async def test_subscribe_then_the_seed_article_gives_one_alert_and_commands_answer(
        tmp_path: Path, fake: FakeSlack, shared: Path) -> None:
    service, slack = await _start(_settings(tmp_path, fake))
    try:
        status, _ = await send_slash(_address(slack), "/tradewatch", "subscribe tags:tariffs",
                                     fake.response_url("sub"), channel="C1")
        assert status == 200
        await fake.wait_for(lambda: fake.responses, WAIT)
        assert "Subscribed" in fake.responses[0]["text"]

        shutil.copy(shared / "articles" / SEED, tmp_path / "news" / SEED)
        await fake.wait_for(lambda: fake.posts("C1"), WAIT)
        [alert] = fake.posts()
        assert alert["channel"] == "C1"
        assert alert["metadata"] == {"event_type": "tradewatch_alert",
                                     "event_payload": {"key": "000_93b695e3e3035885"}}
        card = _text(alert)
        for name in ("Robert Lighthizer", "Liao Min", "Wilbur Ross", "Jeffrey Gerrish"):
            assert name in card
        for day in ("2019-10-15", "2019-09-01", "2019-12-15"):
            assert day in card
        assert "value: US$300 bn · rate: 10% → 15%" in card
        assert "value: US$250 bn · rate: 25% → 30% · effective: 2019-10-15 · status: delayed" in card
        assert_within_slack_limits(alert)
        assert pings_or_links(alert) == []

        await send_slash(_address(slack), "/tariffs", "china", fake.response_url("tariffs"))
        await send_slash(_address(slack), "/summary", "latest", fake.response_url("summary"))
        await fake.wait_for(lambda: len(fake.responses) == 3, WAIT)
        answers = {r["url_name"]: r for r in fake.responses}
        ledger = _text(answers["tariffs"])
        assert "Tariff ledger — China" in ledger
        assert "US$250 bn" in ledger and "25% → 30%" in ledger and "000_93b695e3e3035885" in ledger
        assert answers["tariffs"]["response_type"] == "in_channel"
        summary = answers["summary"]
        assert summary["blocks"][0]["type"] == "header"
        assert "Robert Lighthizer" in _text(summary) and "US$300 bn" in _text(summary)
        for answer in answers.values():
            assert_within_slack_limits(answer)
        assert len(fake.posts()) == 1  # answers go to the response_url, alerts once
    finally:
        await service.close()


async def test_429s_are_waited_out_and_a_gone_channel_is_unsubscribed(
        tmp_path: Path, fake: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.service.dispatch")
    for _ in range(3):
        fake.queue("chat.postMessage", status=429, retry_after=0, channel="C1")
    fake.channel_errors["CGONE"] = "channel_not_found"
    service, _ = await _start(_settings(tmp_path, fake, "slack:C1", "slack:CGONE"))
    try:
        (tmp_path / "news" / STORY).write_text(STORY_TEXT, encoding="utf-8")
        await fake.wait_for(lambda: fake.posts("C1"), WAIT)
        assert service.store is not None
        store = service.store

        subs: list[str] = []

        async def gone() -> bool:
            subs[:] = [s.channel for s in await store.subscriptions()]
            return "slack:CGONE" not in subs

        for _ in range(500):
            if await gone():
                break
            await fake.wait_for(lambda: True)
        assert subs == ["slack:C1"]
        assert "slack:CGONE is gone (channel_not_found): unsubscribing it" in caplog.text
        c1_calls = [c for c in fake.called("chat.postMessage") if c["channel"] == "C1"]
        assert len(c1_calls) == 4  # three 429s, then accepted
        assert len(fake.posts("C1")) == 1
        assert "10% → 35%" in _text(fake.posts("C1")[0])
    finally:
        await service.close()


async def test_an_article_titled_with_pings_and_links_posts_neither(tmp_path: Path, fake: FakeSlack) -> None:
    service, _ = await _start(_settings(tmp_path, fake, "slack:C1"))
    try:
        (tmp_path / "news" / "hostile.md").write_text(
            "# <!channel> @everyone <https://evil|click>\n\n"
            "WASHINGTON - The United States will raise tariffs on US$2 billion of imported widgets "
            "to 40 per cent from 10 per cent on July 1, the trade office said on Monday. <@U0ADMIN> "
            "and @here were told to read <https://evil.example/x|the notice>.\n", encoding="utf-8")
        await fake.wait_for(lambda: fake.posts("C1"), WAIT)
        [alert] = fake.posts("C1")
        assert pings_or_links(alert) == []
        header = alert["blocks"][0]["text"]["text"]
        assert header == "&lt;!channel&gt; @\u2060everyone &lt;https://evil|click&gt;"
        assert "<" not in json.dumps(alert["blocks"])  # no link or mention syntax at all
        assert_within_slack_limits(alert)
    finally:
        await service.close()


async def test_an_alert_posted_before_a_crash_is_not_posted_again(tmp_path: Path, fake: FakeSlack) -> None:
    def crash_after_posting(step: str, d: Delivery) -> None:
        if step == "posted":
            raise RuntimeError("simulated crash between posting and recording it")

    settings = _settings(tmp_path, fake, "slack:C1")
    service, _ = await _start(settings, checkpoint=crash_after_posting)
    try:
        (tmp_path / "news" / STORY).write_text(STORY_TEXT, encoding="utf-8")
        await fake.wait_for(lambda: fake.posts("C1"), WAIT)
    finally:
        await service.close()
    assert service.store is not None

    again, _ = await _start(settings)  # reconcile asks Slack (conversations.history) first
    try:
        await fake.wait_for(lambda: fake.called("conversations.history"), WAIT)
        assert again.store is not None
        [delivery] = [d for d in await again.store.deliveries() if d.channel == "slack:C1"]
        assert delivery.state == "sent"
        assert len(fake.posts("C1")) == 1
    finally:
        await again.close()
