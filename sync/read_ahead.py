"""Reading the next source batches while the current one is written: in a thread, or in
child processes (several may read at once, their items consumed one reader after the other).

``planswitch sync`` alternates two kinds of waiting: on the WordPress database (and on
decoding its rows) and on the native database. A thread that reads one batch ahead lets
the two overlap: the drivers release the GIL while they wait on a socket, and the database
servers work on other cores. At most ``depth`` batches wait in the queue, so memory stays
bounded by the batch size whatever the network's size.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Iterator[T]):
    """``items`` in order, up to ``depth`` of them produced ahead by a thread started now.

    An exception raised while producing is raised here, at the item where it happened.
    ``close()`` (also called at the end, or on an exception in the producer) stops the
    producer: call it when the consumer stops early.
    """

    def __init__(self, items: Iterable[T], depth: int = 1) -> None:
        self._slots: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._items = items
        self._worker = threading.Thread(target=self._produce, name="sync-read-ahead", daemon=True)
        self._worker.start()

    def _put(self, value: object) -> bool:
        while not self._stop.is_set():
            try:
                self._slots.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    break
            else:
                self._put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            self._put(_Failed(error))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a reader process behind ``items`` stops with its producer

    def __next__(self) -> T:
        if self._stop.is_set():
            raise StopIteration
        value = self._slots.get()
        if value is _DONE:
            self.close()
            raise StopIteration
        if isinstance(value, _Failed):
            self.close()
            raise value.error
        return value  # type: ignore[return-value]

    def close(self) -> None:
        self._stop.set()
        self._worker.join()


def read_ahead(items: Iterable[T], depth: int = 1) -> ReadAhead[T]:
    """Yield ``items`` in order, producing up to ``depth`` of them ahead in a thread that
    starts now (not at the first ``next``): see ``ReadAhead``."""
    return ReadAhead(items, depth)


def read_in_process(
    produce: Callable[[], Iterable[T]],
    *,
    setup: Callable[[], None] | None = None,
    spool: int = 0,
) -> ProcessReader[T]:
    """The items of ``produce()``, run in a child process forked now: see ``ProcessReader``."""
    return ProcessReader(produce, setup=setup, spool=spool)


class ProcessReader(Iterator[T]):
    """Yield the items of ``produce()``, run in a child process forked when this is made.

    Reading and decoding a WordPress network is pure-Python work (the MySQL driver, PHP
    unserialization, the mappers), and so is preparing the native writes: in one process
    they take turns on the GIL, whatever the threads. A child process reads on another
    core; each item crosses as one pickle. The pipe holds one item at a time, so the child
    is at most one item ahead of the consumer (wrap this in ``read_ahead`` for more).

    With ``spool``, the child writes up to that many items ahead of the consumer, each to a
    file of a private temporary directory (only its name crosses the pipe), instead of
    waiting for the consumer: a reader whose items are consumed later (after another
    reader's) reads on meanwhile, with the disk, not the memory, holding what it read.

    The fork happens in the constructor, in the calling thread: make every reader before
    starting threads (a child inherits the locks other threads hold at the fork).
    ``setup`` runs first in the child (e.g. to drop database connections inherited from the
    parent). An exception in the child is raised here; ``close()`` (called at the end, on
    an error, or by the consumer when it stops early) stops the child and removes its files.
    """

    def __init__(
        self,
        produce: Callable[[], Iterable[T]],
        *,
        setup: Callable[[], None] | None = None,
        spool: int = 0,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._receiving, sending = context.Pipe(duplex=False)
        receiving = self._receiving
        self._spool = tempfile.mkdtemp(prefix="planswitch-sync-") if spool else None
        self._free = context.Semaphore(spool)  # items the child may still spool ahead
        spool_dir, free = self._spool, self._free

        def send(data: bytes, number: int) -> None:
            if spool_dir is None:
                sending.send_bytes(data)
                return
            free.acquire()
            path = os.path.join(spool_dir, f"{number}.pickle")
            with open(path, "wb") as file:
                file.write(data)
            sending.send_bytes(_SPOOLED + os.fsencode(path))

        def child() -> None:
            receiving.close()
            gc.freeze()  # what the parent had is never collected here: keep it out of scans
            try:
                if setup is not None:
                    setup()
                for number, item in enumerate(produce()):
                    send(pickle.dumps(item, pickle.HIGHEST_PROTOCOL), number)
            except BaseException as error:  # handed to the parent, which raises it
                sending.send_bytes(_pickled_error(error))
            else:
                sending.send_bytes(_DONE_BYTES)
            finally:
                sending.close()

        self._worker = context.Process(target=child, name="sync-reader", daemon=True)
        self._worker.start()
        sending.close()
        self._closed = False

    def __next__(self) -> T:
        if self._closed:
            raise StopIteration
        try:
            data = self._receiving.recv_bytes()
        except EOFError:
            self.close()
            raise RuntimeError(
                f"the sync's reader process ended without a result (exit code "
                f"{self._worker.exitcode})"
            ) from None
        if data == _DONE_BYTES:
            self.close()
            raise StopIteration
        if data.startswith(_SPOOLED):
            path = os.fsdecode(data[len(_SPOOLED) :])
            with open(path, "rb") as file:
                data = file.read()
            os.unlink(path)
            self._free.release()
        value = pickle.loads(data)
        if isinstance(value, _Failed):
            self.close()
            raise value.error
        return value

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._worker.is_alive():
            self._worker.terminate()
        self._worker.join()
        self._receiving.close()
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)


_DONE_BYTES = b"planswitch-sync-reader-done"
_SPOOLED = b"planswitch-sync-spooled:"  # + the path of the file holding the item


def _pickled_error(error: BaseException) -> bytes:
    try:
        data = pickle.dumps(_Failed(error), pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)  # some exceptions pickle but cannot be rebuilt from their args
        return data
    except Exception:  # an exception that does not pickle: its text and traceback
        text = "".join(traceback.format_exception(error))
        return pickle.dumps(_Failed(RuntimeError(text)), pickle.HIGHEST_PROTOCOL)
