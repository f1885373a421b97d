"""Clean stops: SIGTERM and SIGHUP (what `timeout`, systemd and `docker stop` send) unwind like Ctrl-C.

The default for both signals ends the process on the spot, leaving temporary folders and partial
files behind. Raised as an exception in the main thread instead, every `with` and `finally` on the
way out runs, so they are removed, and the process can exit with the code a shell expects.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SIGNALS = (signal.SIGTERM, signal.SIGHUP)
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
