"""The store's tables (SQLAlchemy Core). The migrations in `migrations/versions/` build them.

Change a table here and add a migration (`alembic revision --autogenerate -m ...` from the
repository top); `tests/store/test_store.py` checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = Text()
"""Article ids (a feed's entry id may be a long URL), alert ids, channel ids."""
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")
"""A surrogate key (SQLite autoincrements only INTEGER PRIMARY KEY)."""
DOCUMENT = JSON().with_variant(JSONB(), "postgresql")

DELIVERY_STATES = ("pending", "sending", "sent", "failed")
STATUSES = ("proposed", "announced", "in_effect", "delayed", "removed")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes at the boundary; SQLite keeps them naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store takes timezone-aware ones")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


articles = Table(
    "articles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("published", Date),
    Column("url", Text),
    Column("source", Text),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("first_seen", UTCDateTime, nullable=False),
)

article_sources = Table(
    "article_sources",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
    Index(None, "source"),
)

analyses = Table(
    "analyses",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("document", DOCUMENT, nullable=False),
    Column("is_trade", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    Column("analysed_at", UTCDateTime, nullable=False),
    Index(None, "is_trade", "analysed_at"),
)

tariff_ledger = Table(
    "tariff_ledger",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("published", Date),
    Column("imposer", Text),
    Column("target", Text),
    Column("imposer_key", Text, nullable=False),
    Column("target_key", Text, nullable=False),
    Column("products", Text),
    Column("value_usd", BigInteger),
    Column("value_text", Text),
    Column("old_rate_pct", Float),
    Column("new_rate_pct", Float),
    Column("effective", Text),
    Column("status", String(16), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("change_text", Text),
    CheckConstraint(_in("status", STATUSES), name="status"),
    UniqueConstraint("article_id", "position"),
    Index(None, "imposer_key"),
    Index(None, "target_key"),
)

article_sketches = Table(
    "article_sketches",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("hashvalues", LargeBinary, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("figures", Text, nullable=False),
    Column("first_of", ID),
    Column("seen_at", UTCDateTime, nullable=False),
    Index(None, "seen_at"),
    Index(None, "first_of"),
)
"""Each story's near-duplicate sketch (`bot.analysis.near_duplicates`); `first_of` names the
story whose alert a copy was folded into (None: the story is a first report)."""

file_state = Table(
    "file_state",
    metadata,
    Column("path", Text, primary_key=True),
    Column("signature", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

file_claims = Table(
    "file_claims",
    metadata,
    Column("path", Text, primary_key=True),
    Column("signature", Text, nullable=False),
    Column("claimed_by", Text, nullable=False),
    Column("claim_until", UTCDateTime, nullable=False),
)
"""Which instance reads which version of a folder file, until when (several instances)."""

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("channel", ID, primary_key=True),
    Column("tags", DOCUMENT, nullable=False),
    Column("countries", DOCUMENT, nullable=False),
    Column("min_score", Float, nullable=False),
    Column("tariff_changes_only", Boolean, nullable=False),
    Column("updates", String(16), nullable=False, server_default="thread"),
    Column("created_by", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("remind_seconds", Float),
    Column("digest", Text),
    Column("tz", Text),
    CheckConstraint("length(channel) > 0", name="channel"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("alert_id", ID, nullable=False),
    Column("channel", ID, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("message_ref", Text),
    Column("not_before", UTCDateTime),
    Column("claimed_by", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(_in("state", DELIVERY_STATES), name="state"),
    CheckConstraint("length(alert_id) > 0", name="alert_id"),
    CheckConstraint("length(channel) > 0", name="channel"),
    UniqueConstraint("alert_id", "channel"),
    Index(None, "state", "id"),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("channel", ID, primary_key=True),
    Column("period", Text, primary_key=True),
    Column("alert_id", ID, primary_key=True),
    Column("added_at", UTCDateTime, nullable=False),
)
"""The alerts a digest channel gets in one message at the end of a period (`digest:<period>`)."""

feeds = Table(
    "feeds",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("every_seconds", Float, nullable=False),
    Column("backfill", Boolean, nullable=False),
    Column("added_by", Text),
    Column("added_at", UTCDateTime, nullable=False),
    Column("title", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),
    Column("next_poll", UTCDateTime),
    Column("disabled", Boolean, nullable=False),
    Column("claimed_by", Text),
    Column("claim_until", UTCDateTime),
    CheckConstraint("length(url) > 0", name="url"),
    CheckConstraint("every_seconds > 0", name="every_seconds"),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed_id", BIG_ID, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_key", Text, primary_key=True),
    Column("article_id", ID),
    Column("seen_at", UTCDateTime, nullable=False),
)

slack_installations = Table(
    "slack_installations",
    metadata,
    Column("team_id", Text, primary_key=True),
    Column("enterprise_id", Text),
    Column("team_name", Text),
    Column("app_id", Text),
    Column("bot_token", Text, nullable=False),
    Column("bot_id", Text),
    Column("bot_user_id", Text),
    Column("bot_scopes", Text),
    Column("installer_user_id", Text),
    Column("installed_at", UTCDateTime, nullable=False),
    CheckConstraint("length(team_id) > 0", name="team_id"),
)
"""Slack workspaces that installed the app with "Add to Slack" (OAuth mode): one bot token each."""

slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("state", Text, primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False),
)
"""OAuth `state` values handed out by /slack/install, each good once until it expires."""

slack_channels = Table(
    "slack_channels",
    metadata,
    Column("channel", ID, primary_key=True),
    Column("team_id", Text, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Index(None, "team_id"),
)
"""Which workspace a Slack channel ("slack:C…") belongs to, learnt from its slash commands."""
