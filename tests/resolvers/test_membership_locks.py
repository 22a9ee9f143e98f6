"""Changes of one membership queue in the process, not in worker threads."""

from __future__ import annotations

import asyncio
import gc
import threading

from planswitch.resolvers.membership_locks import KeyedLocks


async def test_one_key_gets_one_lock_while_it_is_held_and_other_keys_their_own() -> None:
    locks = KeyedLocks()
    first = locks(1)
    async with first:
        assert locks(1) is first
        assert locks(2) is not first
        assert not locks(2).locked()


async def test_waiters_on_one_key_take_no_thread_until_their_turn() -> None:
    locks = KeyedLocks()
    running: list[int] = []
    most = 0
    gate = threading.Lock()

    def work() -> None:  # stands for a change's transaction in a worker thread
        nonlocal most
        with gate:
            running.append(1)
            most = max(most, len(running))
        threading.Event().wait(0.01)
        with gate:
            running.pop()

    async def change() -> None:
        async with locks(7):
            await asyncio.to_thread(work)

    await asyncio.gather(*(change() for _ in range(8)))
    assert most == 1


async def test_a_lock_is_dropped_once_nobody_holds_or_waits_for_it() -> None:
    locks = KeyedLocks()
    async with locks(3):
        pass
    gc.collect()
    assert len(locks._locks) == 0


def test_each_event_loop_has_its_own_lock_for_a_key() -> None:
    # The CLI and the tests run use cases on loops of their own, several threads at once.
    locks = KeyedLocks()

    async def take() -> bool:
        async with locks(5):
            return True

    async def hold() -> bool:
        async with locks(5):
            return await asyncio.to_thread(asyncio.run, take())  # another loop, not blocked

    assert asyncio.run(hold()) is True
