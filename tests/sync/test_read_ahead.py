"""The sync's readers: processes forked when made, threads reading ahead, several in a row."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from itertools import chain

import pytest
from planswitch.sync import TABLES
from planswitch.sync.read_ahead import read_ahead, read_in_process
from planswitch.sync.run import READER_GROUPS

FORK = multiprocessing.get_context("fork")


def test_the_reader_groups_are_every_table_once_in_import_order() -> None:
    # The groups are consumed one after the other, so parents still come first.
    assert tuple(chain.from_iterable(READER_GROUPS)) == TABLES


def test_a_reader_process_starts_reading_before_its_first_item_is_asked_for() -> None:
    started = FORK.Event()

    def produce() -> Iterator[int]:
        started.set()
        yield from range(3)

    items = read_in_process(produce)
    try:
        assert started.wait(timeout=30)  # forked by the call, not by the first next()
        assert list(items) == [0, 1, 2]
    finally:
        items.close()


def test_later_readers_read_ahead_while_the_first_is_consumed() -> None:
    second_read = FORK.Event()

    def first() -> Iterator[str]:
        yield "a"
        # The second reader's child has produced before the first one is done.
        assert second_read.wait(timeout=30)
        yield "b"

    def second() -> Iterator[str]:
        yield "c"
        second_read.set()
        yield "d"

    readers = [read_in_process(first), read_in_process(second)]
    ahead = [read_ahead(reader, depth=2) for reader in readers]
    try:
        assert list(chain.from_iterable(ahead)) == ["a", "b", "c", "d"]
    finally:
        for one in ahead:
            one.close()


def test_closing_a_reader_that_was_never_read_stops_its_process() -> None:
    items = read_ahead(read_in_process(lambda: iter(range(10**9))), depth=2)
    items.close()
    assert list(items) == []
    assert multiprocessing.active_children() == []


def test_a_failure_in_the_thread_reading_ahead_is_raised_at_its_item() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("broken after the first item")

    items = read_ahead(produce())
    assert next(items) == 1
    with pytest.raises(ValueError, match="first item"):
        next(items)
    assert list(items) == []


def test_a_spooling_reader_reads_on_before_its_items_are_consumed() -> None:
    big = [bytes([i]) * 1_000_000 for i in range(3)]  # each more than a pipe holds
    spooled_two = FORK.Event()

    def produce() -> Iterator[bytes]:
        yield big[0]
        yield big[1]
        spooled_two.set()  # without the spool, the child waits in the pipe at big[0]
        yield big[2]

    items = read_in_process(produce, spool=2)
    spool = items._spool
    try:
        assert spooled_two.wait(timeout=30)
        assert list(items) == big
    finally:
        items.close()
    assert spool is not None and not os.path.exists(spool)  # its files went with it
