"""A seeded native store on each database, and helpers to find a change worth making."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.native import NativeStore
from planswitch.adapters.payments.manual import ManualProvider
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.plan_change import Direction
from planswitch.domain.ports import MembershipFilter
from planswitch.domain.upgrade_options import upgrade_options
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.context import Context, Viewer
from planswitch.server.clock import FixedClock
from planswitch.server.settings import Settings

from tests.conftest import REFERENCE_NOW
from tests.templates import seeded

OPERATOR = Viewer.operator()
CHECKOUT = Checkout(ManualProvider())  # what the server wires by default (issue 8)
SECRET = "use-case-tests-secret"


PREMIUM, LITE = 2, 9


def seeded_store(url: str, now: datetime = REFERENCE_NOW) -> NativeStore:
    """Migrate a fresh database and load the demo network into it, plus a "Lite" plan.

    The seed's only downgrades are blocked by usage; Lite (29.00/month, Premium's limits and
    add-ons, same family) gives Premium membership 1 an allowed, scheduled downgrade.
    """
    return seeded(url, now, add_lite)


def add_lite(store: NativeStore) -> None:
    """Add "Lite": Premium's limits and add-ons at 29.00/month, in Premium's family."""
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


def context(
    store: NativeStore, viewer: Viewer = OPERATOR, now: datetime = REFERENCE_NOW
) -> Context:
    """A request context as the server builds it, at a fixed ``now``."""
    settings = Settings(database_url="sqlite://", secret_key=SECRET, apply_due_interval_seconds=0)
    return Context(
        store=store, clock=FixedClock(now), settings=settings, viewer=viewer, checkout=CHECKOUT
    )


def call(
    use_case: Callable[..., Coroutine[object, object, object]],
    store: NativeStore,
    *args: object,
    viewer: Viewer = OPERATOR,
    now: datetime = REFERENCE_NOW,
    **kwargs: object,
) -> Any:
    """Run ``use_case(ctx, *args, **kwargs)`` to completion from synchronous test code (each
    call its own event loop, so racing threads each run one)."""
    return asyncio.run(use_case(context(store, viewer, now), *args, **kwargs))


def find_option(
    store: NativeStore, direction: Direction, now: datetime = REFERENCE_NOW
) -> tuple[Membership, int]:
    """An active membership of the seed and a plan it may move to in ``direction``."""
    page = store.list_memberships(MembershipFilter(status=MembershipStatus.ACTIVE), 0, 100)
    for membership in page.items:
        usage = store.usage(membership.id)
        if usage.pending_payment:
            continue
        catalog = {product.id: product for product in store.list_products()}
        options = upgrade_options(membership, catalog, now, usage=usage)
        for option in options.plans:
            other_plan = option.plan_id != membership.plan_id  # not the same plan's periods
            if option.direction is direction and option.allowed and other_plan:
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
