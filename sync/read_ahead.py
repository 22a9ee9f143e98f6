"""Reading the next source batch while the current one is written.

``planswitch sync`` alternates two kinds of waiting: on the WordPress database (and on
decoding its rows) and on the native database. A thread that reads one batch ahead lets
the two overlap: the drivers release the GIL while they wait on a socket, and the database
servers work on other cores. At most ``depth`` batches wait in the queue, so memory stays
bounded by the batch size whatever the network's size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items`` in order, producing up to ``depth`` of them ahead in a thread.

    An exception raised while producing is raised here, at the item where it happened.
    Closing the iterator early (or an exception in the consumer) stops the producer.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            put(_Failed(error))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name="sync-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            value = slots.get()
            if value is _DONE:
                return
            if isinstance(value, _Failed):
                raise value.error
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
