"""Arrays computed once and kept in voxlip's cache, so that the next process reads them instead."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import VoxlipError
from .files import atomic_output


def cache_dir() -> Path:
    """Where fetched checkpoints and what voxlip computes once live: $VOXLIP_CACHE, else $XDG_CACHE_HOME/voxlip,
    else ~/.cache/voxlip."""
    if os.environ.get("VOXLIP_CACHE"):
        return Path(os.environ["VOXLIP_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "voxlip"


def cached_arrays(
    folder: str, key: bytes, names: tuple[str, ...], compute: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """`compute()`'s arrays, kept in cache_dir()/`folder` under the sha256 of `key`.

    A later call with the same key reads them back (all of `names`); a damaged or incomplete entry is
    made again, and a cache that cannot be written only costs the computation next time.
    """
    path = cache_dir() / folder / f"{hashlib.sha256(key).hexdigest()[:32]}.npz"
    try:
        with np.load(path) as data:
            return {name: data[name] for name in names}
    except (OSError, KeyError, ValueError):
        pass
    arrays = compute()
    try:
        with atomic_output(path) as partial:
            np.savez(partial, **arrays)
    except VoxlipError:
        pass
    return arrays
