"""TradeWatch on Discord: a discord.py client with an application command tree, and the
sink the dispatcher posts alerts through.

- The token comes only from the environment (`DISCORD_BOT_TOKEN`; missing or rejected:
  `DiscordTokenError`, a `ConfigError`); intents are
  `Intents.none()` plus `guilds` (no privileged intent: application commands arrive as
  interactions, and the bot reads no one's messages).
- Commands map to `Commands.execute` with `Context(channel="discord:<channel id>",
  user=<user id>, can_manage=...)`: `may_manage` decides it from the command, Manage
  Server for the bot-wide `feeds`, Manage Channels (in that channel) for the rest; never
  outside a server. An answer ready within
  `defer_after_seconds` is the interaction's response; a slower one is deferred
  (type 5, "thinking") and sent as a follow-up. Errors are ephemeral.
- Every message goes out with `AllowedMentions.none()` (also the client's default), so
  nothing an article writes can ping anyone.
- The gateway is discord.py's `AutoShardedClient`: `[discord] shard_count` and `shard_ids`
  make this instance connect only its shards (Discord sends each shard the events of the
  guilds with `(guild_id >> 22) % shard_count` equal to its id), so N instances split the
  gateway; unset, discord.py connects its recommended count. Posting is REST (on a client of
  its own), so any instance posts to any channel. Several instances on one PostgreSQL: the
  gateway connection runs under a lease per shard set (`gateway_lease`), so instances
  configured alike are holder and standby, and a standby takes over when the holder dies.
- Rate limits are left to discord.py. A 403 or 404 on posting raises `ChannelGone`: the
  dispatcher unsubscribes that channel and logs it. Any other failure is retried.
- Crash reconciliation (`find`): an alert is sent with a nonce derived from its key and
  `enforce_nonce`, so a post retried within Discord's few-minute nonce window returns
  the message already created instead of a second one; and `find` looks through the
  channel's latest messages (`find_history`, at most 100: one request) for one from this
  bot whose embed footer ends in `id: <key>` (the bot may always read its own messages'
  embeds, no message-content intent needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord

from bot.chat.discord_commands import build_tree
from bot.config import ConfigError
from bot.core.commands import Commands, Context
from bot.core.message import Message
from bot.core.sink import ChannelGone, ChatSink
from bot.render.discord_embeds import KEY_PREFIX, SEP, render_embeds

if TYPE_CHECKING:
    from bot.config import DiscordSettings
    from bot.core.connector import Runtime

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_BOT_TOKEN"  # noqa: S105 (the name of the variable, not a token)
NO_MENTIONS = discord.AllowedMentions.none()
AUTH_FAILED = 4004  # gateway close code: the token was not accepted


class DiscordStartError(ConnectionError):
    """Discord cannot be reached, or its gateway ended the connection at start-up.

    A `ConnectionError` (an `OSError`): `tradewatch run` reports it in one line, exit 1."""


class DiscordTokenError(ConfigError):
    """DISCORD_BOT_TOKEN is missing or Discord rejected it: a configuration error (exit 2)."""


def bot_token(environ: Mapping[str, str] | None = None) -> str:
    """The bot token from the environment, or a clear error naming the variable."""
    token = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    if not token:
        raise DiscordTokenError(
            f"{TOKEN_ENV} is not set: copy the bot token from the Discord developer portal "
            "(your application -> Bot -> Reset Token) into the environment")
    return token


def rejected(e: Exception) -> DiscordTokenError:
    return DiscordTokenError(f"{TOKEN_ENV} was rejected by Discord ({e}): check that it is the "
                             "current token of the application's bot")


def intents() -> discord.Intents:
    """Only what the bot needs: guild events; no privileged intents."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


def make_client(*, ready_timeout: float = 2.0) -> discord.Client:
    """A client for REST only (`tradewatch discord sync`, `invite`)."""
    # the bot has no voice: no warning that voice libraries are missing
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    return discord.Client(intents=intents(), allowed_mentions=NO_MENTIONS, guild_ready_timeout=ready_timeout)


def make_gateway_client(settings: DiscordSettings, *, ready_timeout: float = 2.0) -> discord.AutoShardedClient:
    """The gateway client: discord.py's `AutoShardedClient`. With `shard_count` and `shard_ids`
    (validated together in `DiscordSettings`) it connects only this instance's shards, so N
    instances split the gateway; without them it asks Discord (`GET /gateway/bot`) for the
    recommended count and connects every shard (one for a bot in fewer than 2,500 servers)."""
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if settings.shard_count:
        return discord.AutoShardedClient(intents=intents(), allowed_mentions=NO_MENTIONS,
                                         guild_ready_timeout=ready_timeout, shard_count=settings.shard_count,
                                         shard_ids=list(settings.shard_ids))
    return discord.AutoShardedClient(intents=intents(), allowed_mentions=NO_MENTIONS,
                                     guild_ready_timeout=ready_timeout)


def shards_named(client: discord.AutoShardedClient) -> str:
    """This instance's shards as a log line says them: "shards 0, 1 of 2"."""
    count = client.shard_count or 0
    ids = list(client.shard_ids or range(count))
    return f"shard{'s' if len(ids) != 1 else ''} {', '.join(map(str, ids)) or '?'} of {count or '?'}"


async def login(client: discord.Client, token: str) -> None:
    """Log in (REST only); a rejected token becomes a clear `DiscordTokenError`."""
    try:
        await client.login(token)
    except discord.LoginFailure as e:
        await client.close()
        raise rejected(e) from None
    except (discord.HTTPException, OSError) as e:
        await client.close()
        raise DiscordStartError(f"cannot log in to Discord: {e}") from e


def nonce_for(key: str) -> str:
    """A nonce derived from the alert key: at most 25 characters, as Discord requires."""
    return "tw" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:23]


def has_key(message: discord.Message, key: str) -> bool:
    token = f"{KEY_PREFIX}{key}"
    return any(e.footer.text is not None and (e.footer.text == token or e.footer.text.endswith(SEP + token))
               for e in message.embeds)


class DiscordSink:
    """Posts alerts as embeds to Discord channels ("discord:<channel id>")."""

    service = "discord"

    def __init__(self, client: discord.Client, *, history: int = 100) -> None:
        self._client = client
        self._history = history

    def _channel(self, channel_id: str) -> discord.PartialMessageable:
        try:
            return self._client.get_partial_messageable(int(channel_id))
        except ValueError:
            raise ChannelGone(f"{channel_id!r} is not a Discord channel id") from None

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None:
        """`channel.send`; with `thread`, a reply to that message (a message reference)."""
        channel = self._channel(channel_id)
        options: dict[str, Any] = {}
        if message.key:
            options = {"nonce": nonce_for(message.key)}  # discord.py adds enforce_nonce
        if thread:
            options["reference"] = discord.MessageReference(message_id=int(thread), channel_id=int(channel_id),
                                                            fail_if_not_exists=False)
            options["mention_author"] = False
        try:
            sent = await channel.send(embeds=render_embeds(message), allowed_mentions=NO_MENTIONS, **options)
        except (discord.Forbidden, discord.NotFound) as e:
            raise ChannelGone(f"Discord answered {e.status}: {e.text or e}") from e
        return str(sent.id)

    async def edit(self, channel_id: str, ref: str, message: Message) -> None:
        """Edit the bot's message `ref` (PATCH): new embeds, the alert key still in the footer."""
        try:
            await self._channel(channel_id).get_partial_message(int(ref)).edit(
                embeds=render_embeds(message), allowed_mentions=NO_MENTIONS)
        except (discord.Forbidden, discord.NotFound) as e:
            raise ChannelGone(f"Discord answered {e.status}: {e.text or e}") from e

    async def find(self, channel_id: str, key: str, *, thread: str | None = None) -> str | None:
        """A reply is a message of the channel too: `thread` changes nothing here."""
        me = self._client.user
        if me is None:
            return None
        try:
            async for m in self._channel(channel_id).history(limit=self._history):
                if m.author.id == me.id and has_key(m, key):
                    return str(m.id)
        except (discord.Forbidden, discord.NotFound, ChannelGone):
            return None  # posting will find the channel gone and unsubscribe it
        return None


BOT_WIDE = frozenset({"feeds"})
"""Commands that change (or show) what the whole bot does, not one channel: Manage Server."""


def command_name(text: str) -> str:
    """The command a line runs, as `Commands.execute` reads it ("feeds add URL" -> "feeds")."""
    words = text.split(maxsplit=1)
    return words[0].lower().lstrip("/") if words else "help"


def permission_needed(command: str) -> tuple[str, str]:
    """The permission a member needs to change what `command` manages, as discord.py's
    attribute and as Discord names it: the bot's feeds need Manage Server, a channel's
    subscription Manage Channels."""
    if command in BOT_WIDE:
        return "manage_guild", "the Manage Server permission"
    return "manage_channels", "the Manage Channels permission"


def may_manage(command: str, permissions: discord.Permissions, *, in_guild: bool) -> bool:
    """Whether a member with `permissions` may change what `command` manages (never
    outside a server)."""
    return in_guild and bool(getattr(permissions, permission_needed(command)[0]))


def attached(message: Message) -> list[discord.File]:
    """The message's attachment (a chart, an export) as the `files` of a Discord send
    (discord.py's MISSING when there is none, so the message goes as plain JSON)."""
    a = message.attachment
    if a is None:
        return discord.utils.MISSING  # type: ignore[no-any-return]
    return [discord.File(io.BytesIO(a.data), filename=a.filename, description=message.title[:1024] or None)]


class Answerer:
    """Answers one command interaction through the command layer."""

    def __init__(self, commands: Commands, *, defer_after: float = 2.0) -> None:
        self._commands = commands
        self._defer_after = defer_after

    @staticmethod
    def context(interaction: discord.Interaction[Any], text: str) -> Context:
        command = command_name(text)
        manage = may_manage(command, interaction.permissions, in_guild=interaction.guild_id is not None)
        needs = permission_needed(command)[1] if interaction.guild_id is not None else "to run this in a server channel"
        return Context(channel=f"discord:{interaction.channel_id}", user=str(interaction.user.id),
                       can_manage=manage, needs=needs)

    async def __call__(self, interaction: discord.Interaction[Any], text: str) -> None:
        ctx = self.context(interaction, text)
        work = asyncio.ensure_future(self._commands.execute(ctx, text))
        done, _ = await asyncio.wait({work}, timeout=self._defer_after)
        if done:
            message = work.result()
            await interaction.response.send_message(embeds=render_embeds(message), ephemeral=message.ephemeral,
                                                    allowed_mentions=NO_MENTIONS, files=attached(message))
            return
        await interaction.response.defer(thinking=True)
        message = await work
        if message.ephemeral:
            # the first follow-up would take the public "thinking" message's place: remove it,
            # so the private answer is a message of its own
            with contextlib.suppress(discord.NotFound):
                await interaction.delete_original_response()
        await interaction.followup.send(embeds=render_embeds(message), ephemeral=message.ephemeral,
                                        allowed_mentions=NO_MENTIONS, files=attached(message))


def _gateway_ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord gateway connection ended: %s; commands are not answered until a restart "
                  "(alerts are still posted)", task.exception())


def gateway_lease(settings: DiscordSettings) -> str:
    """The lease this instance's gateway connection runs under: one per shard set, so two
    instances configured alike are holder and standby, and instances with different
    `shard_ids` each hold their own."""
    if not settings.shard_count:
        return "discord-gateway"
    return f"discord-gateway:shards {','.join(map(str, settings.shard_ids))} of {settings.shard_count}"


class DiscordConnector:
    """The Discord gateway client, its command tree and its alert sink.

    Posting is REST, on a client of its own (`rest`): every instance posts. The gateway
    connection (commands) runs under the lease `gateway_lease(settings)` (`Runtime.leases`):
    of several instances on one store configured with the same shards, one connects and
    another takes over within seconds of its death. A new gateway client is made for each
    connection (a closed discord.py client is not reused)."""

    name = "discord"

    def __init__(self, settings: DiscordSettings) -> None:
        self._settings = settings
        self.client = make_gateway_client(settings)
        self.rest = make_client()
        self._sink = DiscordSink(self.rest, history=settings.find_history)
        self._task: asyncio.Task[None] | None = None
        self._token = ""
        self._commands: Commands | None = None
        self._standby = False

    def sinks(self) -> Mapping[str, ChatSink]:
        return {"discord": self._sink}

    async def start(self, runtime: Runtime) -> None:
        self._token = bot_token()
        self._commands = runtime.commands
        await login(self.rest, self._token)
        await runtime.leases.add(gateway_lease(self._settings), self._connect, self._disconnect)
        self._standby = self._task is None
        if self._standby:
            log.info("Discord: another instance holds %s; this one posts alerts and stands by",
                     gateway_lease(self._settings))

    async def _connect(self) -> None:
        if self._commands is None:
            raise RuntimeError("the Discord connector has not been started")
        if self.client.is_closed():
            self.client = make_gateway_client(self._settings)
        self._standby = False
        build_tree(self.client, Answerer(self._commands, defer_after=self._settings.defer_after_seconds))
        await login(self.client, self._token)
        ready = asyncio.ensure_future(self.client.wait_for("connect"))
        self._task = task = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        done, _ = await asyncio.wait({ready, task}, timeout=self._settings.ready_timeout_seconds,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            self._task = None
            await self.client.close()
            error = task.exception()
            if isinstance(error, discord.ConnectionClosed) and error.code == AUTH_FAILED:
                raise rejected(error)
            raise DiscordStartError(f"the Discord gateway connection ended: {error}")
        task.add_done_callback(_gateway_ended)
        if not done:
            ready.cancel()
            log.warning("Discord's gateway has not answered within %.0f s; still trying (alerts are "
                        "posted meanwhile, commands wait for the connection)", self._settings.ready_timeout_seconds)
        else:
            me = self.client.user
            log.info("connected to Discord as %s (%s); this instance runs %s", me, me.id if me else "?", shards_named(self.client))

    async def _disconnect(self) -> None:
        self._standby = True  # (the lease went elsewhere, or the bot stops)
        if self._task is None:
            return  # never connected here (a closed AutoShardedClient must have connected)
        await self.client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._task, timeout=10)
        self._task = None

    async def not_connected(self) -> str | None:
        """For /readyz: the gateway connection is up and READY (or another instance holds it:
        this one stands by, posting alerts)."""
        if self._task is None:
            return None if self._standby else "not started"
        if self._task.done():
            return "the gateway connection ended (restart the bot)"
        shards = self.client.shards
        if self.client.is_closed() or not self.client.is_ready() or not shards:
            return "the gateway connection is not ready (connecting or resuming)"
        down = sorted(i for i, shard in shards.items() if shard.is_closed())
        if down:
            return f"the gateway connection of shard(s) {', '.join(map(str, down))} is down (resuming)"
        return None

    async def stop(self) -> None:
        await self._disconnect()
        await self.rest.close()
