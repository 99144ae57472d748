"""Slack OAuth mode ("Add to Slack"): one app installed into many workspaces.

slack-bolt runs the flow (`/slack/install` hands out a `state` and the authorize URL,
`/slack/oauth_redirect` trades the code for a bot token with `oauth.v2.access`); this module
keeps what it needs in the bot's own database, behind bolt's two storage protocols:

- `SqlInstallationStore` (`AsyncInstallationStore`): one installation (bot token) per
  workspace, found again for every command and every alert posted there;
- `SqlStateStore` (`AsyncOAuthStateStore`): each `state` good once, for ten minutes.

Both sit on `SqlStore` (SQLite or PostgreSQL), so several instances share them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.store import SqlStore
from bot.store.slack_teams import SlackInstall

log = logging.getLogger(__name__)

BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "channels:join", "channels:history",
              "groups:history", "im:history", "users:read", "files:write")
"""The bot scopes asked for at install: the same as config/slack-manifest.yaml."""
STATE_SECONDS = 600


def _when(value: float | None) -> datetime:
    return datetime.fromtimestamp(value, UTC) if value else datetime.now(UTC)


def install_from(i: Installation | Bot) -> SlackInstall:
    """What we keep of bolt's installation (bot scope only; no user tokens are kept)."""
    if not i.team_id or not i.bot_token:
        raise ValueError("an installation without a workspace id or a bot token cannot be kept")
    scopes = getattr(i, "bot_scopes", None) or []
    return SlackInstall(
        team_id=i.team_id, bot_token=i.bot_token, installed_at=_when(i.installed_at),
        enterprise_id=i.enterprise_id, team_name=i.team_name, app_id=i.app_id, bot_id=i.bot_id,
        bot_user_id=i.bot_user_id, bot_scopes=",".join(scopes),
        installer_user_id=getattr(i, "user_id", None))


class SqlInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on our database: one bot installation per workspace."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        install = install_from(installation)
        await self._store.save_slack_install(install)
        log.info("Slack: installed in workspace %s (%s) by %s", install.team_id, install.team_name,
                 install.installer_user_id)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._store.save_slack_install(install_from(bot))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        found = await self._store.slack_install(team_id) if team_id else None
        if found is None:
            return None
        return Bot(app_id=found.app_id, enterprise_id=found.enterprise_id, team_id=found.team_id,
                   team_name=found.team_name, bot_token=found.bot_token, bot_id=found.bot_id or "",
                   bot_user_id=found.bot_user_id or "", bot_scopes=found.bot_scopes or "",
                   installed_at=found.installed_at.timestamp())

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        found = await self._store.slack_install(team_id) if team_id else None
        if found is None:
            return None
        return Installation(app_id=found.app_id, enterprise_id=found.enterprise_id, team_id=found.team_id,
                            team_name=found.team_name, bot_token=found.bot_token, bot_id=found.bot_id,
                            bot_user_id=found.bot_user_id, bot_scopes=found.bot_scopes or "",
                            user_id=found.installer_user_id or "", installed_at=found.installed_at.timestamp())

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id:
            await self._store.forget_slack_team(team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        if team_id and user_id is None:
            await self._store.forget_slack_team(team_id)


class SqlStateStore(AsyncOAuthStateStore):
    """Bolt's OAuth state store on our database: each state is good once, for ten minutes."""

    def __init__(self, store: SqlStore, expiration_seconds: int = STATE_SECONDS) -> None:
        self._store = store
        self._expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        await self._store.add_slack_state(state, datetime.now(UTC) + self._expiration)
        return state

    async def async_consume(self, state: str) -> bool:
        ok = await self._store.consume_slack_state(state)
        if not ok:
            log.warning("Slack: an install came back with an unknown or expired OAuth state (refused)")
        return ok


def oauth_settings(store: SqlStore, *, client_id: str, client_secret: str, redirect_uri: str | None,
                   authorization_url: str | None = None) -> AsyncOAuthSettings:
    """Bolt's OAuth settings on our stores: /slack/install and /slack/oauth_redirect."""
    kwargs: dict[str, Any] = {"authorization_url": authorization_url} if authorization_url else {}
    return AsyncOAuthSettings(
        client_id=client_id, client_secret=client_secret, scopes=list(BOT_SCOPES),
        redirect_uri=redirect_uri, installation_store=SqlInstallationStore(store),
        installation_store_bot_only=True, state_store=SqlStateStore(store),
        state_expiration_seconds=STATE_SECONDS, logger=log, **kwargs)


def channel_tokens(store: SqlStore) -> Callable[[str], Awaitable[str | None]]:
    """For the sink: a channel id -> the bot token of the workspace it was subscribed from
    (None: unknown channel, or the workspace has no installation)."""

    async def token_for(channel_id: str) -> str | None:
        team = await store.slack_team_of(f"slack:{channel_id}")
        found = await store.slack_install(team) if team else None
        return found.bot_token if found is not None else None

    return token_for
