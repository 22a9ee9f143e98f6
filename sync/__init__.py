"""``planswitch sync``: a WordPress network imported into the native store.

``run.sync(source, target)`` depends only on the domain's sync ports
(``planswitch.domain.sync``); ``command.sync_command`` is where both adapters meet.
"""

from planswitch.sync.report import TABLES, SkippedRow, SyncReport, TableCounts
from planswitch.sync.run import BATCH_SIZE, sync

__all__ = ["BATCH_SIZE", "TABLES", "SkippedRow", "SyncReport", "TableCounts", "sync"]
