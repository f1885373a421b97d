"""core/quiet.py: native stderr silenced, nested and from several threads at once, and restored as it was (pytest's
capfd holds file descriptor 2 meanwhile)."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from core.quiet import native_stderr_silenced


def _fd2() -> str:
    return os.readlink("/proc/self/fd/2")


def _silenced_in_thread(
    entered: threading.Event, leave: threading.Event, keep_python: bool = False
) -> threading.Thread:
    """A thread in a silenced block from `entered` until `leave` is set."""

    def run() -> None:
        with native_stderr_silenced(keep_python):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=run)
    thread.start()
    assert entered.wait(10)
    return thread


@pytest.mark.parametrize("first_leaves_first", [True, False])
def test_threads_overlapping_leave_fd2_where_it_was(capfd, first_leaves_first):
    before = _fd2()
    events = [(threading.Event(), threading.Event()) for _ in range(2)]
    threads = [_silenced_in_thread(*pair) for pair in events]
    assert _fd2() == os.devnull
    order = [0, 1] if first_leaves_first else [1, 0]
    events[order[0]][1].set()
    threads[order[0]].join(10)
    assert _fd2() == os.devnull, "one thread still in its block: still silenced"
    events[order[1]][1].set()
    threads[order[1]].join(10)
    assert _fd2() == before
    os.write(2, b"heard\n")
    assert capfd.readouterr().err == "heard\n"


def test_nested_blocks_restore_at_the_outermost(capfd):
    before = _fd2()
    with native_stderr_silenced():
        with native_stderr_silenced():
            os.write(2, b"lost\n")
        assert _fd2() == os.devnull
        os.write(2, b"lost too\n")
    assert _fd2() == before
    os.write(2, b"heard\n")
    assert capfd.readouterr().err == "heard\n"


def test_keep_python_overlapping_a_thread_keeps_python_and_restores(capfd, monkeypatch):
    python = open(2, "w", closefd=False)  # a sys.stderr that writes to fd 2, as outside pytest
    monkeypatch.setattr(sys, "stderr", python)
    before = _fd2()
    entered, leave = threading.Event(), threading.Event()
    thread = _silenced_in_thread(entered, leave)  # a library's block starts first
    with native_stderr_silenced(keep_python=True):
        assert sys.stderr is not python
        print("python's message", file=sys.stderr)
        os.write(2, b"native, lost\n")
        leave.set()
        thread.join(10)
        assert _fd2() == os.devnull
    assert sys.stderr is python
    assert _fd2() == before
    os.write(2, b"heard\n")
    assert capfd.readouterr().err == "python's message\nheard\n"


def test_many_threads_at_once_restore_fd2(capfd):
    before = os.fstat(2).st_ino
    barrier = threading.Barrier(8)

    def run(k: int) -> None:
        barrier.wait(10)
        for _ in range(20):
            with native_stderr_silenced(keep_python=k % 2 == 0):
                time.sleep(0.001)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert os.fstat(2).st_ino == before
