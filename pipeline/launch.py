"""The `voxlip` command's entry point: Ctrl-C while Python imports the CLI and its libraries (seconds, on a busy
machine) ends it as Ctrl-C during a run does, in one line, not with an import's traceback."""

from __future__ import annotations

import contextlib
import os
import signal

from .stops import INTERRUPTED


def main() -> int:
    inherited = signal.getsignal(signal.SIGINT)
    if inherited is not signal.SIG_IGN:  # started with Ctrl-C ignored (`voxlip ... &` in a script): it stays ignored
        signal.signal(signal.SIGINT, _interrupted_while_starting)
    from .cli import main as run

    signal.signal(signal.SIGINT, inherited)
    return run()


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Nothing has been read or written yet: say so and end at once (an exception raised inside an import can come
    out as another, ImportError, with a traceback)."""
    with contextlib.suppress(OSError):
        os.write(2, INTERRUPTED.encode())
    os._exit(128 + signum)
