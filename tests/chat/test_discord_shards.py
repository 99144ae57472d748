"""Discord at scale (issue 13 point 2): the real discord.py `AutoShardedClient` against the
local fake gateway speaking two shards. The fake sends each shard only its guilds'
events ((guild_id >> 22) % 2), so a command in a guild is answered only when the shard
that guild lives on is connected.

discord.py waits 5 s between two IDENTIFYs of one client (Discord's default identify
rate), so a test with both shards in one client takes about 5 s."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.chat.discord_bot import DiscordConnector
from bot.config import ConfigError, DiscordSettings, load_settings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.message import Message
from bot.store import SqlStore
from tests.chat.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    OTHER_CHANNEL_ID,
    OTHER_GUILD_ID,
    FakeDiscord,
    running,
)
from tests.chat.test_discord_bot import _alert, _embeds, _no_analysis, _runtime, _text

EPHEMERAL = 64


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A fake Discord whose bot is in two servers, one on each of two shards."""
    async with running(monkeypatch) as f:
        f.shard_count = 2  # what GET /gateway/bot recommends
        f.guilds = [GUILD_ID, OTHER_GUILD_ID]
        yield f


def test_the_two_servers_are_on_different_shards() -> None:
    assert (int(GUILD_ID) >> 22) % 2 == 1 and (int(OTHER_GUILD_ID) >> 22) % 2 == 0


async def _until(what: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Wait for `what` (a generous guard: this is not a timing assertion)."""
    for _ in range(int(seconds / 0.05)):
        if await what():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not reached within {seconds} s")


async def _ready(connector: DiscordConnector) -> bool:
    return await connector.not_connected() is None


@pytest.fixture
async def instances(fake: FakeDiscord, store: SqlStore) -> AsyncIterator[Callable[..., Awaitable[DiscordConnector]]]:
    """Starts Discord connectors (instances of the bot) with the given settings; stops them all."""
    started: list[DiscordConnector] = []
    runtime: Runtime = _runtime(store, Commands(store, _no_analysis))

    async def start(**settings: Any) -> DiscordConnector:
        connector = DiscordConnector(DiscordSettings(enabled=True, **settings))
        started.append(connector)
        await connector.start(runtime)
        await _until(lambda: _ready(connector))  # every shard of this instance READY
        return connector

    yield start
    for connector in started:
        await connector.stop()


def _guild_ids(connector: DiscordConnector) -> set[str]:
    return {str(g.id) for g in connector.client.guilds}


async def _help_answered(fake: FakeDiscord, guild_id: str, channel_id: str) -> None:
    answer = await fake.interact(fake.interaction("help", guild_id=guild_id, channel_id=channel_id))
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert "subscribe" in _text(_embeds(answer))


async def _alert_goes_out(fake: FakeDiscord, connector: DiscordConnector, channel_id: str, key: str) -> None:
    message: Message = _alert(key)
    sent = await connector.sinks()["discord"].post(channel_id, message)
    [kept] = [m for m in fake.messages.get(channel_id, []) if m["id"] == sent]
    assert kept["embeds"][0]["title"] == message.title


@pytest.mark.parametrize("settings", [
    pytest.param({}, id="recommended-count"),
    pytest.param({"shard_count": 2, "shard_ids": (0, 1)}, id="configured"),
])
async def test_both_shards_connect_and_each_shards_guild_is_served(
        fake: FakeDiscord, instances: Callable[..., Awaitable[DiscordConnector]], settings: dict[str, Any]) -> None:
    """One instance runs both shards: with nothing configured it takes Discord's recommended
    count (GET /gateway/bot says 2), configured it asks no one. Each shard IDENTIFYs
    once with `shard: [i, 2]`; a command in the guild on shard 1 (and on shard 0) is answered
    and an alert to a channel of each shard's guild goes out."""
    bot = await instances(**settings)
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert bool(fake.of("GET", "/gateway/bot")) == (not settings)
    assert sorted(bot.client.shards) == [0, 1] and bot.client.shard_count == 2
    assert _guild_ids(bot) == {GUILD_ID, OTHER_GUILD_ID}
    await _help_answered(fake, GUILD_ID, CHANNEL_ID)  # shard 1
    await _help_answered(fake, OTHER_GUILD_ID, OTHER_CHANNEL_ID)  # shard 0
    await _alert_goes_out(fake, bot, CHANNEL_ID, "on-shard-1")
    await _alert_goes_out(fake, bot, OTHER_CHANNEL_ID, "on-shard-0")


async def test_an_instance_with_shard_ids_1_of_2_identifies_only_shard_1(
        fake: FakeDiscord, instances: Callable[..., Awaitable[DiscordConnector]],
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.chat.discord_bot"):
        bot = await instances(shard_count=2, shard_ids=(1,))
    assert [i["shard"] for i in fake.identifies] == [[1, 2]]
    assert not fake.of("GET", "/gateway/bot")
    assert sorted(bot.client.shards) == [1]
    assert _guild_ids(bot) == {GUILD_ID}  # only shard 1's guild
    assert "this instance runs shard 1 of 2" in caplog.text
    await _help_answered(fake, GUILD_ID, CHANNEL_ID)
    # posting is REST: an instance posts to a channel of any shard's guild
    await _alert_goes_out(fake, bot, OTHER_CHANNEL_ID, "from-shard-1")


async def test_two_instances_split_the_gateway(
        fake: FakeDiscord, instances: Callable[..., Awaitable[DiscordConnector]]) -> None:
    """Two instances, shard_ids [0] and [1] of 2: one IDENTIFY each, each holds only its own
    guild, and a command in either guild is answered (by the instance holding its shard)."""
    first = await instances(shard_count=2, shard_ids=(0,))
    second = await instances(shard_count=2, shard_ids=(1,))
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert _guild_ids(first) == {OTHER_GUILD_ID} and _guild_ids(second) == {GUILD_ID}
    await _help_answered(fake, GUILD_ID, CHANNEL_ID)
    await _help_answered(fake, OTHER_GUILD_ID, OTHER_CHANNEL_ID)


async def test_readiness_names_the_shard_that_is_down(
        fake: FakeDiscord, instances: Callable[..., Awaitable[DiscordConnector]]) -> None:
    bot = await instances(shard_count=2, shard_ids=(1,))
    await fake.close()  # Discord goes away: shard 1's connection drops and discord.py keeps trying
    why: str | None = None

    async def down() -> bool:
        nonlocal why
        why = await bot.not_connected()
        return why is not None

    await _until(down)
    assert why is not None and "shard(s) 1 is down" in why


@pytest.mark.parametrize(("text", "words"), [
    ("shard_ids = [0]\n", "set shard_count and shard_ids together"),
    ("shard_count = 2\n", "set shard_count and shard_ids together"),
    ("shard_count = 2\nshard_ids = [0, 2]\n", "shard_ids [2] are outside 0..1"),
    ("shard_count = 2\nshard_ids = [-1]\n", "shard_ids [-1] are outside 0..1"),
    ("shard_count = 2\nshard_ids = [1, 1]\n", "name a shard twice"),
    ("shard_count = -1\nshard_ids = [0]\n", "discord.shard_count"),
])
def test_shard_settings_are_validated(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("[discord]\nenabled = true\n" + text)
    with pytest.raises(ConfigError) as e:
        load_settings(f)
    assert str(f) in str(e.value) and words in str(e.value)


def test_shard_settings_both_or_neither() -> None:
    assert DiscordSettings().shard_count == 0 and DiscordSettings().shard_ids == ()
    both = DiscordSettings(shard_count=3, shard_ids=(2, 0))
    assert both.shard_count == 3 and both.shard_ids == (2, 0)
