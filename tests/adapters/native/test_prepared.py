"""``Prepared`` statements (adapters/native/prepared.py) answer what SQLAlchemy's own
``execute`` answers, are seen by statement listeners, and fail as SQLAlchemy fails."""

from __future__ import annotations

import pytest
from planswitch.adapters.native import NativeStore, prepared
from planswitch.adapters.native.prepared import Prepared
from planswitch.adapters.native.tables import MembershipRow, ProductRow, ScheduledChangeRow
from sqlalchemy import bindparam, exc, select, text

from tests.adapters.native.conftest import make_membership, make_product
from tests.support.statements import counting

MEMBERSHIPS = MembershipRow.__table__.c  # type: ignore[attr-defined]
SCHEDULED = ScheduledChangeRow.__table__.c  # type: ignore[attr-defined]
PRODUCTS = ProductRow.__table__.c  # type: ignore[attr-defined]

# Every kind of column the hot reads map (money, aware datetimes, JSON, booleans, text),
# an expanding IN, a named parameter and a literal of the statement's own.
QUERY = (
    select(*MembershipRow.__table__.c, SCHEDULED.addons, SCHEDULED.effective_at)  # type: ignore[attr-defined]
    .outerjoin_from(MembershipRow.__table__, ScheduledChangeRow.__table__)  # type: ignore[attr-defined]
    .where(
        MEMBERSHIPS.id.in_(bindparam("ids", expanding=True)),
        MEMBERSHIPS.plan_id == bindparam("plan_id"),
        MEMBERSHIPS.status != "no-such-status",
    )
    .order_by(MEMBERSHIPS.id)
)


def seed(store: NativeStore) -> None:
    store.upsert_product(make_product(2))
    for membership_id in (1, 2, 3):
        store.upsert_membership(make_membership(id=membership_id))


@pytest.mark.parametrize("ids", [[1], [1, 2, 3], [3, 1], [9]])
def test_rows_are_what_sqlalchemy_answers(store: NativeStore, ids: list[int]) -> None:
    seed(store)
    statement = Prepared(QUERY)
    params = {"ids": ids, "plan_id": 2}
    with store.engine.connect() as conn:
        expected = [list(row) for row in conn.execute(QUERY, params)]
        assert statement.rows(prepared.connection(conn), params) == expected
        assert statement.rows(conn, {"ids": ids, "plan_id": 99}) == []
    assert statement.index("plan_id") == 2


def test_listeners_see_each_statement_and_its_begin(store: NativeStore) -> None:
    seed(store)
    with store.engine.connect() as conn, counting(store.engine) as statements:
        Prepared(QUERY).rows(prepared.connection(conn), {"ids": [1], "plan_id": 2})
    begin = ["BEGIN"] if store.engine.dialect.name == "sqlite" else []
    assert statements[: len(begin)] == begin
    assert len(statements) == len(begin) + 1
    assert statements[-1].startswith("SELECT")


def test_one_statement_needs_no_transaction(store: NativeStore) -> None:
    seed(store)
    with store.engine.connect() as conn, counting(store.engine) as statements:
        Prepared(QUERY).rows(prepared.connection(conn, begin=False), {"ids": [1], "plan_id": 2})
        assert not conn.in_transaction()
    assert "BEGIN" not in statements


def test_a_database_error_is_sqlalchemys(store: NativeStore) -> None:
    missing = Prepared(select(PRODUCTS.id).select_from(text("no_such_table")))
    with store.engine.connect() as conn, pytest.raises(exc.DBAPIError) as raised:
        missing.rows(conn, {})
    assert raised.value.statement is not None
    assert "no_such_table" in raised.value.statement


@pytest.mark.postgres
def test_a_lost_connection_is_invalidated(postgres_url: str) -> None:
    from tests.templates import migrate

    migrate(postgres_url)
    store = NativeStore(postgres_url)
    try:
        statement = Prepared(select(PRODUCTS.id))
        with store.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            conn.commit()
            with store.engine.connect() as killer:
                killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(exc.DBAPIError) as raised:
                statement.rows(conn, {})
        assert raised.value.connection_invalidated  # what schema/app.py answers UNAVAILABLE to
        with store.engine.connect() as conn:  # the pool gives a working connection again
            assert statement.rows(conn, {}) == []
    finally:
        store.close()
