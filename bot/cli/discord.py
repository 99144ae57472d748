"""`tradewatch discord sync [--guild ID]` and `tradewatch discord invite`.

Registering the slash commands is an explicit step, not something every start does:
`sync` sends the definitions of the tree the bot serves (`bot.chat.discord_commands`) to
one server (`--guild`, at once; for trying it out) or to every server the bot is in
(global). `invite` prints the URL that adds the bot to a server with the permissions it
needs and the scopes `bot applications.commands`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import discord

from bot.chat.discord_bot import DiscordStartError, DiscordTokenError, bot_token, login, make_client
from bot.chat.discord_commands import build_tree

SCOPES = ("bot", "applications.commands")


def permissions() -> discord.Permissions:
    """What the bot needs in a channel: see it, post embeds, read its own past alerts."""
    return discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                               read_message_history=True)


def invite_url(client_id: int | str) -> str:
    return discord.utils.oauth_url(client_id, permissions=permissions(), scopes=SCOPES)


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = sub.add_parser("sync", help="register the slash commands with Discord (DISCORD_BOT_TOKEN)",
                          description="Register TradeWatch's slash commands with Discord. With --guild "
                                      "they appear in that server at once; without, in every server "
                                      "the bot is in (global commands).")
    sync.add_argument("--guild", type=int, metavar="ID", help="a server (guild) id: register there only")
    invite = sub.add_parser("invite", help="print the URL that adds the bot to a server",
                            description="Print the invite URL (scopes bot applications.commands, "
                                        "permissions: view channels, send messages, embed links, read "
                                        "message history).")
    invite.add_argument("--client-id", type=int, metavar="ID",
                        help="the application id (default: asked from Discord with DISCORD_BOT_TOKEN)")


async def _sync(guild: int | None) -> list[str]:
    client = make_client()
    try:
        async def never(interaction: discord.Interaction[discord.Client], text: str) -> None:
            raise RuntimeError("tradewatch discord sync does not answer commands")

        tree = build_tree(client, never)
        await login(client, bot_token())
        if guild is None:
            synced = await tree.sync()
        else:
            target = discord.Object(id=guild)
            tree.copy_global_to(guild=target)
            synced = await tree.sync(guild=target)
        return [c.name for c in synced]
    finally:
        await client.close()


async def _application_id() -> int:
    client = make_client()
    try:
        await login(client, bot_token())
        if client.application_id is None:
            raise DiscordStartError("Discord did not say which application this bot belongs to")
        return client.application_id
    finally:
        await client.close()


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "sync":
            names = asyncio.run(_sync(args.guild))
            where = f"server {args.guild}" if args.guild else "every server (global; may take a while to show)"
            print(f"registered {len(names)} commands in {where}: {', '.join('/' + n for n in names)}")
            return 0
        client_id = args.client_id or asyncio.run(_application_id())
        print(invite_url(client_id))
        return 0
    except DiscordTokenError as e:
        print(f"tradewatch discord {args.action}: {e}", file=sys.stderr)
        return 2
    except DiscordStartError as e:
        print(f"tradewatch discord {args.action}: {e}", file=sys.stderr)
        return 1
    except discord.HTTPException as e:
        print(f"tradewatch discord {args.action}: Discord refused: {e}", file=sys.stderr)
        return 1
