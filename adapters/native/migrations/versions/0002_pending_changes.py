"""pending changes: a committed change waiting for its payment (issue 8)

Revision ID: 0002_pending_changes
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from planswitch.adapters.native.columns import UTCDateTime

revision = "0002_pending_changes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quote", sa.JSON(), nullable=False),
        sa.Column("membership_version", sa.String(length=64), nullable=False),
        sa.Column("action", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payment_id", name="uq_pending_changes_payment_id"),
    )
    for column in ("membership_id", "status", "expires_at"):
        op.create_index(
            op.f(f"ix_pending_changes_{column}"), "pending_changes", [column], unique=False
        )


def downgrade() -> None:
    for column in ("expires_at", "status", "membership_id"):
        op.drop_index(op.f(f"ix_pending_changes_{column}"), table_name="pending_changes")
    op.drop_table("pending_changes")
