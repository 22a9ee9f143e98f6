"""SQLAlchemy Core definitions of the tables planswitch reads and writes on a WordPress network.

Columns are exactly those the plugin's ``set_schema()`` (docs/wordpress.md §2), WordPress core and
Action Scheduler 3.9 define. These definitions are for queries only: planswitch never
creates or alters a table it does not own. The tables it owns, ``{bp}planswitch_idempotency``
and ``{bp}planswitch_events`` (its own data about a change: quote, idempotency key, payment),
are created and migrated by ``own_schema.py``.

MySQL ``enum`` columns are declared as plain strings: SQLAlchemy's Enum type raises on a
value outside its list when reading, and a hand-edited row must not break a read.
"""

from __future__ import annotations

from planswitch.adapters.wordpress.names import TableNames
from sqlalchemy import Column, Index, MetaData, Table
from sqlalchemy.dialects import mysql

_UBIGINT = mysql.BIGINT(unsigned=True)
_BIGINT = mysql.BIGINT()
_MONEY = mysql.DECIMAL(13, 4, asdecimal=True)
_USMALLINT = mysql.SMALLINT(unsigned=True)
_SMALLINT = mysql.SMALLINT()
_TINYINT = mysql.TINYINT()
_TINYTEXT = mysql.TINYTEXT()
_LONGTEXT = mysql.LONGTEXT()
_DATETIME = mysql.DATETIME()


def _varchar(length: int) -> mysql.VARCHAR:
    return mysql.VARCHAR(length)


def _meta_table(metadata: MetaData, name: str, id_column: str) -> Table:
    """A plugin meta table: ``meta_id, wu_<item>_id, meta_key, meta_value``
    (docs/wordpress.md §1.3)."""
    return Table(
        name,
        metadata,
        Column("meta_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column(id_column, _UBIGINT, nullable=False, server_default="0"),
        Column("meta_key", _varchar(255)),
        Column("meta_value", _LONGTEXT),
    )


def _products(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.products,
        md,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("name", _TINYTEXT, nullable=False),
        Column("slug", _TINYTEXT, nullable=False),
        Column("parent_id", _BIGINT),
        Column("migrated_from_id", _BIGINT),
        Column("description", _LONGTEXT, nullable=False),
        Column("product_group", _varchar(20)),
        Column("currency", _varchar(10), nullable=False),
        Column("pricing_type", _varchar(10), nullable=False),
        Column("amount", _MONEY),
        Column("setup_fee", _MONEY),
        Column("recurring", _TINYINT),
        Column("trial_duration", _SMALLINT),
        Column("trial_duration_unit", _varchar(5)),  # enum day|week|month|year
        Column("duration", _SMALLINT),
        Column("duration_unit", _varchar(5)),  # enum day|week|month|year
        Column("billing_cycles", _SMALLINT),
        Column("list_order", _TINYINT),
        Column("active", _TINYINT),
        Column("type", _TINYTEXT, nullable=False),
        Column("date_created", _DATETIME),
        Column("date_modified", _DATETIME),
    )


def _memberships(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.memberships,
        md,
        Column("id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("customer_id", _UBIGINT, nullable=False),
        Column("user_id", _UBIGINT),
        Column("migrated_from_id", _BIGINT),
        Column("plan_id", _BIGINT, nullable=False),
        Column("addon_products", _LONGTEXT),
        Column("currency", _varchar(10), nullable=False),
        Column("initial_amount", _MONEY),
        Column("recurring", _USMALLINT, nullable=False),
        Column("auto_renew", _USMALLINT, nullable=False),
        Column("duration", _SMALLINT),
        Column("duration_unit", _varchar(5)),  # enum day|week|month|year
        Column("amount", _MONEY),
        Column("date_created", _DATETIME),
        Column("date_activated", _DATETIME),
        Column("date_trial_end", _DATETIME),
        Column("date_renewed", _DATETIME),
        Column("date_cancellation", _DATETIME),
        Column("date_expiration", _DATETIME),
        Column("date_payment_plan_completed", _DATETIME),
        Column("times_billed", _USMALLINT, nullable=False),
        Column("billing_cycles", _USMALLINT, nullable=False),
        Column("status", _varchar(12), nullable=False),
        Column("gateway_customer_id", _TINYTEXT),
        Column("gateway_subscription_id", _TINYTEXT),
        Column("gateway", _TINYTEXT),
        Column("signup_method", _TINYTEXT),
        Column("subscription_key", _varchar(32)),
        Column("upgraded_from", _UBIGINT),
        Column("date_modified", _DATETIME),
        Column("disabled", _USMALLINT),
    )


def _customers(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.customers,
        md,
        Column("id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("user_id", _UBIGINT, nullable=False),
        Column("type", _varchar(20), nullable=False),
        Column("email_verification", _varchar(8)),  # enum verified|pending|none
        Column("date_modified", _DATETIME),
        Column("date_registered", _DATETIME),
        Column("last_login", _DATETIME),
        Column("has_trialed", _USMALLINT),
        Column("vip", _USMALLINT),
        Column("ips", _LONGTEXT),
        Column("signup_form", _varchar(40)),
    )


def _payments(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.payments,
        md,
        Column("id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("status", _varchar(20), nullable=False),
        Column("customer_id", _UBIGINT, nullable=False),
        Column("membership_id", _UBIGINT, nullable=False),
        Column("parent_id", _UBIGINT, nullable=False),
        Column("product_id", _BIGINT, nullable=False),
        Column("migrated_from_id", _BIGINT),
        Column("discount_code", _TINYTEXT, nullable=False),
        Column("currency", _varchar(10), nullable=False),
        Column("subtotal", _MONEY),
        Column("refund_total", _MONEY),
        Column("tax_total", _MONEY),
        Column("discount_total", _MONEY),
        Column("total", _MONEY),
        Column("gateway", _TINYTEXT, nullable=False),
        Column("gateway_payment_id", _TINYTEXT),
        Column("date_created", _DATETIME),
        Column("date_modified", _DATETIME),
    )


def _events(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.events,
        md,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("severity", _TINYINT),
        Column("initiator", _varchar(6)),  # enum system|manual
        Column("author_id", _BIGINT, nullable=False),
        Column("object_id", _BIGINT, nullable=False),
        Column("object_type", _varchar(20)),
        Column("slug", _varchar(255)),
        Column("payload", _LONGTEXT),
        Column("date_created", _DATETIME),
    )


def _discount_codes(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.discount_codes,
        md,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("name", _TINYTEXT, nullable=False),
        Column("code", _varchar(20), nullable=False),
        Column("description", _LONGTEXT),
        Column("uses", mysql.INTEGER()),
        Column("max_uses", mysql.INTEGER()),
        Column("apply_to_renewals", _TINYINT),
        Column("type", _varchar(10), nullable=False),  # enum percentage|absolute
        Column("value", _MONEY),
        Column("setup_fee_type", _varchar(10), nullable=False),  # enum percentage|absolute
        Column("setup_fee_value", _MONEY),
        Column("active", _TINYINT),
        Column("date_start", _DATETIME),
        Column("date_expiration", _DATETIME),
        Column("date_created", _DATETIME),
        Column("date_modified", _DATETIME),
    )


def _domain_mappings(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.domain_mappings,
        md,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("blog_id", _BIGINT, nullable=False),
        Column("domain", _varchar(191), nullable=False),
        Column("active", _TINYINT),
        Column("primary_domain", _TINYINT),
        Column("secure", _TINYINT),
        # enum checking-dns|checking-ssl-cert|done-without-ssl|done|failed|ssl-failed
        Column("stage", _varchar(20)),
        Column("date_created", _DATETIME),
        Column("date_modified", _DATETIME),
    )


def _blogs(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.blogs,
        md,
        Column("blog_id", _BIGINT, primary_key=True, autoincrement=True),
        Column("site_id", _BIGINT, nullable=False),
        Column("domain", _varchar(200), nullable=False),
        Column("path", _varchar(100), nullable=False),
        Column("registered", _DATETIME, nullable=False),
        Column("last_updated", _DATETIME, nullable=False),
        Column("public", _TINYINT, nullable=False),
        Column("archived", _TINYINT, nullable=False),
        Column("mature", _TINYINT, nullable=False),
        Column("spam", _TINYINT, nullable=False),
        Column("deleted", _TINYINT, nullable=False),
        Column("lang_id", mysql.INTEGER(), nullable=False),
    )


def _blogmeta(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.blogmeta,
        md,
        Column("meta_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("blog_id", _BIGINT, nullable=False),
        Column("meta_key", _varchar(255)),
        Column("meta_value", _LONGTEXT),
    )


def _users(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.users,
        md,
        Column("ID", _UBIGINT, primary_key=True, autoincrement=True),
        Column("user_login", _varchar(60), nullable=False),
        Column("user_pass", _varchar(255), nullable=False),
        Column("user_nicename", _varchar(50), nullable=False),
        Column("user_email", _varchar(100), nullable=False),
        Column("user_url", _varchar(100), nullable=False),
        Column("user_registered", _DATETIME, nullable=False),
        Column("user_activation_key", _varchar(255), nullable=False),
        Column("user_status", mysql.INTEGER(), nullable=False),
        Column("display_name", _varchar(250), nullable=False),
        Column("spam", _TINYINT, nullable=False),
        Column("deleted", _TINYINT, nullable=False),
    )


def _usermeta(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.usermeta,
        md,
        Column("umeta_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("user_id", _UBIGINT, nullable=False),
        Column("meta_key", _varchar(255)),
        Column("meta_value", _LONGTEXT),
    )


def _options(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.options,
        md,
        Column("option_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("option_name", _varchar(191), nullable=False, unique=True),
        Column("option_value", _LONGTEXT, nullable=False),
        Column("autoload", _varchar(20), nullable=False),
    )


def _sitemeta(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.sitemeta,
        md,
        Column("meta_id", _BIGINT, primary_key=True, autoincrement=True),
        Column("site_id", _BIGINT, nullable=False),
        Column("meta_key", _varchar(255)),
        Column("meta_value", _LONGTEXT),
    )


def _as_actions(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.as_actions,
        md,
        Column("action_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("hook", _varchar(191), nullable=False),
        Column("status", _varchar(20), nullable=False),
        Column("scheduled_date_gmt", _DATETIME),
        Column("scheduled_date_local", _DATETIME),
        Column("priority", mysql.TINYINT(unsigned=True), nullable=False),
        Column("args", _varchar(191)),
        Column("schedule", _LONGTEXT),
        Column("group_id", _UBIGINT, nullable=False),
        Column("attempts", mysql.INTEGER(), nullable=False),
        Column("last_attempt_gmt", _DATETIME),
        Column("last_attempt_local", _DATETIME),
        Column("claim_id", _UBIGINT, nullable=False),
        Column("extended_args", _varchar(8000)),
    )


def _as_groups(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.as_groups,
        md,
        Column("group_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("slug", _varchar(255), nullable=False),
    )


def _as_logs(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.as_logs,
        md,
        Column("log_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("action_id", _UBIGINT, nullable=False),
        Column("message", mysql.TEXT(), nullable=False),
        Column("log_date_gmt", _DATETIME),
        Column("log_date_local", _DATETIME),
    )


def _as_claims(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.as_claims,
        md,
        Column("claim_id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("date_created_gmt", _DATETIME),
    )


def _own_events(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.own_events,
        md,
        Column("id", _UBIGINT, primary_key=True, autoincrement=True),
        Column("wu_event_id", _UBIGINT),  # the plugin's event of the same change, if any
        Column("kind", _varchar(64), nullable=False),
        Column("object_type", _varchar(20), nullable=False),
        Column("object_id", _UBIGINT, nullable=False),
        Column("actor", _varchar(64), nullable=False),
        Column("payload", _LONGTEXT, nullable=False),
        Column("date_created", _DATETIME, nullable=False),
        Index(f"{n.own_events}_object", "object_type", "object_id"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


def _idempotency(md: MetaData, n: TableNames) -> Table:
    return Table(
        n.idempotency,
        md,
        Column("key", _varchar(191), primary_key=True),
        Column("request_hash", _varchar(64), nullable=False),
        Column("membership_id", _UBIGINT, nullable=False),
        Column("result", _LONGTEXT, nullable=False),
        Column("created_at", _DATETIME, nullable=False),
        Index(f"{n.idempotency}_membership_id", "membership_id"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


def _pending_changes(md: MetaData, n: TableNames) -> Table:
    # A committed change waiting for its payment (issue 8), one row per payment. The
    # payment itself is a wu_payments row; the plugin has no place for the quote.
    return Table(
        n.pending_changes,
        md,
        Column("payment_id", _UBIGINT, primary_key=True, autoincrement=False),
        Column("membership_id", _UBIGINT, nullable=False),
        Column("status", _varchar(20), nullable=False),
        Column("quote", _LONGTEXT, nullable=False),
        Column("membership_version", _varchar(64), nullable=False),
        Column("action", _LONGTEXT),
        Column("created_at", _DATETIME, nullable=False),
        Column("expires_at", _DATETIME, nullable=False),
        Column("resolved_at", _DATETIME),
        Column("reason", mysql.TEXT(), nullable=False),
        # domain/gateway_renewal.py: tells the payment's own gateway renewal from a stale
        # membership (issue 10). Added by migrations 2 and 3 (own_schema.py).
        Column("membership_fingerprint", _varchar(64), nullable=False, server_default=""),
        Column("renewal_baseline", mysql.TEXT()),  # JSON; NULL: not recorded
        Index(f"{n.pending_changes}_membership_id", "membership_id", "status"),
        Index(f"{n.pending_changes}_expires_at", "status", "expires_at"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


def _counts(md: MetaData, n: TableNames) -> Table:
    # Row counts kept by triggers on a plugin table (counter.py, opt-in); keyed by the
    # counted table's name, so every network of an install shares one table.
    return Table(
        n.counts,
        md,
        Column("name", _varchar(64), primary_key=True),
        Column("n", _BIGINT, nullable=False),
        mysql_engine="InnoDB",  # transactional: a rolled-back insert takes its +1 back
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


class WordPressTables:
    """Every table of one network, built on a fresh ``MetaData`` for ``names``.

    Attributes are ``sqlalchemy.Table`` objects; ``posts(blog_id)`` builds a site's posts table.
    """

    def __init__(self, names: TableNames) -> None:
        self.names = names
        self.metadata = MetaData()
        md, n = self.metadata, names
        self.products = _products(md, n)
        self.productmeta = _meta_table(md, n.productmeta, n.meta_id_column("product"))
        self.memberships = _memberships(md, n)
        self.membershipmeta = _meta_table(md, n.membershipmeta, n.meta_id_column("membership"))
        self.customers = _customers(md, n)
        self.customermeta = _meta_table(md, n.customermeta, n.meta_id_column("customer"))
        self.payments = _payments(md, n)
        self.paymentmeta = _meta_table(md, n.paymentmeta, n.meta_id_column("payment"))
        self.events = _events(md, n)
        self.discount_codes = _discount_codes(md, n)
        self.discount_codemeta = _meta_table(
            md, n.discount_codemeta, n.meta_id_column("discount_code")
        )
        self.domain_mappings = _domain_mappings(md, n)
        # -- WordPress core ---------------------------------------------------------------
        self.blogs = _blogs(md, n)
        self.blogmeta = _blogmeta(md, n)
        self.users = _users(md, n)
        self.usermeta = _usermeta(md, n)
        self.options = _options(md, n)
        self.sitemeta = _sitemeta(md, n)
        # -- Action Scheduler 3.9 (store schema 8, logger schema 3) ---------------------------
        self.as_actions = _as_actions(md, n)
        self.as_groups = _as_groups(md, n)
        self.as_logs = _as_logs(md, n)
        self.as_claims = _as_claims(md, n)
        # -- planswitch's own (the only table it may create) --------------------------------
        self.idempotency = _idempotency(md, n)
        self.own_events = _own_events(md, n)
        self.pending_changes = _pending_changes(md, n)
        self.counts = _counts(md, n)
        self._posts: dict[int, Table] = {}

    def posts(self, blog_id: int) -> Table:
        """The posts table of site ``blog_id`` (the columns usage counting needs)."""
        blog_id = int(blog_id)
        table = self._posts.get(blog_id)
        if table is None:
            table = Table(
                self.names.posts(blog_id),
                self.metadata,
                Column("ID", _UBIGINT, primary_key=True, autoincrement=True),
                Column("post_author", _UBIGINT, nullable=False),
                Column("post_date_gmt", _DATETIME, nullable=False),
                Column("post_title", mysql.TEXT(), nullable=False),
                Column("post_status", _varchar(20), nullable=False),
                Column("post_name", _varchar(200), nullable=False),
                Column("post_parent", _UBIGINT, nullable=False),
                Column("post_type", _varchar(20), nullable=False),
            )
            self._posts[blog_id] = table
        return table
