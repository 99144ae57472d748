"""The store's first schema.

Articles and their sources, analyses, the tariff ledger, folder file state, subscriptions
and deliveries.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        _when("first_seen"),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("fingerprint", name="uq_articles_fingerprint"),
    )
    op.create_table(
        "article_sources",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _when("seen_at"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name="fk_article_sources_article_id_articles"),
        sa.PrimaryKeyConstraint("article_id", "source", name="pk_article_sources"),
    )
    op.create_index("ix_article_sources_source", "article_sources", ["source"])
    op.create_table(
        "analyses",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("document", _DOCUMENT, nullable=False),
        sa.Column("is_trade", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        _when("analysed_at"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name="fk_analyses_article_id_articles"),
        sa.PrimaryKeyConstraint("article_id", name="pk_analyses"),
    )
    op.create_index("ix_analyses_is_trade_analysed_at", "analyses", ["is_trade", "analysed_at"])
    op.create_table(
        "tariff_ledger",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("imposer", sa.Text(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("imposer_key", sa.Text(), nullable=False),
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("products", sa.Text(), nullable=True),
        sa.Column("value_usd", sa.BigInteger(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("old_rate_pct", sa.Float(), nullable=True),
        sa.Column("new_rate_pct", sa.Float(), nullable=True),
        sa.Column("effective", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("change_text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'announced', 'in_effect', 'delayed', 'removed')",
            name="ck_tariff_ledger_status",
        ),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name="fk_tariff_ledger_article_id_articles"),
        sa.PrimaryKeyConstraint("id", name="pk_tariff_ledger"),
        sa.UniqueConstraint("article_id", "position", name="uq_tariff_ledger_article_id_position"),
    )
    op.create_index("ix_tariff_ledger_imposer_key", "tariff_ledger", ["imposer_key"])
    op.create_index("ix_tariff_ledger_target_key", "tariff_ledger", ["target_key"])
    op.create_table(
        "file_state",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("path", name="pk_file_state"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("tags", _DOCUMENT, nullable=False),
        sa.Column("countries", _DOCUMENT, nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("tariff_changes_only", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint("length(channel) > 0", name="ck_subscriptions_channel"),
        sa.PrimaryKeyConstraint("channel", name="pk_subscriptions"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_ref", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')",
                           name="ck_deliveries_state"),
        sa.CheckConstraint("length(alert_id) > 0", name="ck_deliveries_alert_id"),
        sa.CheckConstraint("length(channel) > 0", name="ck_deliveries_channel"),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_id_channel"),
    )
    op.create_index("ix_deliveries_state_id", "deliveries", ["state", "id"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
    op.drop_table("file_state")
    op.drop_table("tariff_ledger")
    op.drop_table("analyses")
    op.drop_table("article_sources")
    op.drop_table("articles")
