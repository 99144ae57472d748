"""The slack-bolt app: slash commands answered from the command layer.

`/tradewatch subscribe|unsubscribe|subscriptions|why|help ...`, `/tariffs X` ("tariffs X")
and `/summary X` ("summary X"). Each is acknowledged at once (Slack allows 3 seconds), then
the command runs and the answer goes to the command's `response_url`: in the channel for
what the channel should see, only to the person who asked for errors and help. The same
handlers serve HTTP mode and Socket Mode; only the transport differs. Handlers use the client
bolt gives each request, which carries the token of the request's workspace (OAuth mode).

In OAuth mode, each command also records its channel's workspace (so alerts there go out
with that workspace's token), and `app_uninstalled` / `tokens_revoked` (the bot's token)
remove the workspace's installation, subscriptions and unsent deliveries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.commands import MANAGES, Commands, Context, wants_help
from bot.core.message import Message, Section
from bot.render.slack_blocks import render
from bot.store import SqlStore

log = logging.getLogger(__name__)

SLASH_COMMANDS = {"/tradewatch": "", "/tariffs": "tariffs", "/summary": "summary"}
"""Slash command -> the command-layer word put before its text."""

INVITE_HINT = ("I am not in this channel yet, so I cannot post alerts here: invite me "
               "(`/invite @TradeWatch`), or the first alert will unsubscribe the channel.")

Handler = Callable[..., Awaitable[None]]


class _NoTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and then warns that the client's token wins; it is
    the same token, so the warning would only confuse."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOG = "bot.chat.slack.bolt"
_QUIET = _NoTokenWarning()


def command_line(slash: str, text: str) -> str:
    """The command-layer line for a slash command ("/tariffs", "china" -> "tariffs china").

    Slack sends `&`, `<`, `>` escaped in the command text; they are unescaped here."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return f"{SLASH_COMMANDS.get(slash, '')} {text}".strip()


def response_type(message: Message) -> str:
    return "ephemeral" if message.ephemeral or message.kind == "error" else "in_channel"


async def ensure_member(client: AsyncWebClient, channel_id: str) -> bool:
    """Make sure the bot can read and post in the channel: join a public one; False when it
    cannot (a private channel it was not invited to)."""
    try:
        await client.conversations_history(channel=channel_id, limit=1)
        return True
    except SlackApiError as e:
        if e.response.get("error") != "not_in_channel":
            return False
    try:
        await client.conversations_join(channel=channel_id)
        return True
    except SlackApiError as e:
        log.info("Slack: cannot join %s: %s", channel_id, e.response.get("error"))
        return False


MANAGERS_ONLY = "to be one of the bot's managers (ask its admin to add you to [slack] managers)"
MANAGERS_OR_ADMINS = ("to be one of the bot's managers or a workspace admin (ask its admin to add you "
                      "to [slack] managers)")


async def is_workspace_admin(client: AsyncWebClient, user: str) -> bool:
    """Whether Slack says the user is an admin or owner of the workspace (users.info); False
    when it cannot be asked (the app lacks the users:read scope), with a log line."""
    try:
        answer = await client.users_info(user=user)
    except SlackApiError as e:
        log.warning("Slack: cannot look up user %s (%s): only [slack] managers may change the bot "
                    "(reinstall the app from `tradewatch slack manifest` for the users:read scope)",
                    user, e.response.get("error"))
        return False
    found = answer.get("user") or {}
    return bool(found.get("is_admin") or found.get("is_owner"))


async def may_manage(client: AsyncWebClient, scope: str | None, user: str | None,
                     managers: frozenset[str]) -> bool:
    """Whether the user may change what a command manages (`MANAGES`): a channel's alerts,
    anyone when no managers are listed; the bot as a whole (its feeds), only a listed manager
    or a workspace admin or owner. Commands that change nothing need nothing."""
    if scope is None or (user is not None and user in managers):
        return True
    if scope == "channel" and not managers:
        return True
    return user is not None and await is_workspace_admin(client, user)


UPLOAD_HINT = ("I could not share the file in this channel ({error}). Invite me "
               "(`/invite @TradeWatch`) and ask again; in a direct message, use the app's Messages tab.")
SCOPE_HINT = ("I could not share the file: the app lacks the files:write scope. Ask its admin to "
              "reinstall it from `tradewatch slack manifest`.")


async def upload(client: AsyncWebClient, channel_id: str, message: Message) -> Message:
    """Share the message's attachment (a chart, an export) in the channel with
    `files_upload_v2`; the message to answer with: as it was, or an error saying why not."""
    a = message.attachment
    if a is None:
        return message
    error = None
    if not await ensure_member(client, channel_id):
        error = "not_in_channel"
    else:
        try:
            await client.files_upload_v2(channel=channel_id, content=a.data, filename=a.filename,
                                         title=message.title, alt_txt=message.title)
        except SlackApiError as e:
            error = str(e.response.get("error") or "refused")
        except Exception as e:  # the upload URL, the network: said to the user, logged
            log.exception("Slack: uploading %s to %s failed", a.filename, channel_id)
            error = type(e).__name__
    if error is not None:
        log.warning("Slack: could not share %s in %s: %s", a.filename, channel_id, error)
        hint = SCOPE_HINT if error == "missing_scope" else UPLOAD_HINT.format(error=error)
        return Message(kind="error", title="Sorry, that did not work", text=hint, ephemeral=True)
    log.info("Slack: shared %s (%d bytes) in %s", a.filename, len(a.data), channel_id)
    return replace(message, text=f"{message.text} The file is shared in this channel.".strip())


def make_handler(commands: Commands, managers: frozenset[str], store: SqlStore | None = None) -> Handler:
    """The slash command handler; with `store` (OAuth mode) it records each channel's workspace."""

    async def handle(ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()  # first: Slack shows an error after 3 seconds without it
        channel_id = str(command.get("channel_id", ""))
        user = command.get("user_id")
        line = command_line(str(command.get("command", "")), str(command.get("text", "")))
        words = line.split()
        scope = MANAGES.get(words[0].lower()) if words and not wants_help(words[1:]) else None
        team_id = str(command.get("team_id") or "")
        if store is not None and team_id and channel_id:
            await store.remember_slack_channel(f"slack:{channel_id}", team_id)
        ctx = Context(channel=f"slack:{channel_id}", user=user,
                      can_manage=await may_manage(client, scope, user, managers),
                      needs=MANAGERS_OR_ADMINS if scope == "bot" else MANAGERS_ONLY)
        message = await commands.execute(ctx, line)
        if (message.kind == "reply" and line.split()[:1] == ["subscribe"]
                and not await ensure_member(client, channel_id)):
            message = replace(message, sections=(*message.sections, Section("Note", text=INVITE_HINT)))
        if message.attachment is not None:
            message = await upload(client, channel_id, message)
        payload = render(message)
        try:
            await respond(text=payload.text, blocks=list(payload.blocks),
                          response_type=response_type(message), replace_original=False)
        except Exception:
            log.exception("Slack: could not answer %r in %s", line, ctx.channel)

    return handle


def uninstall_handlers(store: SqlStore) -> tuple[Handler, Handler]:
    """`app_uninstalled` and `tokens_revoked` (when the bot's token is among them): forget
    the workspace (its installation, subscriptions and unsent deliveries), with a log line."""

    async def forget(team_id: str, why: str) -> None:
        gone = await store.forget_slack_team(team_id)
        log.info("Slack: %s in workspace %s: removed its installation (%s), %d subscription(s) "
                 "and %d unsent delivery(ies) in %d channel(s)", why, team_id,
                 "yes" if gone.installation else "none kept", gone.subscriptions, gone.deliveries,
                 len(gone.channels))

    async def uninstalled(body: dict[str, Any]) -> None:
        team_id = str(body.get("team_id") or "")
        if team_id:
            await forget(team_id, "the app was uninstalled")

    async def revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        team_id = str(body.get("team_id") or "")
        bots = ((event.get("tokens") or {}).get("bot")) or []
        if team_id and bots:
            await forget(team_id, "the bot's token was revoked")

    return uninstalled, revoked


def build_app(client: AsyncWebClient, commands: Commands, *, signing_secret: str = "",
              managers: frozenset[str] = frozenset(), oauth: AsyncOAuthSettings | None = None,
              store: SqlStore | None = None) -> AsyncApp:
    """The bolt app with the slash commands; requests are verified with the signing secret
    (HTTP mode; Socket Mode requests come over the app's own authenticated WebSocket).

    With `oauth` (and the `store` it keeps installations in): "Add to Slack" at
    /slack/install and /slack/oauth_redirect, each request answered with its workspace's
    token, and the workspace forgotten when it uninstalls the app."""
    bolt_log = logging.getLogger(BOLT_LOG)
    bolt_log.addFilter(_QUIET)  # the same filter object: added once
    if oauth is not None:
        if store is None:
            raise ValueError("OAuth mode keeps installations in the store: give build_app the store")
        app = AsyncApp(client=client, signing_secret=signing_secret, name="tradewatch", logger=bolt_log,
                       oauth_settings=oauth, installation_store_bot_only=True)
        uninstalled, revoked = uninstall_handlers(store)
        app.event("app_uninstalled")(uninstalled)
        app.event("tokens_revoked")(revoked)
    else:
        app = AsyncApp(client=client, signing_secret=signing_secret, name="tradewatch", logger=bolt_log)
    handler = make_handler(commands, managers, store if oauth is not None else None)
    for slash in SLASH_COMMANDS:
        app.command(slash)(handler)
    return app
