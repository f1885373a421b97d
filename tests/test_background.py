"""The worker thread that runs decoding and face tracking ahead of the generator."""

from __future__ import annotations

import threading

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
    offering = threading.Event()

    def produce():
        for i in range(1000):
            if i == 2:  # item 0 taken, item 1 in the one slot: item 2 waits for room
                offering.set()
            yield i

    with pytest.raises(RuntimeError, match="generator failed"):
        with in_background(produce(), depth=1) as items:
            next(items)
            offering.wait()
            raise RuntimeError("generator failed")


def test_exclusive_turn_holds_back_shared_steps():
    """A shared step asked for during an exclusive turn runs after it: the worker says it asks, and the exclusive
    turn ends only after that (a shared step let through would have run at once, before it)."""
    turns = CoreTurns()
    events = []
    exclusive, asking = threading.Event(), threading.Event()

    def worker():
        exclusive.wait()
        asking.set()
        with turns.shared():
            events.append("shared")

    thread = threading.Thread(target=worker)
    thread.start()
    with turns.exclusive():
        exclusive.set()
        asking.wait()
        events.append("exclusive done")
    thread.join()
    assert events == ["exclusive done", "shared"]
