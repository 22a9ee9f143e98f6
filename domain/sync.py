"""Ports of ``planswitch sync``: a source that streams a network's rows in batches, and a
target that writes a batch set-based. ``planswitch.sync`` runs one against the other;
the WordPress adapter implements the source, the native adapter the target.

Rows travel as domain objects: ``Product``, ``DiscountCode``, ``Customer``, ``Membership``,
``Payment`` and, for sites, a ``SiteRecord`` (the site plus what the native store keeps
about it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from planswitch.domain.usage import Site

# Import order: parents before the rows that point at them.
SYNC_TABLES = ("products", "discount_codes", "customers", "memberships", "sites", "payments")

WriteResult = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class SiteDomain:
    """A custom domain mapped to a site."""

    domain: str
    active: bool = True
    primary: bool = False


@dataclass(frozen=True)
class SiteRecord:
    """A site with its post counts (post type -> published + private) and custom domains."""

    site: Site
    post_counts: Mapping[str, int] = field(default_factory=dict)
    domains: tuple[SiteDomain, ...] = ()

    @property
    def membership_id(self) -> int | None:
        return self.site.membership_id

    @property
    def customer_id(self) -> int | None:
        return self.site.customer_id


@dataclass(frozen=True)
class UnreadableRow:
    """A source row that could not be decoded: its source table, id and why."""

    table: str
    id: int | str | None
    reason: str


@dataclass
class SourceBatch:
    """Consecutive rows of one table: every id considered, the decoded rows, the failures.

    ``errors`` may name rows of other tables read along the way (a membership's meta).
    """

    ids: list[int]
    rows: dict[int, Any]
    errors: list[UnreadableRow] = field(default_factory=list)


@dataclass
class BatchOutcome:
    """What a target did with a batch: id -> result, and id -> why it was not written."""

    results: dict[int, WriteResult] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)


class SyncSource(Protocol):
    def count(self, table: str, since: datetime | None) -> tuple[int, int]:
        """(rows of ``table``, rows a sync ``since`` considers)."""
        ...

    def batches(self, table: str, since: datetime | None, size: int) -> Iterator[SourceBatch]:
        """The considered rows in id order, ``size`` ids at a time (streamed)."""
        ...

    def after_fork(self) -> None:
        """Called in a forked child process before it reads ``batches``: the child must
        open connections of its own (those inherited belong to the parent)."""
        ...


class SyncTarget(Protocol):
    def existing_ids(self, table: str, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` the target already holds (``table`` among the parents)."""
        ...

    def prepare(self, table: str, row: Any) -> Any:
        """A source row as the target will write it: no database involved, so it costs
        only CPU (``planswitch.sync`` calls it on the writing side, rows it will write)."""
        ...

    def write_batch(
        self, table: str, rows: Sequence[tuple[int, Any]], *, dry_run: bool
    ) -> BatchOutcome:
        """Create or update ``rows`` (id, ``prepare``'s result) in one transaction (rolled
        back when ``dry_run``); a row the target refuses is reported in ``failures`` and
        the others are kept."""
        ...

    def finish(self, changed: Mapping[str, int]) -> None:
        """Called once after a real (not dry) run with the rows written per table: time for
        what a bulk load asks of the database afterwards (statistics, visibility)."""
        ...
