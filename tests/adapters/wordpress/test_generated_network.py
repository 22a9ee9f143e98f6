"""The generated network (tests/support/wordpress_network.py) reads back through the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.ports import MembershipFilter
from sqlalchemy import create_engine, text

from tests.support.wordpress_network import generate_network

pytestmark = pytest.mark.mariadb

SIZE = 60
CHECKED_TABLES = (
    "wp_wu_customers",
    "wp_wu_customermeta",
    "wp_wu_memberships",
    "wp_wu_membershipmeta",
    "wp_wu_payments",
    "wp_wu_paymentmeta",
    "wp_blogs",
    "wp_blogmeta",
    "wp_wu_domain_mappings",
    "wp_users",
)


def checksums(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            str(name).rsplit(".", 1)[-1]: int(value)
            for name, value in conn.execute(text(f"CHECKSUM TABLE {', '.join(CHECKED_TABLES)}"))
        }
    engine.dispose()
    return found


def test_generated_network_reads_back_as_generated(mariadb_database: Callable[[], str]) -> None:
    url = mariadb_database()
    network = generate_network(url, SIZE, seed=7)
    store = WordPressStore(url)
    try:
        page = store.list_memberships(MembershipFilter(), 0, 100)
        memberships = store.memberships_by_id(range(1, SIZE + 1))
        payments = store.payments_by_membership(list(range(1, SIZE + 1)))
        sites = store.sites_by_membership(list(range(1, SIZE + 1)))
        customers = store.customers_by_id(range(1, network.customers + 1))
        errors = store.take_read_errors()
    finally:
        store.dispose()

    assert errors == []
    assert page.total == SIZE == network.memberships
    assert network.customers == 48 and len(customers) == 48
    assert network.scheduled >= 1
    for membership_id, facts in network.facts.items():
        m = memberships[membership_id]
        assert (m.customer_id, m.plan_id, m.status.value) == (
            facts.customer_id,
            facts.plan_id,
            facts.status,
        )
        assert m.addons == facts.addons
        assert m.amount == facts.amount
        scheduled = m.scheduled_change.plan_id if m.scheduled_change else None
        assert scheduled == facts.scheduled_plan_id
        assert sorted(p.id for p in payments.get(membership_id, [])) == list(facts.payment_ids)
        assert sorted(s.id for s in sites.get(membership_id, [])) == list(facts.site_ids)
        for payment in payments.get(membership_id, []):
            assert payment.total == network.payment_totals[payment.id]
            assert sum(li.total for li in payment.line_items) == payment.total
    assert {c.id: c.email for c in customers.values()} == network.emails
    # A membership with add-ons stores them serialized and slashed, as the plugin does.
    assert any(f.addons for f in network.facts.values())


def test_same_seed_same_bytes_other_seed_other_network(
    mariadb_database: Callable[[], str],
) -> None:
    first, second, other = mariadb_database(), mariadb_database(), mariadb_database()
    generate_network(first, 25, seed=3)
    generate_network(second, 25, seed=3)
    generate_network(other, 25, seed=4)

    assert checksums(first) == checksums(second)
    assert checksums(first)["wp_wu_memberships"] != 0
    assert checksums(first) != checksums(other)
