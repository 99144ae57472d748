"""`tradewatch discord sync` and `tradewatch discord invite` against the fake Discord.

The command runs as it does from a shell (`bot.cli.main`, its own event loop) in a thread,
while the fake serves in the test's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.chat.discord_bot import make_client
from bot.chat.discord_commands import build_tree
from bot.cli import main
from tests.chat.fake_discord import APP_ID, GUILD_ID, FakeDiscord, running


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with running(monkeypatch) as f:
        yield f


async def _tradewatch(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def _declared() -> list[dict[str, object]]:
    """The definitions the bot's own tree declares."""
    client = make_client()

    async def never(interaction: discord.Interaction[discord.Client], text: str) -> None:
        raise AssertionError

    tree = build_tree(client, never)
    return [c.to_dict(tree) for c in tree.get_commands()]


async def test_sync_guild_sends_the_command_definitions_the_tree_declares(
        fake: FakeDiscord, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _tradewatch("discord", "sync", "--guild", GUILD_ID) == 0
    [put] = fake.of("PUT", "/commands")
    assert put.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    assert put.body == await _declared()
    by_name = {c["name"]: c for c in put.body}
    assert list(by_name) == ["subscribe", "unsubscribe", "subscriptions", "tariffs", "summary", "why", "feeds",
                             "help"]
    options = {o["name"]: o for o in by_name["subscribe"]["options"]}
    assert options["tags"]["autocomplete"] and options["countries"]["autocomplete"]
    assert options["min_score"]["type"] == 10 and options["tariffs_only"]["type"] == 5
    assert by_name["subscribe"]["default_member_permissions"] == 1 << 4  # Manage Channels
    status = {o["name"]: o for o in by_name["tariffs"]["options"]}["status"]
    assert [c["value"] for c in status["choices"]] == ["proposed", "announced", "in_effect", "delayed", "removed"]
    feeds = by_name["feeds"]
    assert feeds["default_member_permissions"] == 1 << 5  # Manage Server: feeds are bot-wide
    assert feeds["contexts"] == [0]  # servers only
    subs = {o["name"]: o for o in feeds["options"]}
    assert list(subs) == ["list", "add", "remove"] and all(o["type"] == 1 for o in subs.values())
    add = {o["name"]: o for o in subs["add"]["options"]}
    assert (add["url"]["type"], add["url"]["required"]) == (3, True)
    assert (add["every"]["type"], add["every"].get("required", False)) == (3, False)
    assert (add["backfill"]["type"], add["backfill"].get("required", False)) == (5, False)
    [feed] = subs["remove"]["options"]
    assert (feed["name"], feed["type"], feed["required"]) == ("feed", 3, True)
    out = capsys.readouterr().out
    assert f"registered 8 commands in server {GUILD_ID}" in out and "/subscribe" in out and "/feeds" in out


async def test_sync_without_guild_registers_global_commands(fake: FakeDiscord) -> None:
    assert await _tradewatch("discord", "sync") == 0
    [put] = fake.of("PUT", "/commands")
    assert put.path == f"/applications/{APP_ID}/commands"
    assert len(put.body) == 8


async def test_sync_without_a_token_says_which_variable(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN")
    assert await _tradewatch("discord", "sync", "--guild", GUILD_ID) == 2
    assert "DISCORD_BOT_TOKEN is not set" in capsys.readouterr().err
    assert fake.calls == []


async def test_sync_with_a_rejected_token_says_so(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "revoked")
    assert await _tradewatch("discord", "sync") == 2
    assert "DISCORD_BOT_TOKEN was rejected by Discord" in capsys.readouterr().err
    assert not fake.of("PUT", "/commands")


def _invite(url: str) -> tuple[dict[str, list[str]], discord.Permissions]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(parts.query)
    return query, discord.Permissions(int(query["permissions"][0]))


async def test_invite_prints_the_url_with_scopes_and_permissions(capsys: pytest.CaptureFixture[str]) -> None:
    assert await _tradewatch("discord", "invite", "--client-id", "1234") == 0
    query, perms = _invite(capsys.readouterr().out.strip())
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    assert perms.view_channel and perms.send_messages and perms.embed_links and perms.read_message_history
    assert not (perms.administrator or perms.manage_channels or perms.mention_everyone or perms.manage_messages)


async def test_invite_asks_discord_for_the_application_id(fake: FakeDiscord, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _tradewatch("discord", "invite") == 0
    query, _ = _invite(capsys.readouterr().out.strip())
    assert query["client_id"] == [APP_ID]
