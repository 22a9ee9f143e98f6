"""membership count: one row kept by insert/delete triggers (issue 12's unfiltered totalCount)

Revision ID: 0004_membership_count
Revises: 0003_catalog_version

``COUNT(*)`` reads every row (or index entry): it grows with the table. The unfiltered count
is read from this row instead; triggers keep it whoever inserts or deletes memberships (the
sync, the demo seed, a person with a SQL prompt). PostgreSQL counts a statement's rows at
once (statement triggers over the transition table: a COPY of 5,000 rows moves it once);
SQLite and MySQL have row triggers only. TRUNCATE fires no row trigger: PostgreSQL has a
TRUNCATE trigger; SQLite has no TRUNCATE; on MySQL the count row would be wrong after one
(planswitch never truncates).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_membership_count"
down_revision = "0003_catalog_version"
branch_labels = None
depends_on = None

_POSTGRESQL = [
    """CREATE FUNCTION membership_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE membership_count SET count = count + (SELECT count(*) FROM inserted) WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION membership_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE membership_count SET count = count - (SELECT count(*) FROM deleted) WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION membership_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE membership_count SET count = 0 WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER membership_count_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION membership_count_inserted()""",
    """CREATE TRIGGER membership_count_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION membership_count_deleted()""",
    """CREATE TRIGGER membership_count_truncate AFTER TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION membership_count_truncated()""",
]
_SQLITE = [
    """CREATE TRIGGER membership_count_insert AFTER INSERT ON memberships
    BEGIN UPDATE membership_count SET count = count + 1 WHERE id = 1; END""",
    """CREATE TRIGGER membership_count_delete AFTER DELETE ON memberships
    BEGIN UPDATE membership_count SET count = count - 1 WHERE id = 1; END""",
]
_MYSQL = [
    """CREATE TRIGGER membership_count_insert AFTER INSERT ON memberships FOR EACH ROW
    UPDATE membership_count SET count = count + 1 WHERE id = 1""",
    """CREATE TRIGGER membership_count_delete AFTER DELETE ON memberships FOR EACH ROW
    UPDATE membership_count SET count = count - 1 WHERE id = 1""",
]


def upgrade() -> None:
    op.create_table(
        "membership_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO membership_count (id, count) SELECT 1, COUNT(*) FROM memberships")
    dialect = op.get_bind().dialect.name
    statements = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE, "mysql": _MYSQL}
    for statement in statements.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in ("insert", "delete", "truncate"):
        if dialect == "postgresql" or name != "truncate":
            on = " ON memberships" if dialect == "postgresql" else ""
            op.execute(f"DROP TRIGGER IF EXISTS membership_count_{name}{on}")
    if dialect == "postgresql":
        for name in ("inserted", "deleted", "truncated"):
            op.execute(f"DROP FUNCTION IF EXISTS membership_count_{name}()")
    op.drop_table("membership_count")
