"""Issue 14 points 1 and 2: story sketches (near-duplicates) and a channel's `updates:` choice.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_sketches",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("hashvalues", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("first_of", sa.Text(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_sketches_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_sketches")),
    )
    op.create_index(op.f("ix_article_sketches_seen_at"), "article_sketches", ["seen_at"], unique=False)
    op.create_index(op.f("ix_article_sketches_first_of"), "article_sketches", ["first_of"], unique=False)
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("updates", sa.String(length=16), nullable=False, server_default="thread"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("updates")
    op.drop_index(op.f("ix_article_sketches_first_of"), table_name="article_sketches")
    op.drop_index(op.f("ix_article_sketches_seen_at"), table_name="article_sketches")
    op.drop_table("article_sketches")
