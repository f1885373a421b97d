"""Seeds, which make a result repeatable: checked where a user gives one, before any work."""

from __future__ import annotations

import numbers
import secrets

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


def seed_to_use(seed: object) -> int:
    """`seed` as `checked_seed` takes it, or, for None, one drawn at random from the same range: what a result is then
    made with and its record names, so that the same call with that seed makes it again."""
    checked = checked_seed(seed)
    return secrets.randbelow(LARGEST_SEED + 1) if checked is None else checked
