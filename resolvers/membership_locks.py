"""One queue per membership in this process, in front of the worker pool.

A change locks its membership's row for its whole transaction (``SELECT ... FOR UPDATE``;
SQLite's write lock). Without a queue here, 32 clients committing to ONE membership took
a worker thread each and waited in it on the row lock: the default pool has 6 threads, so
every other request (reads, changes of other memberships) queued behind them, and the 32
answers took seconds (bench/bench_commits.py's conflict: p50 4.6 s vs 45 ms alone).
Waiting here costs no thread: a change of that membership hops to the pool when the one
before it in this process is done. Other processes still meet at the row lock, which stays
the rule that makes changes safe; this only keeps one process's waiters off its threads.
"""

from __future__ import annotations

import asyncio
import weakref


class KeyedLocks:
    """An ``asyncio.Lock`` per key and event loop, kept while someone holds or waits for it.

    Per loop: an asyncio lock belongs to one loop, and the CLI and tests run use cases on
    loops of their own, in several threads at once (the row lock orders those).
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[tuple[object, object], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def __call__(self, key: object) -> asyncio.Lock:
        slot = (asyncio.get_running_loop(), key)
        lock = self._locks.get(slot)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[slot] = lock
        return lock


# Changes of one membership in this process, one at a time (the module's docstring).
MEMBERSHIP_CHANGES = KeyedLocks()
