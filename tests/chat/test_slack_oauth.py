"""Slack OAuth mode ("Add to Slack", issue 13 point 1): the real slack-bolt OAuth flow and
slash commands against the fake Slack on 127.0.0.1, with installations and OAuth states in
the bot's own database, on SQLite and on PostgreSQL.

A person opens /slack/install (bolt hands out a state, kept in our store, and a cookie),
Slack sends them back to /slack/oauth_redirect with a code and that state, bolt trades the
code for a bot token at the fake's `oauth.v2.access` and our store keeps it. Every post and
command then uses the token of the channel's workspace; `app_uninstalled` forgets one.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.slack import SlackConnector
from bot.chat.slack_oauth import SqlStateStore
from bot.config import ConfigError, Settings, SlackSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.message import Message
from bot.core.sink import ChannelGone
from bot.core.source import Discovered
from bot.domain import Analysis, Article
from bot.service.dispatch import Dispatcher
from bot.store import SqlStore, open_store
from bot.store import tables as t
from tests.chat.fake_slack import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, FakeSlack
from tests.chat.slack_helpers import send_event, send_slash
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema

ENV_OAUTH = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET,
             "SLACK_SIGNING_SECRET": SIGNING_SECRET}
COOKIE = "slack-app-oauth-state"
AUTHORIZE = re.compile(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"')


def _authorize_url(page: str) -> str:
    """The "Add to Slack" link of bolt's install page."""
    found = AUTHORIZE.search(page)
    assert found, page
    return html.unescape(found.group(1))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    schema = None
    if request.param == "postgres":
        schema = await postgres_schema()
    s = open_store(POSTGRES_URL if schema else None, tmp_path, schema=schema)
    await s.migrate()
    try:
        yield s
    finally:
        await s.close()
        if schema:
            await drop_schema(schema)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("no article is analysed in these tests")


def _runtime(store: SqlStore) -> Runtime:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    return Runtime(Settings(), store, Commands(store, _no_analysis), AsyncIOScheduler(), ingest, lambda: None,
                   ingest_file)


@pytest.fixture
async def oauth(fake: FakeSlack, store: SqlStore) -> AsyncIterator[SlackConnector]:
    settings = SlackSettings(enabled=True, mode="http", host="127.0.0.1", port=0, api_url=fake.api_url,
                             redirect_uri="https://bot.example/slack/oauth_redirect")
    c = SlackConnector(settings, env=ENV_OAUTH)
    await c.start(_runtime(store))
    yield c
    await c.stop()


def _base(c: SlackConnector) -> str:
    assert c.address is not None
    return f"http://{c.address[0]}:{c.address[1]}"


async def _install(c: SlackConnector, fake: FakeSlack, team: str, token: str) -> tuple[int, str]:
    """The install as a browser does it: /slack/install, then Slack's redirect with a code."""
    code = f"code-{team}"
    fake.add_install_code(code, team=team, token=token, bot_user=f"UBOT{team}")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{_base(c)}/slack/install", allow_redirects=False) as r:
            assert r.status == 200, await r.text()
            page = await r.text()
            cookie = r.headers["Set-Cookie"].split(";")[0]
        state = parse_qs(urlsplit(_authorize_url(page)).query)["state"][0]
        async with session.get(f"{_base(c)}/slack/oauth_redirect", params={"code": code, "state": state},
                               headers={"Cookie": cookie}, allow_redirects=False) as r:
            return r.status, await r.text()


async def _states(store: SqlStore) -> list[str]:
    async with store._engine.connect() as conn:  # what the store keeps, read as it is
        return [r.state for r in await conn.execute(t.slack_oauth_states.select())]


# ---------------------------------------------------------------- the install flow


async def test_install_page_links_to_slack_with_a_state_kept_in_our_database(
        oauth: SlackConnector, store: SqlStore) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{_base(oauth)}/slack/install") as r:
        assert r.status == 200
        page = await r.text()
        cookie = r.headers["Set-Cookie"]
    url = urlsplit(_authorize_url(page))
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "slack.com", "/oauth/v2/authorize")
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) >= {"commands", "chat:write", "channels:join"}
    assert query["redirect_uri"] == ["https://bot.example/slack/oauth_redirect"]
    assert await _states(store) == query["state"]
    assert cookie.startswith(f"{COOKIE}={query['state'][0]};")


async def test_redirect_with_code_and_state_keeps_the_workspace_token(
        oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    status, page = await _install(oauth, fake, "T1", "xoxb-T1")
    assert status == 200, page
    assert "Thank you" in page or "success" in page.lower()
    kept = await store.slack_install("T1")
    assert kept is not None
    assert (kept.team_id, kept.bot_token, kept.bot_user_id, kept.bot_id) == ("T1", "xoxb-T1", "UBOTT1", "BT1")
    assert await _states(store) == []  # the state was good once
    assert [a["code"] for a in fake.called("oauth.v2.access")] == ["code-T1"]


async def test_a_redirect_with_a_state_we_never_gave_installs_nothing(
        oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    fake.add_install_code("code-T9", team="T9", token="xoxb-T9")
    async with aiohttp.ClientSession() as session, session.get(
            f"{_base(oauth)}/slack/oauth_redirect", params={"code": "code-T9", "state": "forged"},
            headers={"Cookie": f"{COOKIE}=forged"}) as r:
        assert r.status == 401
    assert await store.slack_install("T9") is None
    assert fake.called("oauth.v2.access") == []


async def test_a_state_is_good_once_and_not_after_it_expires(store: SqlStore) -> None:
    states = SqlStateStore(store)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False  # once only
    expired = SqlStateStore(store, expiration_seconds=-1)
    assert await expired.async_consume(await expired.async_issue()) is False
    assert await _states(store) == []  # expired ones are cleared


# ---------------------------------------------------------------- per-workspace tokens


async def test_each_workspace_is_answered_and_alerted_with_its_own_token(
        oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    assert (await _install(oauth, fake, "T1", "xoxb-T1"))[0] == 200
    assert (await _install(oauth, fake, "T2", "xoxb-T2"))[0] == 200
    assert oauth.address is not None
    for team, channel in (("T2", "C2"), ("T1", "C1")):
        status, _ = await send_slash(oauth.address, "/tradewatch", "subscribe tags:tariffs",
                                     fake.response_url(channel), channel=channel, team=team)
        assert status == 200
    await fake.wait_for(lambda: len(fake.responses) == 2)
    assert all(r["response_type"] == "in_channel" for r in fake.responses)
    assert {s.channel for s in await store.subscriptions()} == {"slack:C1", "slack:C2"}
    # the command's own calls (is the bot in the channel?) carry that workspace's token
    assert set(fake.tokens_for("conversations.history", "C2")) == {"xoxb-T2"}
    assert set(fake.tokens_for("conversations.history", "C1")) == {"xoxb-T1"}

    alert = Message(kind="alert", title="EU raises scooter duties", text="35 per cent from July 1", key="a1")

    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        return alert if alert_id == "a1" else None

    await store.enqueue("a1", ["slack:C2", "slack:C1"])
    assert await Dispatcher(store, oauth.sinks(), message_for).drain() == 2  # the service's delivery path
    assert {d.channel: d.state for d in await store.deliveries()} == {"slack:C1": "sent", "slack:C2": "sent"}
    assert fake.tokens_for("chat.postMessage", "C2") == ["xoxb-T2"]
    assert fake.tokens_for("chat.postMessage", "C1") == ["xoxb-T1"]
    assert await oauth.sink.find("C2", "a1") is not None
    assert fake.tokens_for("conversations.history", "C2")[-1] == "xoxb-T2"


async def test_a_channel_of_a_workspace_without_installation_is_gone(
        oauth: SlackConnector, fake: FakeSlack) -> None:
    alert = Message(kind="alert", title="t", text="x", key="a1")
    with pytest.raises(ChannelGone, match="not installed"):
        await oauth.sink.post("C404", alert)
    assert fake.posts() == []


# ---------------------------------------------------------------- uninstall


async def _two_workspaces_with_alerts_owed(oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    for team, channel in (("T1", "C1"), ("T2", "C2")):
        assert (await _install(oauth, fake, team, f"xoxb-{team}"))[0] == 200
        assert oauth.address is not None
        await send_slash(oauth.address, "/tradewatch", "subscribe", fake.response_url(channel),
                         channel=channel, team=team)
    await fake.wait_for(lambda: len(fake.responses) == 2)
    await store.enqueue("a1", ["slack:C1", "slack:C2"])
    await store.enqueue("a2", ["slack:C2"])


async def test_app_uninstalled_forgets_that_workspace_only(
        oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    await _two_workspaces_with_alerts_owed(oauth, store, fake)
    assert oauth.address is not None
    assert await send_event(oauth.address, "T2", {"type": "app_uninstalled"}) == 200
    for _ in range(500):  # the event is handled after the ack: poll the store (10 s at most)
        if await store.slack_install("T2") is None and not await store.subscriptions("slack:C2"):
            break
        await asyncio.sleep(0.02)
    assert await store.slack_install("T2") is None
    assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]
    assert [(d.alert_id, d.channel) for d in await store.deliveries()] == [("a1", "slack:C1")]
    kept = await store.slack_install("T1")
    assert kept is not None and kept.bot_token == "xoxb-T1"
    with pytest.raises(ChannelGone):
        await oauth.sink.post("C2", Message(kind="alert", title="t", text="x", key="a3"))


async def test_an_unsigned_uninstall_is_refused(oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    await _two_workspaces_with_alerts_owed(oauth, store, fake)
    assert oauth.address is not None
    assert await send_event(oauth.address, "T2", {"type": "app_uninstalled"}, secret="wrong") == 401
    assert await store.slack_install("T2") is not None
    assert len(await store.subscriptions()) == 2


async def test_tokens_revoked_forgets_the_workspace_only_when_the_bot_token_goes(
        oauth: SlackConnector, store: SqlStore, fake: FakeSlack) -> None:
    await _two_workspaces_with_alerts_owed(oauth, store, fake)
    assert oauth.address is not None
    users_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U7"], "bot": []}}
    assert await send_event(oauth.address, "T2", users_only) == 200
    await asyncio.sleep(0.3)
    assert await store.slack_install("T2") is not None
    bot = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTT2"]}}
    assert await send_event(oauth.address, "T2", bot) == 200
    for _ in range(500):
        if await store.slack_install("T2") is None:
            break
        await asyncio.sleep(0.02)
    assert await store.slack_install("T2") is None
    assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]


# ---------------------------------------------------------------- configuration


def test_oauth_mode_needs_http_mode_and_both_client_credentials(fake: FakeSlack) -> None:
    http = SlackSettings(enabled=True, mode="http", api_url=fake.api_url)
    c = SlackConnector(http, env=ENV_OAUTH)
    assert c.tokens.oauth and c.tokens.bot_token == ""
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        SlackConnector(http, env={"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_SIGNING_SECRET": SIGNING_SECRET})
    auto = SlackSettings(enabled=True, mode="auto", api_url=fake.api_url)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):  # the simple default stays token mode
        SlackConnector(auto, env=ENV_OAUTH)


async def test_single_workspace_mode_is_unchanged(fake: FakeSlack, store: SqlStore) -> None:
    settings = SlackSettings(enabled=True, mode="http", host="127.0.0.1", port=0, api_url=fake.api_url)
    c = SlackConnector(settings, env={"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET})
    await c.start(_runtime(store))
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{_base(c)}/slack/install") as r:
            assert r.status == 404
        await c.sink.post("C1", Message(kind="alert", title="t", text="x", key="a1"))
        assert fake.tokens_for("chat.postMessage", "C1") == ["xoxb-test-token"]
    finally:
        await c.stop()
    assert await store.slack_install("T1") is None  # nothing kept per workspace
