"""RSS/Atom feeds and the entries seen in each.

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("every_seconds", sa.Float(), nullable=False),
        sa.Column("backfill", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=True),
        _when("added_at", nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        _when("last_polled"),
        _when("last_success"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("next_poll"),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(url) > 0", name="ck_feeds_url"),
        sa.CheckConstraint("every_seconds > 0", name="ck_feeds_every_seconds"),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_table(
        "feed_entries",
        sa.Column("feed_id", _BIG_ID, nullable=False),
        sa.Column("entry_key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=True),
        _when("seen_at", nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE",
                                name="fk_feed_entries_feed_id_feeds"),
        sa.PrimaryKeyConstraint("feed_id", "entry_key", name="pk_feed_entries"),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_table("feeds")
