"""Several instances, one store: who is posting a delivery, and claims on folder files.

Revision ID: 0005b
Revises: 0005
Create Date: 2024-06-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005b"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Text(), nullable=True))
    op.create_table(
        "file_claims",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=False),
        sa.Column("claim_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path", name="pk_file_claims"),
    )


def downgrade() -> None:
    op.drop_table("file_claims")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claimed_by")
