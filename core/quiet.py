"""Silencing what native libraries (MediaPipe's C++) write straight to file descriptor 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced(keep_python: bool = False) -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block.

    With `keep_python`, Python's own `sys.stderr` (messages, progress bars) is moved to a copy of the
    real descriptor first, so only native libraries' direct writes are lost. Without it the
    redirection is process-wide and also swallows what other threads write meanwhile: keep such
    blocks short.
    """
    try:
        fd = sys.stderr.fileno() if keep_python else 2
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    original = sys.stderr
    if keep_python:
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
    os.dup2(devnull, fd)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, fd)
        if keep_python:
            sys.stderr.close()
            sys.stderr = original
        os.close(saved)
        os.close(devnull)
