"""A deterministic generator of large Ultimate Multisite networks, in the plugin's formats.

``generate_network(url, memberships=100_000)`` fills the MariaDB database at ``url`` with the
fixture network's schema and catalog (``tests/fixtures/wordpress/wp_public.sql``: products,
discount codes, the main site and the site template) and then with ``memberships``
generated memberships and everything around them: customers and their WordPress users,
membership meta (some with a scheduled downgrade), sites with their blogmeta and some custom
domains, payments with their ``wu_line_items``. The same ``seed`` gives the same bytes.

Values are stored exactly as the plugin stores them (fixtures/wordpress/README.md): columns
``serialize()``d and slashed (``addon_products``, ``ips``), meta serialized (line items,
the swap cart, the billing address), decimal strings, UTC ``Y-m-d H:i:s``, the zero date on a
free plan's expiration. Line items and swap carts come from ``adapters/wordpress/encoders.py``,
the module planswitch's own writes use (and whose output real PHP reads back in
``tests/adapters/wordpress/test_php_roundtrip.py``).

Shape for N memberships: ~0.8 N customers (the first 0.2 N hold two memberships), one site per
non-pending membership (every seventh a second one), ~1.5 payments per membership.
``date_modified`` is spread over the two years before the fixture's reference date, so
``--since`` selects a proportional share.

Run by hand: ``python -m tests.support.wordpress_network URL --memberships 10000``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from planswitch.adapters.wordpress import encoders, phpserial
from planswitch.adapters.wordpress.mappers import flag
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.products import Product
from sqlalchemy import Table, delete, insert, text
from sqlalchemy.engine import Connection, make_url

FIXTURE_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress" / "wp_public.sql"
REFERENCE_NOW = datetime(2026, 6, 15, tzinfo=UTC)  # the fixture's "today"
CHUNK = 2000  # memberships generated and inserted per round (bounded memory)

PLANS = (1, 2, 3, 4, 5)
PLAN_WEIGHTS = (15, 30, 30, 15, 10)
STATUSES = ("active", "trialing", "on-hold", "expired", "cancelled", "pending")
STATUS_WEIGHTS = (62, 4, 4, 12, 12, 6)
COUNTRIES = (("US", "OR", "Portland"), ("BR", "SP", "São Paulo"), ("PL", "MZ", "Warszawa"))


@dataclass(frozen=True)
class MembershipFacts:
    """What the generator wrote for one membership (tests compare reads with it)."""

    customer_id: int
    plan_id: int
    addons: dict[int, int]
    status: str
    amount: Decimal
    scheduled_plan_id: int | None
    site_ids: tuple[int, ...]
    payment_ids: tuple[int, ...]


@dataclass
class Network:
    """Counts of what was generated, and (when ``keep_facts``) per-row facts."""

    memberships: int = 0
    customers: int = 0
    sites: int = 0
    payments: int = 0
    domains: int = 0
    scheduled: int = 0
    seconds: float = 0.0
    facts: dict[int, MembershipFacts] = field(default_factory=dict)
    payment_totals: dict[int, Decimal] = field(default_factory=dict)
    emails: dict[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows a sync imports: catalog (8 products, 2 codes, the template) + generated."""
        return 8 + 2 + 1 + self.customers + self.memberships + self.sites + self.payments


def load_fixture(url: str) -> None:
    """Load the fixture dump into ``url``'s database with the ``mysql`` client."""
    client = shutil.which("mysql") or shutil.which("mariadb")
    if client is None:
        raise RuntimeError("the mysql command-line client is not installed")
    parsed = make_url(url)
    command = [client, "--default-character-set=utf8mb4", "-h", parsed.host or "127.0.0.1"]
    command += ["-P", str(parsed.port or 3306), "-u", parsed.username or "root"]
    if parsed.password:
        command.append(f"-p{parsed.password}")
    command.append(str(parsed.database))
    subprocess.run(command, input=FIXTURE_SQL.read_bytes(), check=True, capture_output=True)


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else encoders.mysql_datetime(moment)


def _money4(value: Decimal) -> str:
    return f"{value:.4f}"


class _Catalog:
    """The fixture's products, with what line items copy from them."""

    def __init__(self, store: WordPressStore, conn: Connection) -> None:
        self.products: dict[int, Product] = store.products_by_id(range(1, 9))
        meta = store._meta(
            conn, store.tables.productmeta, "wu_product_id", list(self.products), ["taxable"]
        )
        self.facts = {
            pid: encoders.ProductFacts.of(
                p, taxable=flag(meta[pid]["taxable"]) if "taxable" in meta[pid] else True
            )
            for pid, p in self.products.items()
        }
        self._lines: dict[tuple[Any, ...], tuple[str, Decimal, int]] = {}

    def price(self, product_id: int) -> Decimal:
        return self.products[product_id].amount

    def line_items(self, plan_id: int, addons: dict[int, int]) -> tuple[str, Decimal, int]:
        """(``wu_line_items`` text, total, line count) of a payment for this cart (cached)."""
        key = (plan_id, tuple(sorted(addons.items())))
        found = self._lines.get(key)
        if found is None:
            lines = [
                LineItem(
                    type=LineItemType.PRODUCT,
                    title=self.products[pid].name,
                    unit_price=self.price(pid),
                    quantity=qty,
                    product_id=pid,
                    recurring=self.products[pid].is_recurring,
                    period=self.products[pid].period,
                )
                for pid, qty in [(plan_id, 1), *sorted(addons.items())]
            ]
            total = sum((li.total for li in lines), Decimal("0"))
            found = (encoders.encode_line_items(lines, self.facts), total, len(lines))
            self._lines[key] = found
        return found

    def swap_order(self, membership_id: int, change: ScheduledChange, currency: str) -> str:
        cart = encoders.swap_cart(
            membership_id=membership_id,
            change=change,
            lines=encoders.swap_line_items(change, self.products),
            products=self.facts,
            currency=currency,
            plan_billing_cycles=self.products[change.plan_id].billing_cycles,
            address=encoders.CartAddress(*COUNTRIES[0]),
        )
        return encoders.encode_swap_order(cart)


def _reset_people(conn: Connection, store: WordPressStore) -> None:
    """Leave the fixture's catalog, main site, template and admin; drop everyone else."""
    t = store.tables
    for table in (
        t.customers,
        t.customermeta,
        t.memberships,
        t.membershipmeta,
        t.payments,
        t.paymentmeta,
        t.domain_mappings,
        t.events,
        t.as_actions,
        t.as_logs,
    ):
        conn.execute(text(f"TRUNCATE TABLE `{table.name}`"))
    conn.execute(delete(t.blogs).where(t.blogs.c.blog_id > 2))
    conn.execute(delete(t.blogmeta).where(t.blogmeta.c.blog_id > 2))
    conn.execute(delete(t.users).where(t.users.c.ID > 1))
    conn.execute(delete(t.usermeta).where(t.usermeta.c.user_id > 1))


class _Rows:
    """Rows of one chunk, per table, flushed with one multi-row INSERT each."""

    def __init__(self) -> None:
        self.by_table: dict[Table, list[dict[str, Any]]] = {}

    def add(self, table: Table, **values: Any) -> None:
        self.by_table.setdefault(table, []).append(values)

    def flush(self, conn: Connection) -> None:
        for table, rows in self.by_table.items():
            if rows:
                conn.execute(insert(table), rows)
        self.by_table.clear()


class _Generator:
    def __init__(self, store: WordPressStore, catalog: _Catalog, total: int, seed: int) -> None:
        self.t = store.tables
        self.catalog = catalog
        self.total = total
        self.customers = max(1, (total * 4 + 4) // 5)
        self.seed = seed
        self.next_blog = 3
        self.next_payment = 1
        self.next_domain = 1

    def _rng(self, kind: str, index: int) -> random.Random:
        # One stream per object, so a row does not depend on how many came before it.
        return random.Random(f"{self.seed}:{kind}:{index}")

    def customer(self, rows: _Rows, network: Network, c: int, keep: bool) -> None:
        rng = self._rng("customer", c)
        registered = REFERENCE_NOW - timedelta(
            days=rng.randint(30, 900), seconds=rng.randint(0, 86399)
        )
        modified = min(REFERENCE_NOW, registered + timedelta(days=rng.randint(0, 400)))
        email = f"customer{c}@network.example"
        rows.add(
            self.t.users,
            ID=c + 1,
            user_login=f"customer{c}",
            user_pass="$P$BgeneratedPasswordHash000000000.",
            user_nicename=f"customer{c}",
            user_email=email,
            user_url="",
            user_registered=_when(registered),
            user_activation_key="",
            user_status=0,
            display_name=f"Customer {c}",
            spam=0,
            deleted=0,
        )
        ip = f"198.51.100.{c % 250 + 1}"
        rows.add(
            self.t.customers,
            id=c,
            user_id=c + 1,
            type="customer",
            email_verification=rng.choice(("verified", "verified", "none")),
            date_modified=_when(modified),
            date_registered=_when(registered),
            last_login=_when(modified),
            has_trialed=1 if rng.random() < 0.1 else None,
            vip=1 if rng.random() < 0.05 else 0,
            ips=phpserial.dumps_column([ip]),
            signup_form="signup",
        )
        country, state, city = COUNTRIES[c % len(COUNTRIES)]
        address = phpserial.phpobject(
            "WP_Ultimo\\Objects\\Billing_Address",
            {
                "\0*\0attributes": {
                    "billing_email": email,
                    "billing_country": country,
                    "billing_state": state,
                    "billing_city": city,
                }
            },
        )
        meta = self.t.customermeta
        rows.add(
            meta,
            wu_customer_id=c,
            meta_key="wu_billing_address",
            meta_value=phpserial.dumps_text(address),
        )
        rows.add(meta, wu_customer_id=c, meta_key="ip_country", meta_value=country)
        network.customers += 1
        if keep:
            network.emails[c] = email

    def membership(self, rows: _Rows, network: Network, i: int, keep: bool) -> None:
        rng = self._rng("membership", i)
        catalog, t = self.catalog, self.t
        customer_id = (i - 1) % self.customers + 1
        downgrading = i % 25 == 5  # every 25th: a scheduled downgrade Premium -> Free
        plan_id = 2 if downgrading else rng.choices(PLANS, PLAN_WEIGHTS)[0]
        plan = catalog.products[plan_id]
        addons: dict[int, int] = {}
        for addon in plan.available_addons:
            if rng.random() < 0.3:
                addons[addon] = rng.randint(1, 3) if addon == 7 else 1
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        if plan_id == 1 or downgrading:
            status = "active"
        recurring_addons = {a: q for a, q in addons.items() if catalog.products[a].is_recurring}
        amount = plan.amount + sum(
            (catalog.price(a) * q for a, q in recurring_addons.items()), Decimal("0")
        )
        created = REFERENCE_NOW - timedelta(days=rng.randint(1, 700), seconds=rng.randint(0, 86399))
        modified = min(REFERENCE_NOW, created + timedelta(days=rng.randint(0, 365)))
        months = 12 if plan.period.unit.value == "year" else 1
        expiration: str | None
        if plan_id == 1:
            expiration = "0000-00-00 00:00:00"  # the plugin's "never" for a free plan
        elif status == "pending":
            expiration = "1970-01-01 23:59:59"
        else:
            ends = REFERENCE_NOW + timedelta(days=rng.randint(-60, 30 * months))
            expiration = encoders.mysql_datetime(ends.replace(hour=23, minute=59, second=59))
        billed = 0 if status == "pending" else rng.randint(1, 12)
        gateway = "" if plan_id == 1 else rng.choice(("stripe", "stripe", "paypal"))
        rows.add(
            t.memberships,
            id=i,
            customer_id=customer_id,
            user_id=customer_id + 1,
            migrated_from_id=0,
            plan_id=plan_id,
            addon_products=encoders.encode_addon_products(addons),
            currency="USD",
            initial_amount=_money4(amount + plan.setup_fee),
            recurring=1 if plan.is_recurring and plan_id != 1 else 0,
            auto_renew=1 if gateway else 0,
            duration=plan.period.duration,
            duration_unit=plan.period.unit.value,
            amount=_money4(amount),
            date_created=_when(created),
            date_activated=None if status == "pending" else _when(created + timedelta(seconds=30)),
            date_trial_end=_when(created + timedelta(days=7)) if status == "trialing" else None,
            date_renewed=_when(modified) if billed > 1 else None,
            date_cancellation=_when(modified) if status == "cancelled" else None,
            date_expiration=expiration,
            date_payment_plan_completed=None,
            times_billed=billed,
            billing_cycles=0,
            status=status,
            gateway_customer_id=f"cus_{i:012d}" if gateway else "",
            gateway_subscription_id=f"sub_{i:016d}" if gateway else "",
            gateway=gateway,
            signup_method="default" if gateway else "",
            subscription_key="",
            upgraded_from=0,
            date_modified=_when(modified),
            disabled=0,
        )
        meta = t.membershipmeta
        if rng.random() < 0.5:
            rows.add(meta, wu_membership_id=i, meta_key="verified_payment_discount", meta_value="1")
        scheduled_plan = None
        if downgrading:
            scheduled_plan = 1
            target = catalog.products[scheduled_plan]
            change = ScheduledChange(
                plan_id=scheduled_plan,
                addons={},
                period=target.period,
                amount=target.amount,
                effective_at=REFERENCE_NOW + timedelta(days=rng.randint(1, 28)),
                description="downgrade",
            )
            order = catalog.swap_order(i, change, "USD")
            rows.add(meta, wu_membership_id=i, meta_key="wu_swap_order", meta_value=order)
            rows.add(
                meta,
                wu_membership_id=i,
                meta_key="wu_swap_scheduled_date",
                meta_value=encoders.mysql_datetime(change.effective_at),
            )
            network.scheduled += 1
        sites = self.sites(rows, network, i, customer_id, status, rng, modified)
        payments = self.payments(
            rows, network, i, customer_id, plan_id, addons, status, rng, created, keep
        )
        network.memberships += 1
        if keep:
            network.facts[i] = MembershipFacts(
                customer_id, plan_id, addons, status, amount, scheduled_plan, sites, payments
            )

    def sites(
        self,
        rows: _Rows,
        network: Network,
        i: int,
        customer_id: int,
        status: str,
        rng: random.Random,
        modified: datetime,
    ) -> tuple[int, ...]:
        if status == "pending":
            return ()
        t = self.t
        made = []
        for n in range(2 if i % 7 == 0 else 1):
            blog_id = self.next_blog
            self.next_blog += 1
            hidden = rng.random() < 0.03
            rows.add(
                t.blogs,
                blog_id=blog_id,
                site_id=1,
                domain="network.example",
                path=f"/site-{i}-{n}/",
                registered=_when(modified - timedelta(days=1)),
                last_updated=_when(modified),
                public=1,
                archived=1 if hidden else 0,
                mature=0,
                spam=0,
                deleted=0,
                lang_id=0,
            )
            for key, value in (
                ("wu_template_id", "2"),
                ("wu_customer_id", str(customer_id)),
                ("wu_membership_id", str(i)),
                ("wu_type", "customer_owned"),
            ):
                rows.add(t.blogmeta, blog_id=blog_id, meta_key=key, meta_value=value)
            if blog_id % 10 == 0:
                rows.add(
                    t.domain_mappings,
                    id=self.next_domain,
                    blog_id=blog_id,
                    domain=f"site{blog_id}.example",
                    active=1,
                    primary_domain=1,
                    secure=1,
                    stage="done",
                    date_created=_when(modified),
                    date_modified=_when(modified),
                )
                self.next_domain += 1
                network.domains += 1
            made.append(blog_id)
            network.sites += 1
        return tuple(made)

    def payments(
        self,
        rows: _Rows,
        network: Network,
        i: int,
        customer_id: int,
        plan_id: int,
        addons: dict[int, int],
        status: str,
        rng: random.Random,
        created: datetime,
        keep: bool,
    ) -> tuple[int, ...]:
        t = self.t
        lines, total, _count = self.catalog.line_items(plan_id, addons)
        made = []
        for n in range(1 if status == "pending" or i % 2 else 2):
            payment_id = self.next_payment
            self.next_payment += 1
            paid_at = created + timedelta(days=30 * n, seconds=45)
            pay_status = "pending" if status == "pending" else "completed"
            refund = Decimal("0")
            if pay_status == "completed" and rng.random() < 0.03:
                pay_status, refund = "refunded", total
            rows.add(
                t.payments,
                id=payment_id,
                status=pay_status,
                customer_id=customer_id,
                membership_id=i,
                parent_id=0,
                product_id=plan_id,
                migrated_from_id=0,
                discount_code="",
                currency="USD",
                subtotal=_money4(total),
                refund_total=_money4(refund),
                tax_total="0.0000",
                discount_total="0.0000",
                total=_money4(total),
                gateway="stripe" if plan_id != 1 else "free",
                gateway_payment_id=f"pi_{payment_id:014d}",
                date_created=_when(paid_at),
                date_modified=_when(min(REFERENCE_NOW, paid_at + timedelta(minutes=1))),
            )
            rows.add(
                t.paymentmeta, wu_payment_id=payment_id, meta_key="wu_line_items", meta_value=lines
            )
            made.append(payment_id)
            network.payments += 1
            if keep:
                network.payment_totals[payment_id] = total
        return tuple(made)


def _chunks(first: int, last: int, size: int) -> Iterator[range]:
    for start in range(first, last + 1, size):
        yield range(start, min(last, start + size - 1) + 1)


def generate_network(
    url: str,
    memberships: int,
    *,
    seed: int = 0,
    keep_facts: bool | None = None,
    load: bool = True,
) -> Network:
    """Fill the (empty) MariaDB database at ``url`` with a network of ``memberships``.

    Args:
        url: a MariaDB URL (``mysql+pymysql://…``); its tables are replaced.
        memberships: how many memberships (customers, sites, payments follow).
        seed: same seed, same network.
        keep_facts: return per-membership facts (default: only for ≤ 10,000 memberships).
        load: load the fixture's schema and catalog first (False: it is already there).
    """
    started = time.perf_counter()
    keep = memberships <= 10_000 if keep_facts is None else keep_facts
    if load:
        load_fixture(url)
    store = WordPressStore(url)
    network = Network()
    try:
        with store.engine.begin() as conn:
            _reset_people(conn, store)
            catalog = _Catalog(store, conn)
        gen = _Generator(store, catalog, memberships, seed)
        for chunk in _chunks(1, gen.customers, CHUNK):
            rows = _Rows()
            for c in chunk:
                gen.customer(rows, network, c, keep)
            with store.engine.begin() as conn:
                rows.flush(conn)
        for chunk in _chunks(1, memberships, CHUNK):
            rows = _Rows()
            for i in chunk:
                gen.membership(rows, network, i, keep)
            with store.engine.begin() as conn:
                rows.flush(conn)
    finally:
        store.dispose()
    network.seconds = time.perf_counter() - started
    return network


def touch(url: str, table: str, ids: Sequence[int], when: datetime) -> None:
    """Mark rows of a plugin table modified at ``when`` (an incremental sync's input)."""
    store = WordPressStore(url)
    try:
        source = getattr(store.tables, table)
        with store.engine.begin() as conn:
            conn.execute(
                source.update()
                .where(source.c.id.in_(list(ids)))
                .values(date_modified=encoders.mysql_datetime(when))
            )
    finally:
        store.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="MariaDB URL of an existing (empty) database")
    parser.add_argument("--memberships", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    network = generate_network(args.url, args.memberships, seed=args.seed, keep_facts=False)
    print(
        f"{network.memberships} memberships, {network.customers} customers, "
        f"{network.sites} sites ({network.domains} domains), {network.payments} payments, "
        f"{network.scheduled} scheduled changes in {network.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
