"""What a membership uses on the network: sites, posts per type, custom domains, unpaid payments.

The counts follow the plugin's limit checks (docs/wordpress.md §6.2): published sites linked by
blogmeta ``wu_membership_id``; posts that are published or private (attachments:
``inherit``) in each site's own ``{bp}{blog_id}_posts``; active apex domains of those sites
after removing ``www.``.
"""

from __future__ import annotations

from collections.abc import Sequence

from planswitch.adapters.wordpress.tables import WordPressTables
from planswitch.domain.usage import Usage
from sqlalchemy import and_, bindparam, exists, func, literal, or_, select, text, union_all
from sqlalchemy.engine import Connection

# Domain_Manager::is_main_domain (filter wu_multi_part_tlds, default list).
MULTI_PART_TLDS = frozenset({".co.uk", ".com.au", ".co.nz", ".com.br", ".co.in"})


def apex_domain(domain: str) -> str | None:
    """The domain without ``www.`` when it is an apex (main) domain, else None.

    >>> apex_domain("www.example.com"), apex_domain("shop.example.com"), apex_domain("a.co.uk")
    ('example.com', None, 'a.co.uk')
    """
    name = domain.strip().rstrip(".").lower()
    if name.startswith("www."):
        name = name[4:]
    if not name:
        return None
    parts = name.split(".")
    if len(parts) <= 2:
        return name
    if len(parts) == 3 and f".{parts[-2]}.{parts[-1]}" in MULTI_PART_TLDS:
        return name
    return None


def published_site_ids(conn: Connection, tables: WordPressTables, membership_id: int) -> list[int]:
    """Ids of the membership's sites that are not deleted, archived or spam."""
    blogs, meta = tables.blogs, tables.blogmeta
    query = (
        select(blogs.c.blog_id)
        .join(meta, meta.c.blog_id == blogs.c.blog_id)
        .where(
            meta.c.meta_key == "wu_membership_id",
            meta.c.meta_value == str(int(membership_id)),
            blogs.c.deleted == 0,
            blogs.c.archived == 0,
            blogs.c.spam == 0,
        )
        .distinct()
        .order_by(blogs.c.blog_id)
    )
    return [int(row[0]) for row in conn.execute(query)]


def existing_tables(conn: Connection, names: Sequence[str]) -> set[str]:
    """Which of ``names`` exist in the current database (one statement)."""
    if not names:
        return set()
    query = text(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name IN :names"
    ).bindparams(bindparam("names", expanding=True))
    return {str(row[0]) for row in conn.execute(query, {"names": list(names)})}


def post_counts(
    conn: Connection, tables: WordPressTables, site_ids: Sequence[int]
) -> dict[str, int]:
    """Posts per post type over the sites (published + private; attachments ``inherit``)."""
    wanted = {tables.names.posts(site_id): site_id for site_id in site_ids}
    present = existing_tables(conn, list(wanted))
    selects = []
    for name, site_id in wanted.items():
        if name not in present:
            continue  # a site whose content tables are elsewhere (or gone) counts nothing
        posts = tables.posts(site_id)
        selects.append(
            select(posts.c.post_type, func.count().label("n"))
            .where(
                or_(
                    posts.c.post_status.in_(("publish", "private")),
                    and_(posts.c.post_type == "attachment", posts.c.post_status == "inherit"),
                )
            )
            .group_by(posts.c.post_type)
        )
    if not selects:
        return {}
    counts: dict[str, int] = {}
    for post_type, n in conn.execute(union_all(*selects)):
        counts[str(post_type)] = counts.get(str(post_type), 0) + int(n)
    return counts


def custom_domain_count(conn: Connection, tables: WordPressTables, site_ids: Sequence[int]) -> int:
    """Active apex domains mapped to the sites, ``www.`` removed (the plugin counts rows)."""
    if not site_ids:
        return 0
    domains = tables.domain_mappings
    query = select(domains.c.domain).where(
        domains.c.blog_id.in_(list(site_ids)), domains.c.active == 1
    )
    return sum(1 for (domain,) in conn.execute(query) if apex_domain(str(domain)))


def has_pending_payment(
    conn: Connection, tables: WordPressTables, membership_id: int, own_tables: bool = False
) -> bool:
    """The membership is pending (first payment) or has a pending payment row.

    With ``own_tables`` (planswitch's tables exist), the payment of the membership's own
    pending change does not count: a new change replaces it (issue 8).
    """
    memberships, payments = tables.memberships, tables.payments
    conditions = [payments.c.membership_id == membership_id, payments.c.status == "pending"]
    if own_tables:
        waiting = tables.pending_changes
        conditions.append(
            ~exists().where(waiting.c.payment_id == payments.c.id, waiting.c.status == "pending")
        )
    pending_payment = exists().where(*conditions)
    query = select(
        or_(
            exists().where(memberships.c.id == membership_id, memberships.c.status == "pending"),
            pending_payment,
        ).label("pending"),
        literal(1),
    )
    return bool(conn.execute(query).scalar())


def membership_usage(
    conn: Connection, tables: WordPressTables, membership_id: int, own_tables: bool = False
) -> Usage:
    """Everything the OVER_LIMIT / MEMBERSHIP_NOT_CHANGEABLE blockers need, in 5 statements."""
    site_ids = published_site_ids(conn, tables, membership_id)
    return Usage(
        sites=len(site_ids),
        posts=post_counts(conn, tables, site_ids),
        custom_domains=custom_domain_count(conn, tables, site_ids),
        pending_payment=has_pending_payment(conn, tables, membership_id, own_tables),
    )


def post_counts_by_site(
    conn: Connection, tables: WordPressTables, site_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Posts per post type of each site (as ``post_counts``), in two statements for any
    number of sites: which ``{bp}{id}_posts`` tables exist, then one UNION over them."""
    wanted = {tables.names.posts(site_id): int(site_id) for site_id in site_ids}
    present = existing_tables(conn, list(wanted))
    selects = []
    for name, site_id in wanted.items():
        if name not in present:
            continue  # a site whose content tables are elsewhere (or gone) counts nothing
        posts = tables.posts(site_id)
        selects.append(
            select(literal(site_id).label("site"), posts.c.post_type, func.count().label("n"))
            .where(
                or_(
                    posts.c.post_status.in_(("publish", "private")),
                    and_(posts.c.post_type == "attachment", posts.c.post_status == "inherit"),
                )
            )
            .group_by(posts.c.post_type)
        )
    counts: dict[int, dict[str, int]] = {}
    if selects:
        for site_id, post_type, n in conn.execute(union_all(*selects)):
            per_site = counts.setdefault(int(site_id), {})
            per_site[str(post_type)] = per_site.get(str(post_type), 0) + int(n)
    return counts
