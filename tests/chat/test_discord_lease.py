"""The Discord gateway under a lease (issue 13 point 3): two instances on one PostgreSQL
store configured with the same shards are holder and standby. Only the holder connects
to the (fake) gateway; both post alerts (REST); when the holder goes, the standby
connects and answers commands. The real discord.py client against the local fake."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import pytest

from bot.chat.discord_bot import DiscordConnector, gateway_lease
from bot.config import DiscordSettings
from bot.core.commands import Commands
from bot.service.leases import Leases
from bot.store import SqlStore
from tests.chat.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord, running
from tests.chat.test_discord_bot import _alert, _no_analysis, _runtime

pytestmark = pytest.mark.postgres


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


@pytest.fixture
def stores(pg_stores: list[SqlStore]) -> list[SqlStore]:
    return pg_stores[:2]


async def until(check: object, timeout: float = 30.0) -> None:
    start = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.05)


def test_each_shard_set_has_its_own_lease() -> None:
    assert gateway_lease(DiscordSettings()) == "discord-gateway"
    assert gateway_lease(DiscordSettings(shard_count=4, shard_ids=(1, 3))) == "discord-gateway:shards 1,3 of 4"


async def test_a_standby_instance_takes_the_gateway_over(fake: FakeDiscord, stores: list[SqlStore]) -> None:
    connectors, leases = [], []
    try:
        for name, store in zip("ab", stores, strict=True):
            lease = Leases(store.lease_holder(), name, retry_seconds=0.2)
            await lease.start()
            runtime = dataclasses.replace(_runtime(store, Commands(store, _no_analysis)), leases=lease)
            connector = DiscordConnector(DiscordSettings(enabled=True))
            await connector.start(runtime)
            connectors.append(connector)
            leases.append(lease)
        holder, standby = connectors
        assert len(fake.identifies) == 1, "only the lease holder connects to the gateway"
        await until(lambda: holder.client.is_ready())
        assert await holder.not_connected() is None
        assert await standby.not_connected() is None, "a standby instance is ready (it posts alerts)"
        # the standby posts alerts all the same (REST)
        sent = await standby.sinks()["discord"].post(CHANNEL_ID, _alert("from-standby"))
        assert any(m["id"] == sent for m in fake.messages.get(CHANNEL_ID, []))
        await leases[0].close()  # the holder stops: its lease is free
        await until(lambda: len(fake.identifies) == 2)
        await until(lambda: standby.client.is_ready())
        answer = await fake.interact(fake.interaction("help", guild_id=GUILD_ID, channel_id=CHANNEL_ID))
        assert answer["type"] == 4, "the new holder answers commands"
        assert leases[1].holds(gateway_lease(DiscordSettings()))
    finally:
        for lease in leases:
            await lease.close()
        for connector in connectors:
            await connector.stop()
