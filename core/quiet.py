"""Silencing what native libraries (MediaPipe's C++) write straight to file descriptor 2."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class _Silencer:
    """File descriptor 2 sent to /dev/null while any block wants it, and `sys.stderr` moved to the real one while any
    block keeps Python's messages: the first block in redirects, the last one out restores what was there.

    A descriptor is the process's, not a thread's: blocks silenced at once (nested, or in other threads) share one
    redirection, since a second block saving fd 2 for itself would save /dev/null as the original and restore it for
    good.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        """A copy of the real fd 2 while silenced."""
        self._keeping = 0
        self._python: tuple[TextIO, TextIO] | None = None
        """(the sys.stderr replaced, its replacement on a copy of the real fd 2) while a block keeps Python's."""

    def enter(self, keep_python: bool) -> None:
        with self._lock:
            if self._depth == 0:
                _flush(sys.stderr)
                self._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            self._depth += 1
            if keep_python:
                if self._keeping == 0 and _writes_to_fd2(sys.stderr):
                    self._python = (sys.stderr, _copy(sys.stderr, os.dup(self._saved)))
                    sys.stderr = self._python[1]
                self._keeping += 1

    def leave(self, keep_python: bool) -> None:
        with self._lock:
            if keep_python:
                self._keeping -= 1
                if self._keeping == 0 and self._python is not None:
                    replaced, replacement = self._python
                    self._python = None
                    replacement.flush()
                    if sys.stderr is replacement:  # unless someone replaced it since
                        sys.stderr = replaced
                    replacement.close()
            self._depth -= 1
            if self._depth == 0:
                _flush(sys.stderr)
                os.dup2(self._saved, 2)
                os.close(self._saved)
                self._saved = None


def _flush(stream: TextIO | None) -> None:
    """Write out what Python holds for fd 2 before it is redirected, or restored."""
    try:
        stream.flush()
    except (AttributeError, OSError, ValueError):  # no sys.stderr (pythonw), or one closed
        pass


def _copy(stream: TextIO, descriptor: int) -> TextIO:
    """A line-buffered stream writing to `descriptor` as `stream` writes: in its encoding, with its handling of a
    character the encoding lacks."""
    return os.fdopen(descriptor, "w", buffering=1, encoding=stream.encoding, errors=stream.errors)


def _writes_to_fd2(stream: TextIO) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # a stream of Python's own (pytest's capture, a StringIO)
        return False


_SILENCER = _Silencer()
"""The process's one: file descriptor 2 is process-wide state, so its redirection is counted process-wide."""


@contextmanager
def native_stderr_silenced(keep_python: bool = False) -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block; safe to nest and to enter from several threads at once.

    With `keep_python`, Python's own `sys.stderr` (messages, progress bars), when it writes to fd 2, is moved to a copy
    of the real descriptor first, so only native libraries' direct writes are lost. Without it the redirection also
    swallows what other threads write meanwhile: keep such blocks short.
    """
    _SILENCER.enter(keep_python)
    try:
        yield
    finally:
        _SILENCER.leave(keep_python)
