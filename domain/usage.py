"""What a membership currently uses, for the OVER_LIMIT blockers (docs/plan-changes.md §5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Site:
    id: int
    membership_id: int | None
    customer_id: int | None
    domain: str = ""
    path: str = "/"
    type: str = "customer_owned"
    published: bool = True


@dataclass(frozen=True)
class Usage:
    """Counts over the membership's published sites.

    ``custom_domains`` counts active apex domains only (``www.`` stripped), as the plugin does.
    """

    sites: int = 0
    posts: Mapping[str, int] = field(default_factory=dict)  # post type -> published + private
    custom_domains: int = 0
    # A payment still waiting on this membership (or its first payment): no change may be
    # stacked on an unpaid one (MEMBERSHIP_NOT_CHANGEABLE).
    pending_payment: bool = False

    @classmethod
    def none(cls) -> Usage:
        return cls()
