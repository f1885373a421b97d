"""Seeds, which make a result repeatable: checked where a user gives one, before any work."""

from __future__ import annotations

import numbers

from .errors import InputError

LARGEST_SEED = 2**32 - 1
"""NumPy's and Praat's generators take seeds up to this."""


def checked_seed(seed: object) -> int | None:
    """`seed` as an int (None: a different result each time); InputError for anything else."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= LARGEST_SEED:
        raise InputError(
            f"seed {seed!r}: give a whole number from 0 to {LARGEST_SEED}, or None for a different result each time"
        )
    return int(seed)
