"""Slack workspaces in OAuth mode ("Add to Slack"): their installations, the OAuth states
handed out by /slack/install, and which workspace each Slack channel belongs to.

Statements run inside the caller's transaction. Plain data only: the adapter to slack-bolt's
`AsyncInstallationStore` / `AsyncOAuthStateStore` is `bot/chat/slack_oauth.py`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import tables as t
from bot.store.engine import dialect_insert

SLACK = "slack:"


@dataclass(frozen=True, slots=True)
class SlackInstall:
    """One workspace's installation of the app: what posting and answering there needs."""

    team_id: str
    bot_token: str
    installed_at: datetime
    enterprise_id: str | None = None
    team_name: str | None = None
    app_id: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: str | None = None
    installer_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class TeamForgotten:
    """What `forget_team` removed."""

    installation: bool
    channels: tuple[str, ...]
    subscriptions: int
    deliveries: int


async def save_install(conn: AsyncConnection, install: SlackInstall) -> None:
    """Create or replace the workspace's installation (a reinstall brings a new token)."""
    values = asdict(install)
    stmt = dialect_insert(conn, t.slack_installations).values(values)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[t.slack_installations.c.team_id],
        set_={k: stmt.excluded[k] for k in values if k != "team_id"}))


async def find_install(conn: AsyncConnection, team_id: str) -> SlackInstall | None:
    i = t.slack_installations
    row = (await conn.execute(select(i).where(i.c.team_id == team_id))).mappings().first()
    return SlackInstall(**dict(row)) if row is not None else None


async def add_state(conn: AsyncConnection, state: str, expires_at: datetime) -> None:
    await conn.execute(t.slack_oauth_states.insert().values(state=state, expires_at=expires_at))


async def consume_state(conn: AsyncConnection, state: str, now: datetime) -> bool:
    """Whether the state was handed out and has not expired; it is gone either way (once
    only), and so are the expired ones."""
    s = t.slack_oauth_states
    found = (await conn.execute(delete(s).where(s.c.state == state).returning(s.c.expires_at))).first()
    await conn.execute(delete(s).where(s.c.expires_at < now))
    expires_at: Any = found[0] if found is not None else None
    return isinstance(expires_at, datetime) and expires_at >= now


async def remember_channel(conn: AsyncConnection, channel: str, team_id: str, now: datetime) -> None:
    """Record that `channel` ("slack:C…") is in workspace `team_id`."""
    stmt = dialect_insert(conn, t.slack_channels).values(channel=channel, team_id=team_id, seen_at=now)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[t.slack_channels.c.channel],
        set_={"team_id": stmt.excluded.team_id, "seen_at": stmt.excluded.seen_at}))


async def team_of(conn: AsyncConnection, channel: str) -> str | None:
    c = t.slack_channels
    team: str | None = (await conn.execute(select(c.c.team_id).where(c.c.channel == channel))).scalar()
    return team


async def forget_team(conn: AsyncConnection, team_id: str) -> TeamForgotten:
    """The workspace uninstalled the app: remove its installation, its channels'
    subscriptions and their deliveries not yet sent (pending or sending); sent ones stay as
    the record of what was posted."""
    c, s, d, i = t.slack_channels, t.subscriptions, t.deliveries, t.slack_installations
    channels = tuple((await conn.execute(
        delete(c).where(c.c.team_id == team_id).returning(c.c.channel))).scalars())
    subscriptions = deliveries = 0
    if channels:
        subscriptions = len((await conn.execute(
            delete(s).where(s.c.channel.in_(channels)).returning(s.c.channel))).all())
        deliveries = len((await conn.execute(
            delete(d).where(d.c.channel.in_(channels), d.c.state.in_(("pending", "sending")))
            .returning(d.c.id))).all())
    installation = (await conn.execute(
        delete(i).where(i.c.team_id == team_id).returning(i.c.team_id))).first() is not None
    return TeamForgotten(installation, tuple(sorted(channels)), subscriptions, deliveries)
