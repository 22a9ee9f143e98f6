"""Table names of one WordPress network: the plugin's, WordPress core's and planswitch's own.

docs/wordpress.md §1.1: every plugin table is global, ``{base_prefix}wu_<name>``; a second network
(the plugin's ``Network_Prefix`` trait) uses ``{base_prefix}wu_<network_id>_<name>``, while
meta tables keep their hard-coded object-id column ``wu_<item>_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# WordPress itself only allows letters, digits and underscores in $table_prefix; checking it
# here also means a name built from it is always a safe SQL identifier.
_PREFIX = re.compile(r"^[A-Za-z0-9_]+$")

PLUGIN_TABLES = (
    "products",
    "productmeta",
    "memberships",
    "membershipmeta",
    "customers",
    "customermeta",
    "payments",
    "paymentmeta",
    "events",
    "discount_codes",
    "discount_codemeta",
    "domain_mappings",
    "forms",
    "formmeta",
    "posts",
    "postmeta",
    "webhooks",
)


@dataclass(frozen=True)
class TableNames:
    """Names for one network; ``network_id`` None (or 1, WordPress's main network) = main."""

    base_prefix: str = "wp_"
    network_id: int | None = None

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.base_prefix):
            raise ValueError(f"invalid WordPress table prefix {self.base_prefix!r}")
        if self.network_id is not None and (
            not isinstance(self.network_id, int) or self.network_id < 1
        ):
            raise ValueError(f"invalid network id {self.network_id!r}")

    # -- the plugin -------------------------------------------------------------------
    @property
    def plugin_prefix(self) -> str:
        """``{bp}wu_`` on the main network, ``{bp}wu_<id>_`` on another one."""
        if self.network_id is None or self.network_id == 1:
            return f"{self.base_prefix}wu_"
        return f"{self.base_prefix}wu_{self.network_id}_"

    def plugin(self, name: str) -> str:
        """Full name of the plugin table ``name`` (e.g. ``products`` → ``wp_wu_products``)."""
        return f"{self.plugin_prefix}{name}"

    @staticmethod
    def meta_id_column(item: str) -> str:
        """Object-id column of a plugin meta table: ``wu_<item>_id`` on every network."""
        return f"wu_{item}_id"

    products = property(lambda self: self.plugin("products"))
    productmeta = property(lambda self: self.plugin("productmeta"))
    memberships = property(lambda self: self.plugin("memberships"))
    membershipmeta = property(lambda self: self.plugin("membershipmeta"))
    customers = property(lambda self: self.plugin("customers"))
    customermeta = property(lambda self: self.plugin("customermeta"))
    payments = property(lambda self: self.plugin("payments"))
    paymentmeta = property(lambda self: self.plugin("paymentmeta"))
    events = property(lambda self: self.plugin("events"))
    discount_codes = property(lambda self: self.plugin("discount_codes"))
    discount_codemeta = property(lambda self: self.plugin("discount_codemeta"))
    domain_mappings = property(lambda self: self.plugin("domain_mappings"))

    # -- WordPress core (network-wide) ------------------------------------------------
    blogs = property(lambda self: f"{self.base_prefix}blogs")
    blogmeta = property(lambda self: f"{self.base_prefix}blogmeta")
    users = property(lambda self: f"{self.base_prefix}users")
    usermeta = property(lambda self: f"{self.base_prefix}usermeta")
    sitemeta = property(lambda self: f"{self.base_prefix}sitemeta")
    site = property(lambda self: f"{self.base_prefix}site")
    # The main site's options (its blog prefix is the base prefix).
    options = property(lambda self: f"{self.base_prefix}options")

    def blog_prefix(self, blog_id: int) -> str:
        """WordPress ``get_blog_prefix``: the main site (1) → base prefix, others ``{bp}<id>_``."""
        blog_id = int(blog_id)
        if blog_id in (0, 1):
            return self.base_prefix
        return f"{self.base_prefix}{blog_id}_"

    def posts(self, blog_id: int) -> str:
        """The posts table of one site, e.g. ``wp_3_posts``."""
        return f"{self.blog_prefix(blog_id)}posts"

    # -- Action Scheduler (the main site's tables, so the base prefix) ----------------
    as_actions = property(lambda self: f"{self.base_prefix}actionscheduler_actions")
    as_groups = property(lambda self: f"{self.base_prefix}actionscheduler_groups")
    as_logs = property(lambda self: f"{self.base_prefix}actionscheduler_logs")
    as_claims = property(lambda self: f"{self.base_prefix}actionscheduler_claims")

    # -- planswitch's own ----------------------------------------------------------------
    idempotency = property(lambda self: f"{self.base_prefix}planswitch_idempotency")
    own_events = property(lambda self: f"{self.base_prefix}planswitch_events")
    pending_changes = property(lambda self: f"{self.base_prefix}planswitch_pending_changes")
    # The opt-in row counts kept by triggers (counter.py); one row per counted table.
    counts = property(lambda self: f"{self.base_prefix}planswitch_counts")

    # Prefix-dependent keys inside wp_options / wp_usermeta.
    user_roles_option = property(lambda self: f"{self.base_prefix}user_roles")

    def capabilities_key(self, blog_id: int) -> str:
        """usermeta key of a user's roles on a site (``wp_capabilities``, ``wp_3_capabilities``)."""
        return f"{self.blog_prefix(blog_id)}capabilities"
