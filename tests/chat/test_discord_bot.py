"""The Discord connector and sink: the real discord.py client against the local fake Discord,
the real command layer on a real SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

import discord
import pytest

from bot.chat.discord_bot import (
    DiscordConnector,
    DiscordSink,
    DiscordTokenError,
    command_name,
    may_manage,
    nonce_for,
)
from bot.config import DiscordSettings, Settings
from bot.core.commands import Commands, Context
from bot.core.connector import Runtime
from bot.core.message import Message, Section
from bot.core.sink import ChannelGone
from bot.core.source import Discovered
from bot.domain import Analysis, Article, TariffChange, TradeVerdict
from bot.service.connectors import build_connectors
from bot.store import SqlStore
from bot.store.fingerprint import fingerprint
from tests.chat.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    MANAGE_CHANNELS,
    MANAGE_GUILD,
    FakeDiscord,
    bad_request,
    rate_limited,
    running,
)

EPHEMERAL = 64
PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("no analysis expected")


def _runtime(store: SqlStore, commands: Commands) -> Runtime:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    return Runtime(Settings(), store, commands, None, ingest, lambda: None, ingest_file)  # type: ignore[arg-type]


async def _started(store: SqlStore, commands: Commands | None = None, **settings: Any) -> DiscordConnector:
    connector = DiscordConnector(DiscordSettings(enabled=True, **settings))
    await connector.start(_runtime(store, commands or Commands(store, _no_analysis)))
    return connector


@pytest.fixture
async def bot(fake: FakeDiscord, store: SqlStore) -> AsyncIterator[DiscordConnector]:
    connector = await _started(store)
    yield connector
    await connector.stop()


def _embeds(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list((body.get("data") or body).get("embeds") or [])


def _text(embeds: list[dict[str, Any]]) -> str:
    out = []
    for e in embeds:
        out += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        out += [f"{f['name']} {f['value']}" for f in e.get("fields", [])]
    return "\n".join(out)


async def _stored(store: SqlStore, aid: str, title: str, published: date) -> None:
    article = Article(aid, title, f"{title}. Ruritania said so on Monday.", published)
    change = TariffChange("US", "China", "steel pipes", 2_000_000_000, 10, 25, "2025-04-01", "announced",
                          "The US will raise duties on Chinese steel pipes to 25 pct.")
    analysis = Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("duties on Chinese steel pipes",)),
                        tariff_changes=(change,), summary=f"{title}, the ministry said.")
    await store.add_article(article, fingerprint(article.title, article.body))
    await store.save_analysis_and_enqueue(analysis, [])


# ---------------------------------------------------------------- start-up


async def test_connects_with_the_guilds_intent_only(fake: FakeDiscord, bot: DiscordConnector) -> None:
    assert fake.identify is not None and fake.identify["token"] == "fake-bot-token"
    assert fake.identify["intents"] == 1  # GUILDS
    assert not fake.identify["intents"] & PRIVILEGED
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert not fake.of("PUT", "/commands")  # registering is `tradewatch discord sync`, not every start


async def test_missing_token_is_a_clear_start_up_error(fake: FakeDiscord, store: SqlStore,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN")
    with pytest.raises(DiscordTokenError, match="DISCORD_BOT_TOKEN is not set"):
        await _started(store)
    assert fake.calls == []


async def test_rejected_token_is_a_clear_start_up_error(fake: FakeDiscord, store: SqlStore,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "an-old-token")
    with pytest.raises(DiscordTokenError, match="DISCORD_BOT_TOKEN was rejected by Discord"):
        await _started(store)


async def test_token_refused_by_the_gateway_is_a_clear_start_up_error(fake: FakeDiscord, store: SqlStore) -> None:
    fake.gateway_token = "another"  # REST accepts the token, the gateway closes with 4004
    with pytest.raises(DiscordTokenError, match="DISCORD_BOT_TOKEN was rejected by Discord"):
        await _started(store)


# ---------------------------------------------------------------- commands


async def test_subscribe_needs_manage_channels(fake: FakeDiscord, bot: DiscordConnector, store: SqlStore) -> None:
    refused = await fake.interact(fake.interaction("subscribe", {"tags": "tariffs"}, permissions=0))
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
    assert "Manage Channels" in _text(_embeds(refused))
    assert await store.subscriptions(f"discord:{CHANNEL_ID}") == []

    done = await fake.interact(fake.interaction(
        "subscribe", {"tags": "tariffs", "countries": "china, United States", "min_score": 0.7, "tariffs_only": True,
                      "updates": "channel"},
        permissions=MANAGE_CHANNELS))
    assert done["type"] == 4 and not (done["data"].get("flags") or 0) & EPHEMERAL
    assert _embeds(done)[0]["title"] == "Subscribed"
    [sub] = await store.subscriptions(f"discord:{CHANNEL_ID}")
    assert (sub.tags, sub.countries, sub.min_score, sub.tariff_changes_only, sub.updates) == (
        ("tariffs",), ("China", "US"), 0.7, True, "channel")
    assert sub.created_by == "700000000000000001"
    assert done["data"]["allowed_mentions"] == {"parse": []}


def test_feeds_need_manage_server_and_a_channel_needs_manage_channels() -> None:
    channels, guild = discord.Permissions(manage_channels=True), discord.Permissions(manage_guild=True)
    both = discord.Permissions(manage_channels=True, manage_guild=True)
    assert [may_manage("feeds", p, in_guild=True) for p in (channels, guild, both)] == [False, True, True]
    for command in ("subscribe", "unsubscribe"):
        assert [may_manage(command, p, in_guild=True) for p in (channels, guild, both)] == [True, False, True]
    assert not may_manage("feeds", both, in_guild=False) and not may_manage("subscribe", both, in_guild=False)
    assert [command_name(t) for t in ("feeds add 'http://127.0.0.1:9/f.xml'", "Feeds", "/feeds list",
                                      "subscribe tags:tariffs", "")] == [
        "feeds", "feeds", "feeds", "subscribe", "help"]


FEED = "https://93.184.216.34/feed.xml"  # never fetched; an address, so adding it asks no DNS (loopback is refused)


async def test_feeds_add_list_remove_with_manage_server(fake: FakeDiscord, bot: DiscordConnector,
                                                        store: SqlStore) -> None:
    added = await fake.interact(fake.interaction(
        "feeds", {"url": FEED, "every": "15m", "backfill": True}, subcommand="add", permissions=MANAGE_GUILD))
    assert added["type"] == 4 and not (added["data"].get("flags") or 0) & EPHEMERAL
    [embed] = _embeds(added)
    assert embed["title"] == "Feed added"
    assert f"{FEED} is read every 15 min" in embed["description"] and "backfill" in embed["description"]
    [feed] = await store.feeds()
    assert (feed.url, feed.every_seconds, feed.backfill, feed.added_by) == (FEED, 900, True, "700000000000000001")

    listed = await fake.interact(fake.interaction("feeds", subcommand="list", permissions=MANAGE_GUILD))
    assert listed["type"] == 4 and _embeds(listed)[0]["title"] == "Feeds"
    assert FEED in _text(_embeds(listed)) and "every 15 min" in _text(_embeds(listed))

    removed = await fake.interact(fake.interaction("feeds", {"feed": "1"}, subcommand="remove",
                                                   permissions=MANAGE_GUILD))
    assert _embeds(removed)[0]["title"] == "Feed removed" and FEED in _text(_embeds(removed))
    assert await store.feeds() == []


async def test_feeds_are_refused_without_manage_server(fake: FakeDiscord, bot: DiscordConnector,
                                                       store: SqlStore) -> None:
    await store.add_feed("http://127.0.0.1:9/kept.xml", 600)
    for sub, options in (("add", {"url": FEED}), ("remove", {"feed": "1"}), ("list", {})):
        refused = await fake.interact(fake.interaction("feeds", options, subcommand=sub,
                                                       permissions=MANAGE_CHANNELS))
        assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
        shown = _text(_embeds(refused))
        assert "Manage Server permission" in shown and "feeds" in shown and "kept.xml" not in shown
    assert [f.url for f in await store.feeds()] == ["http://127.0.0.1:9/kept.xml"]


async def test_tariffs_and_summary_answer_through_the_interaction_callback(
        fake: FakeDiscord, bot: DiscordConnector, store: SqlStore) -> None:
    await _stored(store, "pipes-1", "US to raise duties on Chinese steel pipes", date(2025, 3, 6))
    ledger = await fake.interact(fake.interaction("tariffs", {"country": "china"}))
    assert ledger["type"] == 4
    [embed] = _embeds(ledger)
    assert embed["title"] == "Tariff ledger — China"
    row = embed["fields"][0]
    [entry] = await store.ledger()
    assert row["name"] == f"Measures — {entry.id}" and "who → whom: US → China" in row["value"]
    assert "steel pipes" in row["value"] and "10% → 25%" in row["value"] and "pipes-1" in row["value"]

    card = await fake.interact(fake.interaction("summary", {"article": "latest"}))
    assert card["type"] == 4
    [embed] = _embeds(card)
    assert embed["title"] == "US to raise duties on Chinese steel pipes"
    assert embed["description"].startswith("US to raise duties on Chinese steel pipes, the ministry said.")
    assert embed["footer"]["text"].endswith("id: pipes-1")

    none = await fake.interact(fake.interaction("why", {"article": "no-such-story"}))
    assert none["data"]["flags"] & EPHEMERAL and "no-such-story" in _text(_embeds(none))


async def test_help_lists_the_commands_privately(fake: FakeDiscord, bot: DiscordConnector) -> None:
    answer = await fake.interact(fake.interaction("help"))
    assert answer["data"]["flags"] & EPHEMERAL
    assert "subscribe" in _text(_embeds(answer)) and "export-controls" in _text(_embeds(answer))
    about = await fake.interact(fake.interaction("help", {"command": "subscribe"}))
    assert about["data"]["flags"] & EPHEMERAL
    [embed] = _embeds(about)
    assert embed["title"] == "Help: subscribe" and "min-score" in _text([embed])


async def test_tags_and_countries_are_autocompleted(fake: FakeDiscord, bot: DiscordConnector) -> None:
    tags = await fake.interact(fake.interaction("subscribe", {"tags": "tariffs, dis"}, kind=4, focused="tags"))
    assert tags["type"] == 8
    assert [c["value"] for c in tags["data"]["choices"]] == ["tariffs, disputes"]
    countries = await fake.interact(fake.interaction("subscribe", {"countries": "chi"}, kind=4, focused="countries"))
    assert "China" in [c["value"] for c in countries["data"]["choices"]]
    country = await fake.interact(fake.interaction("tariffs", {"country": "jap"}, kind=4, focused="country"))
    assert [c["value"] for c in country["data"]["choices"]] == ["Japan"]


class SlowCommands(Commands):
    """The real command layer, held until the test lets it answer."""

    def __init__(self, store: SqlStore) -> None:
        super().__init__(store, _no_analysis)
        self.release = asyncio.Event()

    async def execute(self, ctx: Context, text: str) -> Message:
        await self.release.wait()
        return await super().execute(ctx, text)


async def test_a_slow_answer_is_deferred_then_sent_as_a_follow_up(fake: FakeDiscord, store: SqlStore) -> None:
    commands = SlowCommands(store)
    connector = await _started(store, commands, defer_after_seconds=0.05)
    try:
        first = await fake.interact(fake.interaction("subscriptions"))
        assert first["type"] == 5  # "thinking..."
        commands.release.set()
        for _ in range(500):
            if fake.of("POST", f"/webhooks/{APP_ID}/"):
                break
            await asyncio.sleep(0.01)
        [follow_up] = fake.of("POST", f"/webhooks/{APP_ID}/")
        assert _embeds(follow_up.body)[0]["title"] == "No subscription"
        assert follow_up.body["allowed_mentions"] == {"parse": []}
        assert not (follow_up.body.get("flags") or 0) & EPHEMERAL

        commands.release.clear()
        second = await fake.interact(fake.interaction("subscribe", permissions=0))
        assert second["type"] == 5
        commands.release.set()
        for _ in range(500):
            if len(fake.of("POST", f"/webhooks/{APP_ID}/")) == 2:
                break
            await asyncio.sleep(0.01)
        refusal = fake.of("POST", f"/webhooks/{APP_ID}/")[1]
        assert refusal.body["flags"] & EPHEMERAL and "Manage Channels" in _text(_embeds(refusal.body))
        assert fake.of("DELETE", "/messages/@original")  # the public "thinking" message went first
    finally:
        await connector.stop()


# ---------------------------------------------------------------- alerts


def _alert(key: str, title: str = "Ruritania raises bicycle duty") -> Message:
    return Message(kind="alert", title=title, text="Ruritania will raise its duty on bicycles to 18 pct.",
                   sections=(Section("People", items=("Anna Berg — Trade Minister",)),),
                   facts="2025-06-02 · TRADE POLICY (0.93) · tariffs", footer=f"id: {key}", key=key)


async def test_an_alert_pings_nobody(fake: FakeDiscord, bot: DiscordConnector) -> None:
    sink = bot.sinks()["discord"]
    message = replace(_alert("mentions", title="@everyone <@&123> check this"),
                      text="@here <@&123456789012345678> and <@123456789012345678> said so.")
    await sink.post(CHANNEL_ID, message)
    [post] = fake.of("POST", f"/channels/{CHANNEL_ID}/messages")
    assert post.body["allowed_mentions"] == {"parse": []}
    assert not post.body.get("content")
    shown = _text(_embeds(post.body))
    assert "check this" in shown
    assert "@everyone" not in shown and "@here" not in shown and "<@&123456789012345678>" not in shown


async def test_posts_carry_a_nonce_and_find_reads_the_key_back(fake: FakeDiscord, bot: DiscordConnector) -> None:
    sink = bot.sinks()["discord"]
    ref = await sink.post(CHANNEL_ID, _alert("story-7"))
    [post] = fake.of("POST", f"/channels/{CHANNEL_ID}/messages")
    assert post.body["nonce"] == nonce_for("story-7") and post.body["enforce_nonce"] is True
    assert len(post.body["nonce"]) <= 25
    assert await sink.find(CHANNEL_ID, "story-7") == ref
    assert await sink.find(CHANNEL_ID, "story-70") is None
    assert await sink.find(CHANNEL_ID, "story") is None
    # a repeated post (a retry after a lost answer) comes back as the same message
    assert await sink.post(CHANNEL_ID, _alert("story-7")) == ref
    assert len(fake.messages[CHANNEL_ID]) == 1


async def test_find_ignores_other_authors(fake: FakeDiscord, bot: DiscordConnector) -> None:
    someone = {"id": "700000000000000003", "username": "mimic", "discriminator": "0", "avatar": None}
    fake.messages[CHANNEL_ID] = [fake._message(CHANNEL_ID, {"embeds": [{"footer": {"text": "id: story-8"}}]},
                                               author=someone)]
    sink = bot.sinks()["discord"]
    assert await sink.find(CHANNEL_ID, "story-8") is None


@pytest.mark.parametrize("status", [403, 404])
async def test_a_lost_channel_is_channel_gone(fake: FakeDiscord, bot: DiscordConnector, status: int) -> None:
    fake.gone["123456789012345678"] = status
    sink = bot.sinks()["discord"]
    with pytest.raises(ChannelGone):
        await sink.post("123456789012345678", _alert("k1"))
    assert await sink.find("123456789012345678", "k1") is None


async def test_other_refusals_are_not_channel_gone(fake: FakeDiscord, bot: DiscordConnector) -> None:
    fake.queued[CHANNEL_ID] = [bad_request()]
    with pytest.raises(discord.HTTPException) as e:
        await bot.sinks()["discord"].post(CHANNEL_ID, _alert("k2"))
    assert not isinstance(e.value, ChannelGone) and e.value.status == 400  # the dispatcher retries it


async def test_rate_limits_are_left_to_discord_py(fake: FakeDiscord, bot: DiscordConnector) -> None:
    fake.queued[CHANNEL_ID] = [rate_limited(0.0)]
    ref = await bot.sinks()["discord"].post(CHANNEL_ID, _alert("k3"))
    assert ref is not None
    assert len(fake.of("POST", f"/channels/{CHANNEL_ID}/messages")) == 2  # the 429, then the post
    assert len(fake.messages[CHANNEL_ID]) == 1


async def test_a_sink_rejects_a_channel_id_that_is_not_one(fake: FakeDiscord, bot: DiscordConnector) -> None:
    sink = bot.sinks()["discord"]
    assert isinstance(sink, DiscordSink)
    with pytest.raises(ChannelGone):
        await sink.post("general", _alert("k4"))


def test_the_registry_builds_discord_only_when_enabled() -> None:
    assert not [c for c in build_connectors(Settings()) if c.name == "discord"]
    built = [c for c in build_connectors(Settings(discord=DiscordSettings(enabled=True))) if c.name == "discord"]
    assert [type(c) for c in built] == [DiscordConnector]
    assert set(built[0].sinks()) == {"discord"}


async def test_ready_only_while_the_gateway_is_connected(fake: FakeDiscord, bot: DiscordConnector) -> None:
    """What /readyz asks of Discord (issue 13 point 4): connected once READY (discord.py
    waits for the guilds first), then not once the gateway drops."""
    for _ in range(600):  # generous guard: 30 s
        if await bot.not_connected() is None:
            break
        await asyncio.sleep(0.05)
    assert await bot.not_connected() is None
    await fake.close()  # Discord goes away: the gateway drops and discord.py tries to reconnect
    why: str | None = None
    for _ in range(600):  # generous guard: 30 s
        why = await bot.not_connected()
        if why is not None:
            break
        await asyncio.sleep(0.05)
    assert why is not None and "gateway" in why
