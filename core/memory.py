"""The C allocator's settings for voxlip's own processes (the command line, the demo, the benchmarks), and
handing what a finished run freed back to the system."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

M_ARENA_MAX = -8
"""glibc's mallopt parameter number for the most arenas it makes."""


def limit_allocator_arenas(arenas: int = 2) -> bool:
    """Have glibc share `arenas` malloc arenas among all threads, unless MALLOC_ARENA_MAX says otherwise; False
    where the C library has no such setting (macOS, Windows, musl).

    By default each thread that allocates gets an arena of its own, and what is freed stays in it: a video
    decoded, tracked and drawn in several threads then raised voxlip's peak memory with every minute of video
    (1280x720 offline lip-sync, 20 s -> 60 s: 918 -> 1028 MB; with two arenas 901 -> 929 MB, as fast).
    Call it first thing in a process: arenas already made stay."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = _c_function("mallopt")
    return bool(mallopt and mallopt(M_ARENA_MAX, arenas))


def return_freed_memory() -> bool:
    """Give the memory a finished run freed back to the system (glibc's malloc_trim); False where the C library has
    no such call.

    glibc keeps freed memory for the next allocation: between requests the demo held 850-870 MB after twelve
    1280x720 lip-syncs in one process, 370 MB once trimmed. A call costs milliseconds."""
    trim = _c_function("malloc_trim")
    return bool(trim and trim(0))


def _c_function(name: str) -> Callable[..., int] | None:
    """The C library's function `name`, None where there is no such library or function."""
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None
