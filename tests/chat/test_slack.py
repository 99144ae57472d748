"""Slack over the wire: the real slack-bolt and slack-sdk against the fake Slack on 127.0.0.1.

Slash commands are POSTed to the bot's own HTTP endpoint, signed like Slack signs them;
answers arrive at the fake's response_url; alerts at its chat.postMessage.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.slack import SlackConnector, SlackSink
from bot.config import ConfigError, Settings, SlackSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.message import Message, Section
from bot.core.sink import ChannelGone, TransientError
from bot.core.source import Discovered
from bot.domain import Analysis, Article, Subscription
from bot.service.connectors import build_connectors
from bot.store import SqlStore
from tests.chat.fake_slack import FakeSlack
from tests.chat.slack_helpers import ENV_HTTP, ENV_SOCKET, send_slash


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("no article is analysed in these tests")


def _settings(fake: FakeSlack, **kw: object) -> SlackSettings:
    return SlackSettings(enabled=True, mode="auto", host="127.0.0.1", port=0, api_url=fake.api_url, **kw)


def _runtime(store: SqlStore) -> Runtime:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    return Runtime(Settings(), store, Commands(store, _no_analysis), AsyncIOScheduler(), ingest, lambda: None,
                   ingest_file)


async def _started(fake: FakeSlack, store: SqlStore, env: dict[str, str] = ENV_HTTP,
                   **kw: object) -> SlackConnector:
    c = SlackConnector(_settings(fake, **kw), env=env)
    await c.start(_runtime(store))
    return c


@pytest.fixture
async def http(fake: FakeSlack, store: SqlStore) -> AsyncIterator[SlackConnector]:
    c = await _started(fake, store)
    yield c
    await c.stop()


def _address(c: SlackConnector) -> tuple[str, int]:
    assert c.address is not None
    return c.address


# ---------------------------------------------------------------- slash commands


async def test_subscribe_is_acknowledged_then_answered_in_the_channel(
        fake: FakeSlack, store: SqlStore, http: SlackConnector,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Slack wants the acknowledgement within 3 seconds whatever the command costs: the empty
    200 comes back while the command's own work is still held, and the answer follows."""
    release = asyncio.Event()
    subscribe = store.subscribe

    async def held_subscribe(sub: Subscription) -> None:
        await release.wait()
        await subscribe(sub)

    monkeypatch.setattr(store, "subscribe", held_subscribe)
    status, body = await asyncio.wait_for(  # a generous guard: no answer while held fails here
        send_slash(_address(http), "/tradewatch", "subscribe tags:tariffs countries:china",
                   fake.response_url()), timeout=30)
    assert status == 200 and body == ""
    assert fake.responses == [] and await store.subscriptions("slack:C1") == []
    release.set()
    await fake.wait_for(lambda: fake.responses)
    answer = fake.responses[0]
    assert answer["response_type"] == "in_channel"
    assert "Subscribed" in answer["text"] and "tags: tariffs" in str(answer["blocks"])
    subs = await store.subscriptions("slack:C1")
    assert [(s.tags, s.countries, s.created_by) for s in subs] == [(("tariffs",), ("China",), "U1")]


async def test_errors_go_only_to_the_user_who_asked(fake: FakeSlack, store: SqlStore,
                                                    http: SlackConnector) -> None:
    status, _ = await send_slash(_address(http), "/tradewatch", "subscribe tags:nonsense", fake.response_url())
    assert status == 200
    await fake.wait_for(lambda: fake.responses)
    answer = fake.responses[0]
    assert answer["response_type"] == "ephemeral"
    assert "unknown tag nonsense" in str(answer["blocks"])
    assert await store.subscriptions("slack:C1") == []


async def test_tariffs_and_summary_commands_reach_the_command_layer(
        fake: FakeSlack, http: SlackConnector) -> None:
    await send_slash(_address(http), "/tariffs", "china --since 2025-01-01", fake.response_url("t"))
    await send_slash(_address(http), "/summary", "no-such-article", fake.response_url("s"))
    await fake.wait_for(lambda: len(fake.responses) == 2)
    by_url = {r["url_name"]: r for r in fake.responses}
    assert "Tariff ledger — China, since 2025-01-01" in by_url["t"]["text"]
    assert by_url["t"]["response_type"] == "in_channel"
    assert "No article 'no-such-article' is stored" in str(by_url["s"]["blocks"])
    assert by_url["s"]["response_type"] == "ephemeral"


@pytest.mark.parametrize(("secret", "age"), [("not-the-secret", 0.0), ("test-signing-secret", 6 * 60.0)],
                         ids=["bad signature", "stale timestamp"])
async def test_unsigned_or_stale_request_gets_401_and_changes_nothing(
        fake: FakeSlack, store: SqlStore, http: SlackConnector, secret: str, age: float) -> None:
    status, _ = await send_slash(_address(http), "/tradewatch", "subscribe", fake.response_url(),
                                 secret=secret, age_seconds=age)
    assert status == 401
    await asyncio.sleep(0.3)
    assert fake.responses == []
    assert await store.subscriptions() == []
    # the same request, signed now with the right secret, works: the 401 was the signature
    status, _ = await send_slash(_address(http), "/tradewatch", "subscribe", fake.response_url())
    assert status == 200
    await fake.wait_for(lambda: fake.responses)
    assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]


async def test_only_managers_change_subscriptions_when_configured(fake: FakeSlack, store: SqlStore) -> None:
    c = await _started(fake, store, managers=("UBOSS",))
    try:
        await send_slash(_address(c), "/tradewatch", "subscribe", fake.response_url("a"), user="U1")
        await fake.wait_for(lambda: fake.responses)
        assert fake.responses[0]["response_type"] == "ephemeral"
        assert "bot's managers" in json.dumps(fake.responses[0]) and "Manage Channels" not in json.dumps(fake.responses[0])
        assert await store.subscriptions() == []
        await send_slash(_address(c), "/tradewatch", "subscribe", fake.response_url("b"), user="UBOSS")
        await fake.wait_for(lambda: len(fake.responses) == 2)
        assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]
    finally:
        await c.stop()


async def test_subscribing_joins_a_public_channel_and_asks_to_be_invited_to_a_private_one(
        fake: FakeSlack, http: SlackConnector) -> None:
    fake.history_errors["CPUB"] = "not_in_channel"
    fake.history_errors["GPRIV"] = "channel_not_found"
    await send_slash(_address(http), "/tradewatch", "subscribe", fake.response_url("pub"), channel="CPUB")
    await send_slash(_address(http), "/tradewatch", "subscribe", fake.response_url("priv"), channel="GPRIV")
    await fake.wait_for(lambda: len(fake.responses) == 2)
    by_url = {r["url_name"]: str(r["blocks"]) for r in fake.responses}
    assert [a["channel"] for a in fake.called("conversations.join")] == ["CPUB"]
    assert "invite me" not in by_url["pub"]
    assert "invite me" in by_url["priv"]


# ---------------------------------------------------------------- start-up


@pytest.mark.parametrize(("env", "missing"), [
    ({}, "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN is not set"),
])
def test_missing_tokens_are_named(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError, match=missing):
        SlackConnector(SlackSettings(enabled=True), env=env)


def test_socket_mode_needs_the_app_token() -> None:
    with pytest.raises(ConfigError, match=r"socket mode.*SLACK_APP_TOKEN is not set"):
        SlackConnector(SlackSettings(enabled=True, mode="socket"), env={"SLACK_BOT_TOKEN": "xoxb-1"})


async def test_rejected_bot_token_is_a_clear_start_up_error(fake: FakeSlack, store: SqlStore) -> None:
    fake.auth_error = "invalid_auth"
    c = SlackConnector(_settings(fake), env=ENV_HTTP)
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN was rejected by Slack: invalid_auth$"):
        await c.start(_runtime(store))
    assert c.address is None  # nothing is served


async def test_rejected_app_token_is_a_clear_start_up_error(fake: FakeSlack, store: SqlStore) -> None:
    fake.app_token_error = "invalid_auth"
    c = SlackConnector(_settings(fake), env=ENV_SOCKET)
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN was rejected by Slack: invalid_auth$"):
        await c.start(_runtime(store))


def test_the_registry_builds_slack_only_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV_HTTP.items():
        monkeypatch.setenv(k, v)
    assert not [c for c in build_connectors(Settings()) if c.name == "slack"]
    built = [c for c in build_connectors(Settings(slack=SlackSettings(enabled=True))) if c.name == "slack"]
    assert [type(c) for c in built] == [SlackConnector]
    assert set(built[0].sinks()) == {"slack"}


# ---------------------------------------------------------------- Socket Mode


async def test_socket_mode_is_used_when_an_app_token_is_set(fake: FakeSlack, store: SqlStore) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    c = await _started(fake, store, env=ENV_SOCKET)
    try:
        assert isinstance(c.socket_handler, AsyncSocketModeHandler)
        assert c.socket_handler.app is c.app
        assert c.address is None  # no HTTP endpoint in Socket Mode
        assert fake.called("apps.connections.open")
        # the same handlers, over the WebSocket: acknowledged, then answered
        from tests.chat.slack_helpers import slash_payload
        await fake.push_slash_command("env-1", slash_payload("/tradewatch", "subscribe tags:tariffs",
                                                             fake.response_url()))
        await fake.wait_for(lambda: fake.responses and fake.acks)
        assert fake.acks[0]["envelope_id"] == "env-1"
        assert fake.responses[0]["response_type"] == "in_channel"
        assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]
    finally:
        await c.stop()


async def test_ready_while_the_socket_mode_connection_is_up(fake: FakeSlack, store: SqlStore) -> None:
    """What /readyz asks of Slack (issue 13 point 4): the Socket Mode WebSocket is open."""
    c = await _started(fake, store, env=ENV_SOCKET)
    try:
        assert await c.not_connected() is None
        await fake.close()  # Slack goes away; the client keeps trying to reconnect
        why: str | None = None
        for _ in range(600):  # generous guard: 30 s
            why = await c.not_connected()
            if why is not None:
                break
            await asyncio.sleep(0.05)
        assert why == "the Socket Mode connection to Slack is down (reconnecting)"
    finally:
        await c.stop()


async def test_http_mode_is_ready_once_it_serves(fake: FakeSlack, store: SqlStore) -> None:
    c = SlackConnector(_settings(fake), env=ENV_HTTP)
    assert await c.not_connected() == "not started"
    await c.start(_runtime(store))
    try:
        assert await c.not_connected() is None
    finally:
        await c.stop()


# ---------------------------------------------------------------- the sink


def _alert(key: str = "story-1", title: str = "Duties on bicycles rise") -> Message:
    return Message(kind="alert", title=title, text="A fictional story.", key=key,
                   sections=(Section("People", items=("Ana Lima — trade minister, Brazil",)),),
                   facts=date(2025, 5, 20).isoformat())


async def test_three_429s_are_waited_out_and_the_alert_arrives_once(fake: FakeSlack) -> None:
    sink = SlackSink(SlackConnector(_settings(fake), env=ENV_HTTP).client)
    for _ in range(3):
        fake.queue("chat.postMessage", status=429, retry_after=0)
    ts = await sink.post("C1", _alert())
    assert len(fake.called("chat.postMessage")) == 4
    assert [m["ts"] for m in fake.posts("C1")] == [ts]


async def test_429s_beyond_the_retries_are_retried_later_not_dropped(fake: FakeSlack) -> None:
    sink = SlackSink(SlackConnector(_settings(fake, rate_limit_retries=1), env=ENV_HTTP).client)
    for _ in range(2):
        fake.queue("chat.postMessage", status=429, retry_after=0)
    with pytest.raises(TransientError, match="ratelimited"):
        await sink.post("C1", _alert())
    assert fake.posts() == []
    assert await sink.post("C1", _alert())  # the dispatcher's next attempt
    assert len(fake.posts("C1")) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_a_channel_that_is_gone_raises_channel_gone(fake: FakeSlack, error: str) -> None:
    sink = SlackSink(SlackConnector(_settings(fake), env=ENV_HTTP).client)
    fake.channel_errors["CGONE"] = error
    with pytest.raises(ChannelGone, match=error):
        await sink.post("CGONE", _alert())


async def test_other_errors_are_retried_not_taken_for_a_gone_channel(fake: FakeSlack) -> None:
    sink = SlackSink(SlackConnector(_settings(fake), env=ENV_HTTP).client)
    fake.queue("chat.postMessage", error="internal_error")
    with pytest.raises(TransientError, match="internal_error"):
        await sink.post("C1", _alert())


async def test_find_recognises_a_posted_alert_by_its_metadata(fake: FakeSlack) -> None:
    sink = SlackSink(SlackConnector(_settings(fake), env=ENV_HTTP).client)
    ts = await sink.post("C1", _alert("story-1"))
    await sink.post("C1", _alert("story-2"))
    assert fake.posts("C1")[0]["metadata"] == {"event_type": "tradewatch_alert",
                                               "event_payload": {"key": "story-1"}}
    assert await sink.find("C1", "story-1") == ts
    assert await sink.find("C1", "story-3") is None
    assert await sink.find("CEMPTY", "story-1") is None
    fake.channel_errors["CGONE"] = "channel_not_found"
    assert await sink.find("CGONE", "story-1") is None  # then posting it finds the channel gone
    fake.history_errors["C1"] = "missing_scope"
    with pytest.raises(TransientError, match="missing_scope"):  # undecided, never guessed
        await sink.find("C1", "story-1")
