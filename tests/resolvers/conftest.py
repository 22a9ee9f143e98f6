"""A seeded native store on each database, and helpers to find a change worth making."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from planswitch.adapters.native import NativeStore
from planswitch.adapters.native.demo import seed_demo
from planswitch.adapters.native.migrate import upgrade_database
from planswitch.adapters.payments.manual import ManualProvider
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.plan_change import Direction
from planswitch.domain.ports import MembershipFilter
from planswitch.resolvers.context import Viewer
from planswitch.resolvers.payments import Checkout
from planswitch.resolvers.plan_change import get_upgrade_options

from tests.conftest import REFERENCE_NOW

OPERATOR = Viewer.operator()
CHECKOUT = Checkout(ManualProvider())  # what the server wires by default (issue 8)


PREMIUM, LITE = 2, 9


def seeded_store(url: str, now: datetime = REFERENCE_NOW) -> NativeStore:
    """Migrate a fresh database and load the demo network into it, plus a "Lite" plan.

    The seed's only downgrades are blocked by usage; Lite (29.00/month, Premium's limits and
    add-ons, same family) gives Premium membership 1 an allowed, scheduled downgrade.
    """
    upgrade_database(url)
    store = NativeStore(url)
    seed_demo(store, now)
    premium = store.products_by_id([PREMIUM])[PREMIUM]
    lite = replace(
        premium,
        id=LITE,
        slug="lite",
        name="Lite",
        amount=Decimal("29.00"),
        price_variations=(),
        list_order=2,
    )
    with store.bulk() as batch:
        batch.upsert_product(lite)
    return store


def find_option(
    store: NativeStore, direction: Direction, now: datetime = REFERENCE_NOW
) -> tuple[Membership, int]:
    """An active membership of the seed and a plan it may move to in ``direction``."""
    page = store.list_memberships(MembershipFilter(status=MembershipStatus.ACTIVE), 0, 100)
    for membership in page.items:
        options = get_upgrade_options(store, OPERATOR, membership.id, now).options
        if options is None or store.usage(membership.id).pending_payment:
            continue
        for option in options.plans:
            if option.direction is direction and option.allowed and option.price is not None:
                return membership, option.plan_id
    raise AssertionError(f"the seed has no active membership with an allowed {direction}")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def any_store(request: pytest.FixtureRequest) -> Iterator[NativeStore]:
    """The seeded store on SQLite, PostgreSQL and MariaDB in turn."""
    url = request.getfixturevalue(f"{request.param}_url")
    store = seeded_store(url)
    yield store
    store.close()
