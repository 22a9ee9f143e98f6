"""Fixtures for the native store: one fresh, migrated database per test on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from planswitch.adapters.native import NativeStore
from planswitch.domain.customers import Customer
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType, Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType

from tests.templates import migrate

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]
MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)
NOW = datetime(2026, 6, 15, 0, 0, 0, tzinfo=UTC)

PREMIUM_LIMITS = {
    "sites": {"enabled": True, "limit": "10"},
    "visits": {"enabled": True, "limit": ""},
    "disk_space": {"enabled": True, "limit": "10240"},
    "post_types": {
        "enabled": True,
        "limit": {
            "post": {"number": "0", "enabled": True},
            "page": {"number": "5", "enabled": True},
        },
    },
    "domain_mapping": {"enabled": True, "limit": None},
    "site_templates": {
        "enabled": True,
        "limit": {"2": {"behavior": "available"}},
        "mode": "default",
    },
}


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh empty database on each backend (SQLite always; the servers when configured)."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(database_url: str) -> Iterator[NativeStore]:
    migrate(database_url)
    native = NativeStore(database_url)
    yield native
    native.close()


def limits(raw: dict) -> Limitations:
    return Limitations.from_raw(raw)


def make_product(id: int = 2, **changes) -> Product:
    values = dict(
        id=id,
        slug=f"premium-{id}",
        name="Premium",
        type=ProductType.PLAN,
        amount=Decimal("49.00"),
        description="The big one — ünïcode",
        pricing_type=PricingType.PAID,
        setup_fee=Decimal("12.3456"),
        period=MONTH,
        trial=BillingPeriod(7, DurationUnit.DAY),
        billing_cycles=12,
        list_order=2,
        plan_group="High End",
        limitations=limits(PREMIUM_LIMITS),
        available_addons=(8, 6, 7),
        price_variations=(PriceVariation(YEAR, Decimal("490.00")),),
        date_created=datetime(2025, 6, 2, 10, 7, 52, 123456, tzinfo=UTC),
        date_modified=datetime(2025, 10, 20, 15, 31, 8, tzinfo=UTC),
    )
    values.update(changes)
    return Product(**values)


def make_customer(id: int = 1, **changes) -> Customer:
    values = dict(
        id=id,
        user_id=id + 1,
        email=f"user{id}@example.com",
        display_name="Chloé D'Arcy",
        login=f"user{id}",
        vip=True,
        has_trialed=True,
        date_registered=datetime(2025, 11, 3, 14, 22, 10, tzinfo=UTC),
        date_modified=None,
    )
    values.update(changes)
    return Customer(**values)


def make_membership(id: int = 1, **changes) -> Membership:
    values = dict(
        id=id,
        customer_id=1,
        plan_id=2,
        status=MembershipStatus.ACTIVE,
        amount=Decimal("68.0000"),
        addons={6: 1, 7: 2},
        initial_amount=Decimal("9.38"),
        period=MONTH,
        recurring=True,
        auto_renew=True,
        date_created=datetime(2025, 11, 3, 14, 22, 10, tzinfo=UTC),
        date_activated=datetime(2025, 11, 3, 14, 22, 11, tzinfo=UTC),
        date_renewed=datetime(2026, 6, 3, 23, 59, 59, tzinfo=UTC),
        date_expiration=datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC),
        times_billed=8,
        gateway="stripe",
        gateway_customer_id="cus_123",
        gateway_subscription_id="sub_456",
        limitations_override=limits({"disk_space": {"enabled": True, "limit": "15360"}}),
        scheduled_change=ScheduledChange(
            plan_id=5,
            addons={7: 1},
            period=MONTH,
            amount=Decimal("14.00"),
            effective_at=datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC),
            created_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
            description="Downgrade to Solo",
        ),
    )
    values.update(changes)
    return Membership(**values)


def make_payment(id: int = 1, **changes) -> Payment:
    values = dict(
        id=id,
        customer_id=1,
        membership_id=1,
        status=PaymentStatus.COMPLETED,
        currency="USD",
        subtotal=Decimal("68.0000"),
        total=Decimal("63.0000"),
        discount_total=Decimal("5.0000"),
        refund_total=Decimal("-10.0000"),
        line_items=(
            LineItem(
                LineItemType.PRODUCT,
                "Premium",
                Decimal("49.00"),
                product_id=2,
                recurring=True,
                period=MONTH,
            ),
            LineItem(
                LineItemType.PRODUCT,
                "Extra Disk Space",
                Decimal("5.00"),
                quantity=2,
                product_id=7,
                recurring=True,
                period=MONTH,
                discount_total=Decimal("5.00"),
                discount_label="NEWYEAR33",
            ),
            LineItem(LineItemType.CREDIT, "Credit", Decimal("-1.2345")),
        ),
        discount_code="NEWYEAR33",
        gateway="stripe",
        gateway_payment_id="pi_1",
        date_created=datetime(2026, 5, 22, 9, 41, 30, tzinfo=UTC),
        date_modified=datetime(2026, 5, 22, 9, 41, 31, tzinfo=UTC),
    )
    values.update(changes)
    return Payment(**values)
