"""Slack: alerts as Block Kit in channels (`SlackSink`), slash commands through slack-bolt
(`SlackConnector`), in HTTP mode or Socket Mode.

Tokens come only from the environment: SLACK_BOT_TOKEN always, SLACK_SIGNING_SECRET in HTTP
mode, SLACK_APP_TOKEN in Socket Mode. OAuth mode ("Add to Slack", many workspaces; HTTP mode
only) takes SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead of SLACK_BOT_TOKEN: each workspace's
bot token is then kept in the database (`bot/chat/slack_oauth.py`) and every post and
command uses the token of the channel's workspace. Missing ones are named when the bot is built; a token
Slack rejects is named when it starts ("SLACK_BOT_TOKEN was rejected by Slack: invalid_auth").

Every alert carries message metadata (`tradewatch_alert`, with the alert key), so `find` can
look it up in `conversations.history` after a crash. HTTP 429 answers are waited out
(Retry-After) by the client's retry handler, and for the whole workspace: Slack limits
chat.postMessage per workspace as well as per channel, so while one post waits out a
Retry-After, no other post with that workspace's token goes out (`WorkspacePauses`); the
dispatcher's other posts, to other workspaces, carry on. A channel that is gone raises
`ChannelGone`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ConfigError, SlackSettings
from bot.core.message import Message
from bot.core.sink import ChannelGone, ChatSink, TransientError
from bot.render.slack_blocks import render

if TYPE_CHECKING:
    from bot.core.connector import Runtime

log = logging.getLogger(__name__)

# the environment variables (names, not secrets)
BOT_VAR = "SLACK_BOT_TOKEN"
SIGNING_VAR = "SLACK_SIGNING_SECRET"
APP_VAR = "SLACK_APP_TOKEN"
CLIENT_ID_VAR = "SLACK_CLIENT_ID"
CLIENT_SECRET_VAR = "SLACK_CLIENT_SECRET"  # noqa: S105 (a variable name)
ALERT_EVENT = "tradewatch_alert"
GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
FIND_PAGES = 5
"""`find` looks through this many pages of 200 messages for an alert."""


@dataclass(frozen=True, slots=True)
class SlackTokens:
    bot_token: str
    mode: Literal["http", "socket"]
    signing_secret: str = ""
    app_token: str = ""
    client_id: str = ""
    client_secret: str = ""

    @property
    def oauth(self) -> bool:
        """OAuth mode: installed per workspace with "Add to Slack", a bot token for each."""
        return bool(self.client_id)


def read_tokens(settings: SlackSettings, env: Mapping[str, str]) -> SlackTokens:
    """The tokens for the configured mode, or a ConfigError naming what is missing.

    OAuth mode is on when SLACK_CLIENT_ID or SLACK_CLIENT_SECRET is set and `[slack] mode`
    is "http": both are then needed, with SLACK_SIGNING_SECRET, and no SLACK_BOT_TOKEN."""
    app_token = env.get(APP_VAR, "").strip()
    mode: Literal["http", "socket"] = (
        ("socket" if app_token else "http") if settings.mode == "auto" else settings.mode)
    client_id, client_secret = env.get(CLIENT_ID_VAR, "").strip(), env.get(CLIENT_SECRET_VAR, "").strip()
    oauth = settings.mode == "http" and bool(client_id or client_secret)
    needed = ([CLIENT_ID_VAR, CLIENT_SECRET_VAR, SIGNING_VAR] if oauth
              else [BOT_VAR, APP_VAR if mode == "socket" else SIGNING_VAR])
    missing = [name for name in needed if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(
            f"Slack is enabled ({'OAuth' if oauth else mode} mode) but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set in the environment "
            "(README: Slack in five minutes)")
    return SlackTokens(bot_token=env.get(BOT_VAR, "").strip() if not oauth else "", mode=mode,
                       signing_secret=env.get(SIGNING_VAR, "").strip(), app_token=app_token,
                       client_id=client_id if oauth else "", client_secret=client_secret if oauth else "")


class WorkspacePauses:
    """The Retry-After each workspace (bot token) asked for: until it has passed, no call
    with that token goes out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}

    def pause(self, token: str, seconds: float) -> None:
        self._until[token] = max(self._until.get(token, 0.0), self._clock() + seconds)

    def left(self, token: str) -> float:
        return max(0.0, self._until.get(token, 0.0) - self._clock())

    async def wait(self, token: str) -> None:
        while (left := self.left(token)) > 0:
            await asyncio.sleep(left)


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0  # no usable Retry-After: a second, as slack-sdk's own handler does


class WorkspaceRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's retry on HTTP 429, with the wait held for the whole workspace: the call is
    retried once the Retry-After has passed, and meanwhile `SlackSink` sends nothing else
    with that token (slack-sdk alone would hold back only the call that got the 429)."""

    def __init__(self, pauses: WorkspacePauses, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pauses = pauses

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        if response is None:
            raise error or RuntimeError("a rate-limit retry without a response")
        state.next_attempt_requested = True
        auth = request.headers.get("Authorization") or request.headers.get("authorization") or [""]
        token = str(auth[0]).removeprefix("Bearer ")
        seconds = _retry_after(response)
        self.pauses.pause(token, seconds)
        log.info("Slack answered HTTP 429 (rate limited): posts to that workspace wait %.1f s", seconds)
        await self.pauses.wait(token)
        state.increment_current_attempt()


def make_client(token: str, settings: SlackSettings) -> AsyncWebClient:
    """A Web API client that waits out HTTP 429 (Retry-After), for the whole workspace,
    before giving up."""
    client = AsyncWebClient(token=token or None, base_url=settings.api_url)
    client.retry_handlers.append(WorkspaceRateLimitHandler(WorkspacePauses(), settings.rate_limit_retries))
    return client


def pauses_of(client: AsyncWebClient) -> WorkspacePauses | None:
    """The workspace pauses of a client built by `make_client` (None for any other)."""
    return next((h.pauses for h in client.retry_handlers if isinstance(h, WorkspaceRateLimitHandler)), None)


def slack_error(e: SlackApiError) -> str:
    return str(e.response.get("error") or f"HTTP {e.response.status_code}")


async def check_token(client: AsyncWebClient, variable: str = BOT_VAR) -> dict[str, Any]:
    """`auth.test`: the bot's identity, or a ConfigError saying Slack rejected the token."""
    try:
        response = await client.auth_test()
    except SlackApiError as e:
        raise ConfigError(f"{variable} was rejected by Slack: {slack_error(e)}") from None
    return dict(response.data) if isinstance(response.data, dict) else {}


def _post_error(e: SlackApiError) -> Exception:
    error = slack_error(e)
    if error in GONE:
        return ChannelGone(error)
    return TransientError(f"Slack answered {error}")


TokenFor = Callable[[str], Awaitable[str | None]]
"""OAuth mode: a channel id -> the bot token of its workspace (None: not installed there)."""
NO_INSTALL = "the app is not installed in this channel's workspace"


class SlackSink:
    """Posts alerts with `chat.postMessage`; finds them again by their metadata.

    With `token_for` (OAuth mode), each call carries the token of the channel's workspace."""

    service = "slack"

    def __init__(self, client: AsyncWebClient, token_for: TokenFor | None = None) -> None:
        self._client = client
        self.token_for = token_for
        self._pauses = pauses_of(client)

    async def _token(self, channel_id: str) -> dict[str, Any]:
        """The `token` argument for a call about this channel ({} in single-workspace mode)."""
        if self.token_for is None:
            return {}
        token = await self.token_for(channel_id)
        if token is None:
            raise ChannelGone(NO_INSTALL)
        return {"token": token}

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None:
        """`chat.postMessage`; with `thread`, a reply in the thread of that message (`thread_ts`)."""
        payload = render(message)
        metadata = {"event_type": ALERT_EVENT, "event_payload": {"key": message.key}} if message.key else None
        token = await self._token(channel_id)
        if self._pauses is not None:  # the workspace asked us to wait (HTTP 429): no post until then
            await self._pauses.wait(token.get("token") or self._client.token or "")
        in_thread: dict[str, Any] = {"thread_ts": thread} if thread else {}
        try:
            response = await self._client.chat_postMessage(
                channel=channel_id, text=payload.text, blocks=list(payload.blocks), metadata=metadata,
                unfurl_links=False, unfurl_media=False, **in_thread, **token)
        except SlackApiError as e:
            raise _post_error(e) from None
        ts = response.get("ts")
        return str(ts) if ts else None

    async def edit(self, channel_id: str, ref: str, message: Message) -> None:
        """`chat.update` of the message `ref` (its ts); it keeps the alert key in its metadata."""
        payload = render(message)
        metadata = {"event_type": ALERT_EVENT, "event_payload": {"key": message.key}} if message.key else None
        token = await self._token(channel_id)
        if self._pauses is not None:  # the workspace asked us to wait (HTTP 429): no post until then
            await self._pauses.wait(token.get("token") or self._client.token or "")
        try:
            await self._client.chat_update(channel=channel_id, ts=ref, text=payload.text,
                                           blocks=list(payload.blocks), metadata=metadata, **token)
        except SlackApiError as e:
            raise _post_error(e) from None

    async def find(self, channel_id: str, key: str, *, thread: str | None = None) -> str | None:
        """The ts of the message with this key in the channel's history, or, with `thread`,
        among the replies to that message (`conversations.replies`)."""
        try:
            token = await self._token(channel_id)
        except ChannelGone:
            return None  # not there; posting it again says why
        cursor: str | None = None
        for _ in range(FIND_PAGES):
            try:
                if thread:
                    response = await self._client.conversations_replies(
                        channel=channel_id, ts=thread, limit=200, include_all_metadata=True, cursor=cursor,
                        **token)
                else:
                    response = await self._client.conversations_history(
                        channel=channel_id, limit=200, include_all_metadata=True, cursor=cursor, **token)
            except SlackApiError as e:
                if slack_error(e) in GONE:
                    return None  # not there; posting it again finds the channel gone
                # cannot tell: the dispatcher leaves the delivery undecided and asks later
                raise TransientError(f"cannot read slack:{channel_id} history: {slack_error(e)}") from e
            for m in response.get("messages") or ():
                meta = m.get("metadata") or {}
                if meta.get("event_type") == ALERT_EVENT and (meta.get("event_payload") or {}).get("key") == key:
                    return str(m.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return None


SOCKET_LEASE = "slack-socket"
"""The lease under which one instance holds the Socket Mode connection."""


class SlackConnector:
    """The Slack app: the alert sink, and slash commands served over HTTP or Socket Mode."""

    name = "slack"

    def __init__(self, settings: SlackSettings, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.tokens = read_tokens(settings, os.environ if env is None else env)
        self.client = make_client(self.tokens.bot_token, settings)
        self.sink = SlackSink(self.client)
        self.app: Any = None
        self.socket_handler: Any = None
        self.address: tuple[str, int] | None = None
        """HTTP mode: the host and port Slack's requests are served on, once started."""
        self._runner: web.AppRunner | None = None

    def sinks(self) -> Mapping[str, ChatSink]:
        return {"slack": self.sink}

    async def start(self, runtime: Runtime) -> None:
        from bot.chat.slack_app import build_app

        if self.tokens.oauth:
            await self._start_oauth(runtime)
            return
        me = await check_token(self.client)
        self.app = build_app(self.client, runtime.commands, signing_secret=self.tokens.signing_secret,
                             managers=frozenset(self.settings.managers))
        if self.tokens.mode == "socket":
            # one Socket Mode connection for the app: several instances would each get every
            # command (Slack spreads them over the connections), so one instance holds it
            await runtime.leases.add(SOCKET_LEASE, self._start_socket_mode, self._stop_socket_mode)
        else:
            await self._start_http()
        log.info("Slack: connected as %s in %s (%s mode)", me.get("user") or me.get("user_id"),
                 me.get("team") or me.get("team_id"), self.tokens.mode)

    async def _start_oauth(self, runtime: Runtime) -> None:
        """Many workspaces: "Add to Slack" at /slack/install, tokens kept in the store."""
        from bot.chat.slack_app import build_app
        from bot.chat.slack_oauth import channel_tokens, oauth_settings

        settings = oauth_settings(runtime.store, client_id=self.tokens.client_id,
                                  client_secret=self.tokens.client_secret,
                                  redirect_uri=self.settings.redirect_uri)
        self.sink.token_for = channel_tokens(runtime.store)
        self.app = build_app(self.client, runtime.commands, signing_secret=self.tokens.signing_secret,
                             managers=frozenset(self.settings.managers), oauth=settings, store=runtime.store)
        await self._start_http()
        if self.address is not None:
            log.info("Slack: OAuth mode, installs start at http://%s:%d%s (redirect %s)", *self.address,
                     settings.install_path, settings.redirect_uri or settings.redirect_uri_path)

    async def _start_http(self) -> None:
        runner = web.AppRunner(self.app.web_app(path=self.settings.path, port=self.settings.port))
        await runner.setup()
        self._runner = runner
        await web.TCPSite(runner, self.settings.host, self.settings.port).start()
        host, port = runner.addresses[0][:2]
        self.address = (str(host), int(port))
        log.info("Slack: serving slash commands on http://%s:%d%s", host, port, self.settings.path)

    async def _start_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler: Any = AsyncSocketModeHandler(self.app, self.tokens.app_token)
        try:  # ask for the WebSocket URL here, so a bad app token is an error, not a retry loop
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except SlackApiError as e:
            await handler.client.close()
            raise ConfigError(f"{APP_VAR} was rejected by Slack: {slack_error(e)}") from None
        self.socket_handler = handler
        await handler.connect_async()

    async def _stop_socket_mode(self) -> None:
        handler, self.socket_handler = self.socket_handler, None
        if handler is not None:
            await handler.close_async()

    async def not_connected(self) -> str | None:
        """For /readyz: Socket Mode's WebSocket is open, or the HTTP endpoint is served (an
        instance that leaves Socket Mode to another, holder of its lease, is ready)."""
        if self.tokens.mode == "socket" and self.app is not None and self.socket_handler is None:
            return None
        if self.socket_handler is not None:
            connected: bool = await self.socket_handler.client.is_connected()
            return None if connected else "the Socket Mode connection to Slack is down (reconnecting)"
        if self._runner is not None:
            return None
        return "not started"

    async def stop(self) -> None:
        await self._stop_socket_mode()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
