"""Reading the next source batch while the current one is written: in a thread, or in a
child process.

``planswitch sync`` alternates two kinds of waiting: on the WordPress database (and on
decoding its rows) and on the native database. A thread that reads one batch ahead lets
the two overlap: the drivers release the GIL while they wait on a socket, and the database
servers work on other cores. At most ``depth`` batches wait in the queue, so memory stays
bounded by the batch size whatever the network's size.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
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


def read_in_process(
    produce: Callable[[], Iterable[T]],
    *,
    setup: Callable[[], None] | None = None,
) -> Iterator[T]:
    """Yield the items of ``produce()``, run in a forked child process.

    Reading and decoding a WordPress network is pure-Python work (the MySQL driver, PHP
    unserialization, the mappers), and so is preparing the native writes: in one process
    they take turns on the GIL, whatever the threads. A child process reads on another
    core; each item crosses as one pickle. The pipe holds one item at a time, so the child
    is at most one item ahead of the consumer (wrap this in ``read_ahead`` for one more).

    ``setup`` runs first in the child (e.g. to drop database connections inherited from the
    parent). An exception in the child is raised here; closing the iterator early stops
    the child.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def child() -> None:
        receiving.close()
        gc.freeze()  # what the parent had is never collected here: keep it out of scans
        try:
            if setup is not None:
                setup()
            for item in produce():
                sending.send_bytes(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
        except BaseException as error:  # handed to the parent, which raises it
            sending.send_bytes(_pickled_error(error))
        else:
            sending.send_bytes(_DONE_BYTES)
        finally:
            sending.close()

    worker = context.Process(target=child, name="sync-reader", daemon=True)
    worker.start()
    sending.close()
    try:
        while True:
            try:
                data = receiving.recv_bytes()
            except EOFError:
                raise RuntimeError(
                    f"the sync's reader process ended without a result (exit code "
                    f"{worker.exitcode})"
                ) from None
            if data == _DONE_BYTES:
                return
            value = pickle.loads(data)
            if isinstance(value, _Failed):
                raise value.error
            yield value
    finally:
        receiving.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


_DONE_BYTES = b"planswitch-sync-reader-done"


def _pickled_error(error: BaseException) -> bytes:
    try:
        data = pickle.dumps(_Failed(error), pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)  # some exceptions pickle but cannot be rebuilt from their args
        return data
    except Exception:  # an exception that does not pickle: its text and traceback
        text = "".join(traceback.format_exception(error))
        return pickle.dumps(_Failed(RuntimeError(text)), pickle.HIGHEST_PROTOCOL)
