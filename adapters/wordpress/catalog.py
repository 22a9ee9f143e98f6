"""The WordPress store's catalog cache.

On a live network the plugin changes products itself, so there is no version row of ours
to watch. The cache keeps a fingerprint that the plugin's writes move (every product save
stamps ``date_modified``, ``inc/models/class-base-model.php``; a new or deleted product or
meta row moves a count or a max id) and checks it with one statement per read. What the
fingerprint cannot see (two edits of one product within one second, or SQL run by hand on
the meta table) is bounded by ``MAX_AGE_SECONDS``: an older catalog is reloaded anyway
(docs/api.md §10). planswitch's own ``updateProduct`` clears it on commit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from planswitch.adapters.wordpress.tables import WordPressTables
from planswitch.domain.ports import Catalog
from planswitch.domain.products import Product
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

MAX_AGE_SECONDS = 30.0


def fingerprint(conn: Connection, tables: WordPressTables) -> tuple[object, ...]:
    """Counts, the last ids and the last ``date_modified`` of products and their meta."""
    p, meta = tables.products, tables.productmeta
    query = select(
        select(func.count()).select_from(p).scalar_subquery(),
        select(func.max(p.c.id)).scalar_subquery(),
        select(func.max(p.c.date_modified)).scalar_subquery(),
        select(func.count()).select_from(meta).scalar_subquery(),
        select(func.max(meta.c.meta_id)).scalar_subquery(),
    )
    row = conn.execute(query).one()
    return tuple(row)


class CatalogCache:
    def __init__(self, max_age: float = MAX_AGE_SECONDS) -> None:
        self.max_age = max_age
        self._current = Catalog()
        self._read_at = 0.0
        self._lock = threading.Lock()

    def read(
        self, conn: Connection, tables: WordPressTables, load: Callable[[], list[Product]]
    ) -> Catalog:
        version = fingerprint(conn, tables)
        current, read_at = self._current, self._read_at
        if current.version == version and time.monotonic() - read_at < self.max_age:
            return current
        catalog = Catalog(tuple(load()), version)
        with self._lock:
            self._current, self._read_at = catalog, time.monotonic()
        return catalog

    def clear(self) -> None:
        with self._lock:
            self._current, self._read_at = Catalog(), 0.0
