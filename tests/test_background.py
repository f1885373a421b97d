"""The worker thread that runs decoding and face tracking ahead of the generator."""

from __future__ import annotations

import threading
import time

import pytest

from lipsync.background import CoreTurns, in_background


def test_items_arrive_in_order_from_another_thread():
    threads = []

    def produce():
        for i in range(50):
            threads.append(threading.current_thread().name)
            yield i

    with in_background(produce(), depth=3, name="producer") as items:
        assert list(items) == list(range(50))
    assert set(threads) == {"producer"}


def test_an_error_in_the_worker_is_raised_at_its_item():
    def produce():
        yield 1
        yield 2
        raise ValueError("frame 3 is corrupt")

    seen = []
    with pytest.raises(ValueError, match="frame 3 is corrupt"):
        with in_background(produce()) as items:
            for item in items:
                seen.append(item)
    assert seen == [1, 2]


def test_leaving_early_stops_the_worker_and_closes_the_items_in_its_thread():
    closed_in = []

    def produce():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed_in.append(threading.current_thread().name)

    with in_background(produce(), depth=2, name="producer") as items:
        for item in items:
            if item == 5:
                break
    assert closed_in == ["producer"]


def test_an_error_in_the_consumer_does_not_hang_on_a_full_queue():
    def produce():
        yield from range(1000)

    with pytest.raises(RuntimeError, match="generator failed"):
        with in_background(produce(), depth=1) as items:
            next(items)
            time.sleep(0.05)  # the worker is now blocked on the full queue
            raise RuntimeError("generator failed")


def test_exclusive_turn_holds_back_shared_steps():
    turns = CoreTurns()
    events = []
    started = threading.Event()

    def worker():
        started.wait()
        with turns.shared():
            events.append("shared")

    thread = threading.Thread(target=worker)
    thread.start()
    with turns.exclusive():
        started.set()
        time.sleep(0.05)
        events.append("exclusive done")
    thread.join()
    assert events == ["exclusive done", "shared"]
