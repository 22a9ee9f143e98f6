"""``planswitch sync`` on the command line: the WordPress store as the source, the native store
as the target (the one place that knows both adapters), and the report printed.

Exit codes: 0 when the sync ran, skipped rows included (they are listed in the report); 2 when
WordPress is not configured or a database is unreachable. The native schema is brought up to
date first, also for ``--dry-run`` (that is schema, not data).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from planswitch.adapters.native import NativeStore, upgrade_database
from planswitch.adapters.native.sync_target import NativeSyncTarget
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.adapters.wordpress.sync_source import WordPressSyncSource
from planswitch.sync.run import sync
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

EXIT_OK = 0  # skipped rows are reported, not an error
EXIT_UNREACHABLE = 2  # a database cannot be reached, or WordPress is not configured


def sync_command(
    settings: Any,
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    database_url: str | None = None,
) -> int:
    """Build both stores from ``settings``, sync, print the report; returns the exit code."""
    if not settings.wordpress_url:
        print("planswitch sync: PLANSWITCH_WORDPRESS_URL is not set.", file=sys.stderr)
        return EXIT_UNREACHABLE
    native_url = database_url or settings.database_url
    source = WordPressStore(
        settings.wordpress_url,
        prefix=settings.wordpress_prefix,
        network_id=settings.wordpress_network_id,
        writes=False,
    )
    target: NativeStore | None = None
    try:
        try:
            source.check()
        except (SQLAlchemyError, OSError) as exc:
            return _unreachable("WordPress", settings.wordpress_url, exc)
        try:
            upgrade_database(native_url)
            target = NativeStore(native_url)
            target.check()
        except (SQLAlchemyError, OSError) as exc:
            return _unreachable("native", native_url, exc)
        report = sync(
            WordPressSyncSource(source),
            NativeSyncTarget(target),
            since=since,
            dry_run=dry_run,
            progress=True,
        )
        print(report.render())
        return EXIT_OK
    finally:
        source.dispose()
        if target is not None:
            target.close()


def _unreachable(which: str, url: str, exc: Exception) -> int:
    shown = make_url(url).render_as_string(hide_password=True)
    cause = getattr(exc, "orig", None) or exc
    print(f"planswitch sync: cannot use the {which} database {shown}: {cause}", file=sys.stderr)
    return EXIT_UNREACHABLE
