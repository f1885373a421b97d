"""Clean stops: SIGTERM and SIGHUP (what `timeout`, systemd and `docker stop` send) unwind like Ctrl-C.

The default for both signals ends the process on the spot, leaving temporary folders and partial
files behind. Raised as an exception in the main thread instead, every `with` and `finally` on the
way out runs, so they are removed, and the process can exit with the code a shell expects.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
DEFERRABLE = (signal.SIGINT, *SIGNALS)
INTERRUPTED = "voxlip: interrupted; no partial output was left\n"
"""What the command prints on Ctrl-C, while it starts (`launch`) or runs (`cli`)."""


class Stopped(KeyboardInterrupt):
    """A stop asked for by a signal; a KeyboardInterrupt, so that what handles Ctrl-C handles it too."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class StopRecord:
    """Which signal stopped the block, if one did."""

    signum: int | None = None

    @property
    def exit_code(self) -> int:
        """128 + the signal's number (143 for SIGTERM, 129 for SIGHUP), the shell's convention."""
        return 128 + self.signum if self.signum is not None else 0


@contextmanager
def unwinding_on_stop() -> Iterator[StopRecord]:
    """For the block, SIGTERM and SIGHUP raise `Stopped` in the main thread; the old handlers come back after."""
    record = StopRecord()

    def stop(signum: int, frame) -> None:
        record.signum = signum
        raise Stopped(signum)

    previous = {number: signal.signal(number, stop) for number in SIGNALS}
    try:
        yield record
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def stops_deferred() -> Iterator[None]:
    """For the block, a Ctrl-C, SIGTERM or SIGHUP is held and acted on (its handler run: KeyboardInterrupt, `Stopped`)
    as the block ends.

    For native code that calls back into Python, such as c2pa reading and writing its streams: an exception raised in
    a ctypes callback is printed and dropped, and the native code goes on with a failed read or write (a false error,
    a damaged file, an abort, or the stop lost). Blocking the signals with pthread_sigmask would not do: another
    thread, not blocking them, takes them and the main thread's handler still runs inside the callback. Handlers run
    in the main thread only, so elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame) -> None:
        if signum not in held:
            held.append(signum)

    previous = {number: handler for number in DEFERRABLE if callable(handler := signal.getsignal(number))}
    for number in previous:
        signal.signal(number, hold)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in held:
            signal.raise_signal(number)
