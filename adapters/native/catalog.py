"""The native store's catalog cache: the whole catalog kept per process, keyed by the
``catalog_version`` row that every product write moves in its own transaction.

A read checks the version with one statement (or as a column of a statement it makes
anyway, see ``inputs.py``) and reloads the catalog only when it moved, so a product changed
through any process sharing the database is seen by every other at its next read. Why a
version row and not a TTL: staleness is then never a matter of time (docs/api.md §10).
"""

from __future__ import annotations

import threading
from typing import Any

from planswitch.adapters.native import prepared, reads
from planswitch.adapters.native.prepared import Prepared
from planswitch.adapters.native.tables import CatalogVersionRow
from planswitch.domain.ports import Catalog, ProductFilter
from sqlalchemy import ScalarSelect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

VERSION_ROW = 1
_VERSION = CatalogVersionRow.__table__.c  # type: ignore[attr-defined]


_CURRENT = Prepared(select(_VERSION.version).where(_VERSION.id == VERSION_ROW))


def version_column() -> ScalarSelect[Any]:
    """The catalog's version as a scalar subquery, to ride along another statement."""
    return select(_VERSION.version).where(_VERSION.id == VERSION_ROW).scalar_subquery()


def bump(session: Session | Connection) -> None:
    """Move the version in the writer's transaction (it commits or rolls back with it)."""
    session.execute(
        update(CatalogVersionRow.__table__)  # type: ignore[attr-defined]
        .where(_VERSION.id == VERSION_ROW)
        .values(version=_VERSION.version + 1)
    )


class CatalogCache:
    """The last catalog read and its version; safe to share between threads."""

    def __init__(self) -> None:
        self._current = Catalog()
        self._lock = threading.Lock()

    def read(self, session: Session, *, remember: bool = True) -> Catalog:
        """The catalog as of ``session``'s database: one statement when it has not moved.

        On a plain connection that statement begins no transaction (SQLite: no ``BEGIN``):
        alone it is its own snapshot, and a reload reads the products after it (``at``).
        """
        found = _CURRENT.rows(prepared.connection(session, begin=False), {})
        return self.at(session, found[0][0] if found else None, remember=remember)

    def at(self, session: Session, version: Any, *, remember: bool = True) -> Catalog:
        """The catalog at ``version`` (read by the caller in ``session``, before this).

        The version is read before the products, so a write committed in between leaves an
        older version on newer products, which the next read reloads (never the reverse).
        ``remember=False`` in write transactions: what they see may still roll back. Without a
        version row (a database not migrated by planswitch) nothing is cached.
        """
        current = self._current
        if version is not None and current.version == version:
            return current
        products = reads.list_products(session, ProductFilter())
        catalog = Catalog(tuple(products), version)
        if remember and version is not None:
            with self._lock:
                self._current = catalog
        return catalog

    def clear(self) -> None:
        with self._lock:
            self._current = Catalog()
