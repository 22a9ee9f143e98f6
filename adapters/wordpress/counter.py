"""The opt-in membership counter of live mode (issue 12): the unfiltered ``totalCount`` as
one indexed read instead of a ``COUNT(*)``, which on InnoDB reads a whole index and grows
with the network.

The plugin keeps no count, so :func:`install` (``planswitch wordpress install-counter``)
adds one: planswitch's table ``{bp}planswitch_counts`` and two row triggers on
``{prefix}wu_memberships`` that move its row on every INSERT and DELETE, whoever runs them
(the plugin, WP-CLI, SQL by hand), in the same transaction (a rollback takes its step back).
It changes the network's database (a trigger on a plugin table: the TRIGGER privilege, and
on a server with binary logging SUPER or ``log_bin_trust_function_creators``), so planswitch
never does it by itself; :func:`remove` takes it away. What the triggers cannot see is
``TRUNCATE`` (no row trigger fires) and a plugin table dropped and created again (its
triggers go with it): a count that the table's id range makes impossible is not used, the
triggers' presence is checked again every ``CHECK_SECONDS``, and installing again recounts.

Reads (:class:`MembershipCounter`) use the row only while both triggers exist; otherwise,
and for every filtered count, the store counts with ``COUNT(*)``.
"""

from __future__ import annotations

import logging
import threading
import time

from planswitch.adapters.wordpress.tables import WordPressTables
from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.dialects.mysql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0  # how stale "the triggers exist" may be (as the catalog's bound)
MAX_IDENTIFIER = 64  # MySQL/MariaDB identifier length


def trigger_names(tables: WordPressTables) -> tuple[str, str]:
    """The insert and delete triggers on the network's memberships table."""
    counted = tables.memberships.name
    names = (f"{counted}_planswitch_insert", f"{counted}_planswitch_delete")
    for name in names:
        if len(name) > MAX_IDENTIFIER:
            raise ValueError(f"trigger name {name!r} is longer than {MAX_IDENTIFIER} characters")
    return names


def _triggers(tables: WordPressTables) -> list[str]:
    # The names are built from a validated prefix (names.py): safe to write into the DDL.
    counts, counted = tables.counts.name, tables.memberships.name
    step = f"UPDATE `{counts}` SET n = n {{sign}} 1 WHERE name = '{counted}'"
    on_insert, on_delete = trigger_names(tables)
    return [
        f"CREATE TRIGGER `{on_insert}` AFTER INSERT ON `{counted}` FOR EACH ROW "
        + step.format(sign="+"),
        f"CREATE TRIGGER `{on_delete}` AFTER DELETE ON `{counted}` FOR EACH ROW "
        + step.format(sign="-"),
    ]


def install(engine: Engine, tables: WordPressTables) -> int:
    """Create (or re-create) the counter and count the memberships; returns the count.

    Both tables are write-locked while the triggers are created and the rows counted, so no
    insert or delete falls between the count and the first trigger run. Installing again
    recounts (after a TRUNCATE, say).
    """
    counts, counted = tables.counts, tables.memberships.name
    with engine.connect() as conn:
        conn.execute(CreateTable(counts, if_not_exists=True))
        conn.exec_driver_sql(f"LOCK TABLES `{counted}` WRITE, `{counts.name}` WRITE")
        try:
            for name in trigger_names(tables):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS `{name}`")
            for statement in _triggers(tables):
                conn.exec_driver_sql(statement)
            total = int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM `{counted}`").scalar_one())
            row = insert(counts).values(name=counted, n=total)
            conn.execute(row.on_duplicate_key_update(n=total))
            conn.commit()
        finally:
            conn.exec_driver_sql("UNLOCK TABLES")
    return total


def remove(engine: Engine, tables: WordPressTables) -> None:
    """Drop the triggers, then the count row (the table stays: other networks may use it)."""
    counts, counted = tables.counts, tables.memberships.name
    with engine.connect() as conn:
        for name in trigger_names(tables):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS `{name}`")
        if installed_table(conn, counts.name):
            conn.execute(counts.delete().where(counts.c.name == counted))
            conn.commit()


def installed_table(conn: Connection, name: str) -> bool:
    query = text(
        "SELECT COUNT(*) FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = :name"
    )
    return bool(conn.execute(query, {"name": name}).scalar())


def triggers_present(conn: Connection, tables: WordPressTables) -> bool:
    """Whether both triggers exist on the network's memberships table (one statement)."""
    query = text(
        "SELECT COUNT(*) FROM information_schema.triggers "
        "WHERE trigger_schema = DATABASE() AND event_object_table = :counted "
        "AND trigger_name IN :names"
    ).bindparams(bindparam("names", expanding=True))
    found = conn.execute(
        query, {"counted": tables.memberships.name, "names": list(trigger_names(tables))}
    ).scalar()
    return int(found or 0) == 2


def plausible(n: int, low: int | None, high: int | None) -> bool:
    """Whether ``n`` rows can have ids from ``low`` to ``high`` (None: no rows).

    A TRUNCATE (no trigger fires) leaves a count the table's ids contradict: rows counted
    in an empty table, or more rows than ids between the first and the last.

    >>> plausible(3, 1, 3), plausible(0, None, None), plausible(5, None, None), plausible(4, 1, 3)
    (True, True, False, False)
    """
    if low is None or high is None:
        return n == 0
    return 0 < n <= high - low + 1


class MembershipCounter:
    """The kept count of one network's memberships, when the counter is installed."""

    def __init__(self, tables: WordPressTables, check_seconds: float = CHECK_SECONDS) -> None:
        self.tables = tables
        self.check_seconds = check_seconds
        self._present = False
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def read(self, conn: Connection) -> int | None:
        """The count (one statement on the primary keys), or None: count the rows instead."""
        if not self._triggers_present(conn):
            return None
        counts, m = self.tables.counts, self.tables.memberships
        # MIN/MAX of the primary key are read from the index's ends, whatever the size.
        query = select(
            counts.c.n,
            select(func.min(m.c.id)).scalar_subquery(),
            select(func.max(m.c.id)).scalar_subquery(),
        ).where(counts.c.name == m.name)
        row = conn.execute(query).first()
        if row is None:
            return None  # removed (the row goes with the triggers)
        n, low, high = int(row[0]), row[1], row[2]
        if not plausible(n, low, high):
            log.warning(
                "the membership counter (%s) reads %d but the ids run from %s to %s: counting "
                "instead; run `planswitch wordpress install-counter` to recount",
                counts.name,
                n,
                low,
                high,
            )
            return None
        return n

    def _triggers_present(self, conn: Connection) -> bool:
        now = time.monotonic()
        checked = self._checked_at
        if checked is not None and now - checked < self.check_seconds:
            return self._present
        present = triggers_present(conn, self.tables)
        with self._lock:
            self._present, self._checked_at = present, now
        return present

    def forget(self) -> None:
        """Check the triggers again at the next read (after installing or removing)."""
        with self._lock:
            self._checked_at = None
