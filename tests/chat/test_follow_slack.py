"""Issue 14 on Slack, end to end: one alert per event, copies folded into it by an edit,
updates of the measure in the alert's thread, each step surviving a crash and a restart.

The real service (worker process, SQLite store, watched folder, dispatcher) with the real
slack-bolt/slack-sdk connector against the fake Slack. The scripted history (our own
stories, `tests/follow_stories.py`): announce -> two syndicated copies -> delay -> in force
-> removal. At every step the service crashes once in the middle of a delivery (after the
claim, or after the post before it is recorded), is stopped, and started again.
"""

from __future__ import annotations

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
from tests.chat.follow_play import play
from tests.chat.slack_helpers import ENV_HTTP, assert_within_slack_limits, pings_or_links

pytestmark = pytest.mark.slow
UPDATES = ("announced → delayed", "effective Oct 1 2025 → Oct 15 2025", "delayed → in effect",
           "in effect → removed")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


def _settings(tmp: Path, fake: FakeSlack) -> Settings:
    (tmp / "news").mkdir(exist_ok=True)
    return Settings(
        store=StoreSettings(data_dir=tmp / "data"),
        folders=(FolderSettings(path=tmp / "news"),),
        subscriptions=(SubscriptionSettings(channel="slack:C1"),
                       SubscriptionSettings(channel="slack:C2", updates="channel")),
        console=ConsoleSettings(enabled=False),
        slack=SlackSettings(enabled=True, host="127.0.0.1", port=0, api_url=fake.api_url),
    )


async def _start(settings: Settings, checkpoint: Callable[[str, Delivery], None] | None = None) -> Service:
    service = Service(settings, connectors=[SlackConnector(settings.slack, env=ENV_HTTP),
                                            FoldersConnector(settings.folders)], checkpoint=checkpoint)
    await service.start()
    return service


def _text(message: dict[str, Any]) -> str:
    return "\n".join(block_texts(message["blocks"]))


async def test_a_measure_history_gives_one_alert_folded_copies_and_threaded_updates_across_crashes(
        tmp_path: Path, fake: FakeSlack) -> None:
    settings = _settings(tmp_path, fake)
    crashes = await play(settings, tmp_path / "news", _start, deliveries=(2, 4, 6, 8, 10, 12),
                         crash_in="slack:C1")
    # what the crash cut short at each step (after the post at steps 0, 2 and 4)
    assert [d.alert_id.split(":")[0] for d in crashes] == [
        "2025-09-02-furniture-tariff", "fold", "fold", "update", "update", "update"]
    # the reply posted before the crash at step 4 was found in its thread, not posted again
    assert any(c["channel"] == "C1" for c in fake.called("conversations.replies"))

    # slack:C1 (updates in the thread): ONE top-level message, the alert, edited to list the copies
    [alert] = fake.top_level("C1")
    assert alert["metadata"]["event_payload"]["key"] == "2025-09-02-furniture-tariff"
    card = _text(alert)
    assert "Also reported by" in card
    assert "2025-09-02-furniture-tariff-wire.txt" in card and "2025-09-03-furniture-tariff-syndicated.txt" in card
    assert {e["ts"] for e in fake.edits if e["channel"] == "C1"} == {alert["ts"]}
    assert len([e for e in fake.edits if e["channel"] == "C1"]) >= 2  # one per copy (a crashed one redone)
    replies = fake.replies("C1", alert["ts"])
    titles = [r["blocks"][0]["text"]["text"] for r in replies]
    assert len(replies) == 3, titles  # delay, in force, removal: each once, whatever the crashes
    assert UPDATES[0] in titles[0] and UPDATES[1] in titles[0]
    assert UPDATES[2] in titles[1]
    assert UPDATES[3] in titles[2] and "25% → 0%" in titles[2]
    assert "Vietnam" in _text(replies[0])
    for message in (alert, *replies):
        assert_within_slack_limits(message)
        assert pings_or_links(message) == []

    # slack:C2 (updates:channel): the alert, edited the same way, then each update as a post of its own
    c2 = fake.top_level("C2")
    assert len(c2) == 4
    assert "Also reported by" in _text(c2[0])
    assert [m["metadata"]["event_payload"]["key"].split(":")[0] for m in c2[1:]] == ["change"] * 3
    assert UPDATES[0] in c2[1]["blocks"][0]["text"]["text"]
    assert UPDATES[3] in c2[3]["blocks"][0]["text"]["text"]
    assert fake.replies("C2", c2[0]["ts"]) == []
