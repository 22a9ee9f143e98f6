"""The Alembic migrations build exactly the schema the tables describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from planswitch.adapters.native.engine import make_engine
from planswitch.adapters.native.migrate import current_revision, upgrade_database
from planswitch.adapters.native.tables import NATIVE_METADATA
from sqlalchemy import inspect

EXPECTED_TABLES = {
    "products", "product_addons", "product_price_variations", "customers", "memberships",
    "membership_addons", "scheduled_changes", "payments", "payment_line_items",
    "discount_codes", "events", "sites", "domains", "idempotency_keys", "pending_changes",
    "catalog_version", "membership_count",
}  # fmt: skip
HEAD = "0004_membership_count"


def test_upgrade_creates_every_table_and_records_the_revision(database_url):
    assert current_revision(database_url) is None

    upgrade_database(database_url)

    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == EXPECTED_TABLES | {"alembic_version"}
        assert set(NATIVE_METADATA.tables) == EXPECTED_TABLES
        for name, table in NATIVE_METADATA.tables.items():
            columns = {c["name"] for c in inspector.get_columns(name)}
            assert columns == set(table.columns.keys()), name
        unique = inspector.get_unique_constraints("idempotency_keys")
        assert [u["column_names"] for u in unique] == [["key"]]
        unique = inspector.get_unique_constraints("pending_changes")
        assert [u["column_names"] for u in unique] == [["payment_id"]]
    finally:
        engine.dispose()
    assert current_revision(database_url) == HEAD


def test_upgrade_twice_changes_nothing(database_url):
    upgrade_database(database_url)
    upgrade_database(database_url)

    assert current_revision(database_url) == HEAD


def test_migrated_schema_has_no_difference_from_the_tables(database_url):
    upgrade_database(database_url)

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            diff = compare_metadata(context, NATIVE_METADATA)
    finally:
        engine.dispose()
    assert diff == []
