"""Reminders and digests: a channel's `remind`, `digest` and `tz`, and each period's digest items.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("remind_seconds", sa.Float(), nullable=True))
    op.add_column("subscriptions", sa.Column("digest", sa.Text(), nullable=True))
    op.add_column("subscriptions", sa.Column("tz", sa.Text(), nullable=True))
    op.create_table(
        "digest_items",
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "period", "alert_id", name="pk_digest_items"),
    )


def downgrade() -> None:
    op.drop_table("digest_items")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("tz")
        batch.drop_column("digest")
        batch.drop_column("remind_seconds")
