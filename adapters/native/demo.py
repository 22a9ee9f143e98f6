"""Demo data: the product documentation's example catalog, shaped like the fixture network.

``seed_demo(store, now)`` fills a database that has no products yet, in one transaction,
with dates relative to ``now``; on any other database it does nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from planswitch.adapters.native.mappers import limits_from_json
from planswitch.adapters.native.store import BulkWriter, NativeStore
from planswitch.adapters.native.tables import EventRow
from planswitch.adapters.native.writes import SiteDomain
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.payments import LineItem, LineItemType, Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.usage import Site
from sqlalchemy import select
from sqlalchemy.orm import Session

DEMO_SEEDED = "demo_seeded"

MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)
ROLES = ("administrator", "editor", "author", "contributor", "subscriber")
POST_TYPES = ("post", "page", "attachment", "wp_block")
PLUGINS = ("akismet/akismet.php", "wordpress-seo/wp-seo.php")
THEMES = ("twentytwentythree", "twentytwentyfour")


def _numbers(names: tuple[str, ...], values: dict[str, str], enabled: bool = True) -> dict:
    """``{name: {"number": ..., "enabled": ...}}``; a name without a value is disabled."""
    return {n: {"number": values.get(n, ""), "enabled": enabled and n in values} for n in names}


def _limits(
    sites: str = "",
    visits: str = "",
    disk: str = "",
    posts: dict[str, str] | None = None,
    users: dict[str, str] | None = None,
    domain_mapping: bool = False,
    role: str = "default",
    hide_credits: bool = False,
    addon: bool = False,
) -> dict[str, Any]:
    """A complete limitation array in the plugin's shape (fixture ``products[].limitations``).

    Add-ons (``addon=True``) enable only the modules they change, so merging them into a
    plan adds to those modules and leaves the others alone.
    """
    return {
        "post_types": {"enabled": posts is not None, "limit": _numbers(POST_TYPES, posts or {})},
        "plugins": {
            "enabled": False,
            "limit": {p: {"visibility": "visible", "behavior": "default"} for p in PLUGINS},
        },
        "sites": {"enabled": bool(sites) or not addon, "limit": sites},
        "themes": {
            "enabled": False,
            "limit": {t: {"visibility": "visible", "behavior": "available"} for t in THEMES},
        },
        "visits": {"enabled": bool(visits) or not addon, "limit": visits},
        "disk_space": {"enabled": bool(disk) or not addon, "limit": disk},
        "users": {"enabled": users is not None, "limit": _numbers(ROLES, users or {})},
        "site_templates": {
            "enabled": not addon,
            "limit": {"2": {"behavior": "available"}},
            "mode": "default",
        },
        "domain_mapping": {"enabled": domain_mapping, "limit": None},
        "customer_user_role": {"enabled": True, "limit": role},
        "hide_credits": {"enabled": hide_credits, "limit": None},
    }


def _catalog(now: datetime) -> list[Product]:
    created = now - timedelta(days=365)
    plan = {"type": ProductType.PLAN, "date_created": created, "date_modified": created}
    addon = {"date_created": created, "date_modified": created}
    return [
        Product(
            id=1,
            slug="free",
            name="Free",
            amount=Decimal("0"),
            pricing_type=PricingType.FREE,
            recurring=False,
            list_order=1,
            plan_group="High End",
            description="One small site to try the network.",
            limitations=limits_from_json(
                _limits(
                    "1",
                    "1000",
                    "100",
                    posts={"post": "20", "page": "5", "attachment": "50"},
                    users={"administrator": "1", "subscriber": "5"},
                    role="editor",
                )
            ),
            **plan,
        ),
        Product(
            id=2,
            slug="premium",
            name="Premium",
            amount=Decimal("49.00"),
            list_order=2,
            plan_group="High End",
            available_addons=(6, 7, 8),
            description="Ten sites, unlimited visits, your own domain.",
            price_variations=(PriceVariation(YEAR, Decimal("490.00")),),
            limitations=limits_from_json(
                _limits(
                    "10",
                    "",
                    "10240",
                    posts={t: "0" for t in POST_TYPES},
                    users={"administrator": "3", "editor": "10", "author": "10"},
                    domain_mapping=True,
                    role="administrator",
                    hide_credits=True,
                )
            ),
            **plan,
        ),
        Product(
            id=3,
            slug="basic",
            name="Basic",
            amount=Decimal("19.00"),
            list_order=3,
            plan_group="Standard",
            trial=BillingPeriod(7, DurationUnit.DAY),
            available_addons=(6, 7),
            description="One site for a small business.",
            limitations=limits_from_json(
                _limits(
                    "1",
                    "5000",
                    "1024",
                    posts={"post": "200", "page": "50", "attachment": "1000"},
                    users={"administrator": "1", "editor": "2", "author": "2"},
                )
            ),
            **plan,
        ),
        Product(
            id=4,
            slug="business",
            name="Business",
            amount=Decimal("390.00"),
            setup_fee=Decimal("50.00"),
            period=YEAR,
            list_order=4,
            plan_group="Standard",
            available_addons=(8,),
            description="Five sites, billed yearly.",
            limitations=limits_from_json(
                _limits(
                    "5",
                    "50000",
                    "5120",
                    posts={t: "0" for t in POST_TYPES},
                    users={"administrator": "2", "editor": "5"},
                    domain_mapping=True,
                    role="administrator",
                )
            ),
            **plan,
        ),
        Product(
            id=5,
            slug="solo",
            name="Solo",
            amount=Decimal("9.00"),
            list_order=5,
            available_addons=(7, 8),
            description="A single site, no plan family.",
            limitations=limits_from_json(
                _limits("1", "2000", "500", posts={"post": "100", "page": "20"})
            ),
            **plan,
        ),
        Product(
            id=6,
            slug="unlimited-visits",
            name="Unlimited Visits",
            type=ProductType.PACKAGE,
            amount=Decimal("9.00"),
            list_order=6,
            description="No cap on monthly visits.",
            limitations=limits_from_json(_limits(visits="0", addon=True)),
            **addon,
        ),
        Product(
            id=7,
            slug="extra-disk-space",
            name="Extra Disk Space",
            type=ProductType.PACKAGE,
            amount=Decimal("5.00"),
            list_order=7,
            description="2 GB more per unit.",
            limitations=limits_from_json(_limits(disk="2048", addon=True)),
            **addon,
        ),
        Product(
            id=8,
            slug="site-migration",
            name="Site Migration",
            type=ProductType.SERVICE,
            amount=Decimal("99.00"),
            recurring=False,
            list_order=8,
            description="We move your existing site for you (one-time).",
            limitations=limits_from_json(_limits(addon=True)),
            **addon,
        ),
    ]


def _customers(now: datetime) -> list[Customer]:
    people = [
        (1, "olivia", "Olivia Bennett", False, 220),
        (2, "marco", "Marco Silva", True, 130),
        (3, "yuki", "Yuki Sato", True, 6),
        (4, "nadia", "Nadia Kowalski", False, 270),
        (5, "sam", "Samuel Okafor", False, 320),
        (6, "chloe", "Chloé D'Arcy", False, 90),
    ]
    return [
        Customer(
            id=cid,
            user_id=cid + 1,
            login=login,
            display_name=name,
            email=f"{login}@example.com",
            vip=(login == "marco"),
            has_trialed=trialed,
            date_registered=now - timedelta(days=days),
            date_modified=now - timedelta(days=days),
        )
        for cid, login, name, trialed, days in people
    ]


def _memberships(now: datetime) -> list[Membership]:
    def ago(days: int) -> datetime:
        return (now - timedelta(days=days)).replace(microsecond=0)

    def ahead(days: int) -> datetime:
        # Billing dates end their day at 23:59:59, as the plugin writes them.
        return (now + timedelta(days=days)).replace(hour=23, minute=59, second=59, microsecond=0)

    common = {"currency": "USD", "gateway": "manual"}
    return [
        # Premium with add-ons, renewing monthly.
        Membership(
            id=1,
            customer_id=1,
            plan_id=2,
            status=MembershipStatus.ACTIVE,
            amount=Decimal("68.00"),
            initial_amount=Decimal("68.00"),
            addons={6: 1, 7: 2},
            auto_renew=True,
            date_created=ago(220),
            date_activated=ago(220),
            date_renewed=ago(12),
            date_expiration=ahead(18),
            date_modified=ago(12),
            times_billed=8,
            **common,
        ),
        # Business, yearly, with the one-time migration service.
        Membership(
            id=2,
            customer_id=2,
            plan_id=4,
            status=MembershipStatus.ACTIVE,
            amount=Decimal("390.00"),
            initial_amount=Decimal("539.00"),
            addons={8: 1},
            period=YEAR,
            auto_renew=True,
            date_created=ago(125),
            date_activated=ago(125),
            date_expiration=ahead(240),
            date_modified=ago(125),
            times_billed=1,
            **common,
        ),
        # Basic, still in its 7-day trial.
        Membership(
            id=3,
            customer_id=3,
            plan_id=3,
            status=MembershipStatus.TRIALING,
            amount=Decimal("19.00"),
            initial_amount=Decimal("19.00"),
            date_created=ago(5),
            date_trial_end=ahead(2),
            date_expiration=ahead(2),
            date_modified=ago(5),
            **common,
        ),
        # Basic + Unlimited Visits, lapsed.
        Membership(
            id=4,
            customer_id=4,
            plan_id=3,
            status=MembershipStatus.EXPIRED,
            amount=Decimal("28.00"),
            initial_amount=Decimal("28.00"),
            addons={6: 1},
            date_created=ago(270),
            date_activated=ago(270),
            date_expiration=ago(150),
            date_modified=ago(150),
            times_billed=4,
            **common,
        ),
        # Free for life.
        Membership(
            id=5,
            customer_id=5,
            plan_id=1,
            status=MembershipStatus.ACTIVE,
            amount=Decimal("0"),
            recurring=False,
            date_created=ago(320),
            date_activated=ago(320),
            date_expiration=None,
            date_modified=ago(320),
            **common,
        ),
        # Premium, cancelled before the end of its term.
        Membership(
            id=6,
            customer_id=6,
            plan_id=2,
            status=MembershipStatus.CANCELLED,
            amount=Decimal("49.00"),
            initial_amount=Decimal("49.00"),
            date_created=ago(85),
            date_activated=ago(85),
            date_cancellation=ago(18),
            date_expiration=ahead(7),
            date_modified=ago(18),
            times_billed=3,
            **common,
        ),
    ]


def _payments(now: datetime) -> list[Payment]:
    month = {"recurring": True, "period": MONTH}
    return [
        Payment(
            id=1,
            customer_id=1,
            membership_id=1,
            status=PaymentStatus.COMPLETED,
            currency="USD",
            subtotal=Decimal("68.00"),
            total=Decimal("68.00"),
            gateway="manual",
            date_created=now - timedelta(days=12),
            date_modified=now - timedelta(days=12),
            line_items=(
                LineItem(LineItemType.PRODUCT, "Premium", Decimal("49.00"), product_id=2, **month),
                LineItem(
                    LineItemType.PRODUCT, "Unlimited Visits", Decimal("9.00"), product_id=6, **month
                ),
                LineItem(
                    LineItemType.PRODUCT,
                    "Extra Disk Space",
                    Decimal("5.00"),
                    quantity=2,
                    product_id=7,
                    **month,
                ),
            ),
        ),
        Payment(
            id=2,
            customer_id=2,
            membership_id=2,
            status=PaymentStatus.COMPLETED,
            currency="USD",
            subtotal=Decimal("539.00"),
            total=Decimal("539.00"),
            gateway="manual",
            date_created=now - timedelta(days=125),
            date_modified=now - timedelta(days=125),
            line_items=(
                LineItem(
                    LineItemType.PRODUCT,
                    "Business",
                    Decimal("390.00"),
                    product_id=4,
                    recurring=True,
                    period=YEAR,
                ),
                LineItem(LineItemType.FEE, "Setup fee: Business", Decimal("50.00"), product_id=4),
                LineItem(LineItemType.PRODUCT, "Site Migration", Decimal("99.00"), product_id=8),
            ),
        ),
    ]


def _sites() -> list[tuple[Site, dict[str, int], list[SiteDomain]]]:
    def owned(site_id: int, membership_id: int, customer_id: int, path: str) -> Site:
        return Site(site_id, membership_id, customer_id, "network.example", path)

    return [
        (
            Site(2, None, None, "network.example", "/starter-template/", "site_template"),
            {"post": 3, "page": 2},
            [],
        ),
        # Two sites and a custom domain: Free and Basic show OVER_LIMIT blockers.
        (
            owned(3, 1, 1, "/bennett-bakery/"),
            {"post": 42, "page": 7, "attachment": 120},
            [
                SiteDomain("bennettbakery.example", primary=True),
                SiteDomain("www.bennettbakery.example"),
            ],
        ),
        (owned(4, 1, 1, "/bennett-catering/"), {"post": 12, "page": 4, "attachment": 30}, []),
        # Fits Basic and maps no domain: Business -> Basic is an allowed scheduled downgrade.
        (owned(5, 2, 2, "/silva-arquitetura/"), {"post": 60, "page": 9, "attachment": 300}, []),
        (owned(6, 3, 3, "/sato-ceramics/"), {"post": 4, "page": 3, "attachment": 15}, []),
        (owned(7, 5, 5, "/okafor-notes/"), {"post": 12, "page": 2, "attachment": 9}, []),
        (owned(8, 6, 6, "/atelier-darcy/"), {"post": 25, "page": 6, "attachment": 80}, []),
    ]


def _discount_codes(now: datetime) -> list[DiscountCode]:
    return [
        DiscountCode(
            id=1,
            code="WELCOME10",
            value=Decimal("10"),
            type=DiscountType.PERCENTAGE,
            max_uses=100,
            date_start=now - timedelta(days=30),
            date_expiration=now + timedelta(days=60),
        ),
    ]


def _write(batch: BulkWriter, now: datetime) -> None:
    for product in _catalog(now):
        batch.upsert_product(product)
    for customer in _customers(now):
        batch.upsert_customer(customer)
    for membership in _memberships(now):
        batch.upsert_membership(membership)
    for payment in _payments(now):
        batch.upsert_payment(payment)
    for site, posts, domains in _sites():
        batch.upsert_site(site, posts, domains)
    for code in _discount_codes(now):
        batch.upsert_discount_code(code)


def seed_demo(store: NativeStore, now: datetime) -> bool:
    """Seed the demo network unless the database already has products.

    Returns True when it seeded, False when it left the database alone.
    """
    if store.has_products():
        return False
    with store.bulk() as batch:
        _write(batch, now)
        # The mark that makes this database a demo: demo mode is never inferred from a
        # database URL (issue 11, defect 6), only from planswitch having seeded it itself.
        batch.add_event(Event(DEMO_SEEDED, "system", 0, now, {"version": 1}))
    return True


def is_demo_database(store: NativeStore) -> bool:
    """True when planswitch seeded this database with its demo network itself."""
    with Session(store.engine) as session:
        found = session.scalar(select(EventRow.id).where(EventRow.kind == DEMO_SEEDED).limit(1))
    return found is not None
