"""How the lip-sync stages share the machine: a worker thread ahead, turns on the cores, time per stage.

Decoding and face tracking (ffmpeg, MediaPipe) and the mouth generator (torch, OpenCV) spend their
time in native code that releases the GIL, so on two cores they overlap instead of taking turns.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


@contextmanager
def in_background(items: Iterable[T], depth: int = 2, name: str = "voxlip-worker") -> Iterator[Iterator[T]]:
    """Iterate `items` in a worker thread at most `depth` items ahead of the with-block's loop.

    An exception raised while producing an item is raised again in the loop, at that item. Leaving
    the with-block early (break or error) stops the worker after the item it is busy with and
    closes `items` in the worker's own thread (so resources it opened are released where they were
    opened).
    """
    slots: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not offer((True, item)):
                    return
            offer((False, _DONE))
        except BaseException as error:  # handed to the consumer, which raises it
            offer((False, error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def consume() -> Iterator[T]:
        while True:
            produced, value = slots.get()
            if produced:
                yield value
            elif value is _DONE:
                return
            else:
                raise value

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


class CoreTurns:
    """Lets a stage that keeps every core busy (the torch generator) run alone.

    The worker wraps each small step in `shared()`; the heavy stage runs in `exclusive()`, which
    waits for the worker's current step and holds the next ones back until it is done. Two-core
    machines lose more to the generator's threads waiting on a busy core than the overlap gains.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self._open.clear()
        try:
            with self._lock:
                yield
        finally:
            self._open.set()

    @contextmanager
    def shared(self) -> Iterator[None]:
        self._open.wait()
        with self._lock:
            yield


class StageTimer:
    """Seconds spent in each named stage, added up over calls (from any thread): `with timer("decoding"): ...`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            with self._lock:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed
