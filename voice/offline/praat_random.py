"""Praat's random generator: one for the whole process, held by one block at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from parselmouth.praat import run

_HELD = threading.Lock()
"""Praat (and so parselmouth) has a single process-wide generator: who seeds it and draws from it is counted
process-wide too. Seeding it, then drawing in a separate call, would let another thread re-seed or draw in between,
and the same seed give other samples under concurrency."""


@contextmanager
def praat_random(seed: int | None) -> Iterator[None]:
    """Praat's generator for the block alone (not reentrant): seeded with `seed` first when given, so the block's
    draws repeat whatever other threads do, and re-randomised after it, so that later draws (the caller's own
    unseeded ones, anyone else's in the process) are not the same in every process.

    Every block of voxlip's that draws takes it, seeded or not: an unseeded draw between another block's seeding and
    its draws would change them.
    """
    with _HELD:
        if seed is None:
            yield
            return
        run(f"random_initializeWithSeedUnsafelyButPredictably ({int(seed)})")
        try:
            yield
        finally:
            run("random_initializeSafelyAndUnpredictably ()")
