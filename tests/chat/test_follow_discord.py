"""Issue 14 on Discord, end to end: one alert per event, copies folded into it by a message
edit, updates of the measure as replies to the alert, each step surviving a crash and a
restart (`tests/chat/follow_play.py`).

The real service with the real discord.py connector against the fake Discord: alerts and
replies are `POST /channels/{id}/messages` (a reply carries a `message_reference`), edits
`PATCH /channels/{id}/messages/{message id}`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

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
from bot.render.discord_embeds import EMBEDS, TOTAL
from bot.service.app import Service
from bot.sources.folders import FoldersConnector
from tests.chat.fake_discord import CHANNEL_ID, FakeDiscord, running
from tests.chat.follow_play import play
from tests.render.test_discord_embeds import displayed

pytestmark = pytest.mark.slow
OTHER = "900000000000000201"
"""A second channel, subscribed with updates:off."""


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


def _settings(tmp: Path) -> Settings:
    (tmp / "news").mkdir(exist_ok=True)
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news"),),
        subscriptions=(SubscriptionSettings(channel=f"discord:{CHANNEL_ID}"),
                       SubscriptionSettings(channel=f"discord:{OTHER}", updates="off")),
        console=ConsoleSettings(enabled=False),
        discord=DiscordSettings(enabled=True),
    )


async def _start(settings: Settings, checkpoint: Callable[[str, Delivery], None] | None = None) -> Service:
    service = Service(settings, connectors=[DiscordConnector(settings.discord), FoldersConnector(settings.folders)],
                      checkpoint=checkpoint)
    await service.start()
    return service


def _title(m: dict[str, Any]) -> str:
    return displayed(m["embeds"][:1]).split("\n")[0] if m["embeds"] else ""


def _within_limits(m: dict[str, Any]) -> None:
    embeds = m["embeds"]
    assert 1 <= len(embeds) <= EMBEDS
    assert sum(len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
               + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", [])) for e in embeds) <= TOTAL


async def test_a_measure_history_gives_one_alert_an_edited_card_and_replies_across_crashes(
        tmp_path: Path, fake: FakeDiscord) -> None:
    settings = _settings(tmp_path)
    crashes = await play(settings, tmp_path / "news", _start, deliveries=(2, 4, 6, 7, 8, 9),
                         crash_in=f"discord:{CHANNEL_ID}")
    assert [d.alert_id.split(":")[0] for d in crashes] == [
        "2025-09-02-furniture-tariff", "fold", "fold", "update", "update", "update"]
    # (the channel with updates:off has no delivery of the last three steps: 7, 8, 9 above)
    kept = fake.messages[CHANNEL_ID]
    alerts = [m for m in kept if not m.get("message_reference")]
    assert len(alerts) == 1
    [alert] = alerts
    shown = displayed(alert["embeds"])
    assert "Also reported by" in shown
    assert "2025-09-02-furniture-tariff-wire.txt" in shown and "2025-09-03-furniture-tariff-syndicated.txt" in shown
    assert "id: 2025-09-02-furniture-tariff" in shown  # the key stays on the edited card
    assert alert["edited_timestamp"] is not None
    assert {e["message_id"] for e in fake.edits if e["channel_id"] == CHANNEL_ID} == {alert["id"]}
    replies = fake.replies_to(CHANNEL_ID, alert["id"])
    titles = [_title(r) for r in replies]
    assert len(replies) == 3, titles
    assert "announced → delayed" in titles[0] and "effective Oct 1 2025 → Oct 15 2025" in titles[0]
    assert "delayed → in effect" in titles[1]
    assert "in effect → removed" in titles[2]
    for m in (alert, *replies):
        _within_limits(m)
        assert "@everyone" not in displayed(m["embeds"])
    replies_sent = [c for c in fake.of("POST", f"/channels/{CHANNEL_ID}/messages") if (c.body or {}).get("message_reference")]
    assert replies_sent and all(c.body["allowed_mentions"] in ({"parse": []}, {"parse": [], "replied_user": False})
                                for c in replies_sent)  # no one pinged, not even the author of the alert

    other = fake.messages[OTHER]
    assert len(other) == 1  # updates:off: the alert only, no reply and no new post
    assert "Also reported by" in displayed(other[0]["embeds"])
