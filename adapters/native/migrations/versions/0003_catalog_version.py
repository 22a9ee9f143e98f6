"""catalog version: one row that moves with every product write (issue 12's catalog cache)

Revision ID: 0003_catalog_version
Revises: 0002_pending_changes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_catalog_version"
down_revision = "0002_pending_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "catalog_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("catalog_version")
