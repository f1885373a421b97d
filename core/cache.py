"""Arrays computed once and kept in voxlip's cache, so that the next process reads them instead."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import InputError, VoxlipError
from .files import UNREADABLE_ARRAYS, atomic_output
from .version import __version__


def cache_dir() -> Path:
    """Where fetched checkpoints and what voxlip computes once live: $VOXLIP_CACHE, else $XDG_CACHE_HOME/voxlip,
    else ~/.cache/voxlip; an InputError saying so if that is a file."""
    if os.environ.get("VOXLIP_CACHE"):
        path, remedy = Path(os.environ["VOXLIP_CACHE"]).expanduser(), "set VOXLIP_CACHE to a folder, or unset it"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path, remedy = Path(base).expanduser() / "voxlip", "move that file away, or set VOXLIP_CACHE to a folder"
    if path.exists() and not path.is_dir():
        raise InputError(
            f"voxlip's cache {path} is a file, not a folder (voxlip keeps checkpoints and what it computes once in "
            f"it): {remedy}"
        )
    return path


def cache_path(folder: str, key: bytes, suffix: str) -> Path:
    """Where what voxlip computes from `key` is kept: cache_dir()/`folder`, under the sha256 of `key` and voxlip's
    version, so that a newer voxlip computes it again rather than reading what an older one computed."""
    digest = hashlib.sha256(f"voxlip {__version__}|".encode() + key).hexdigest()
    return cache_dir() / folder / f"{digest[:32]}{suffix}"


def cached_arrays(
    folder: str, key: bytes, names: tuple[str, ...], compute: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """`compute()`'s arrays, kept in voxlip's cache (cache_path).

    A later call with the same key reads them back (all of `names`); a damaged or incomplete entry is
    made again, and a cache that cannot be written only costs the computation next time (note_unwritable_cache).
    """
    path = cache_path(folder, key, ".npz")
    try:
        with np.load(path) as data:
            return {name: data[name] for name in names}
    except (*UNREADABLE_ARRAYS, KeyError):
        pass
    arrays = compute()
    try:
        with atomic_output(path) as partial:
            np.savez(partial, **arrays)
    except VoxlipError:
        note_unwritable_cache()
    return arrays


def note_unwritable_cache() -> None:
    """Say (a log's warning: the command line's `note:` lines) that voxlip's cache could not be written: what it
    computes once is then computed again in every run, seconds each time, which nothing else would tell."""
    _note_once(str(cache_dir()))


@functools.lru_cache(maxsize=None)
def _note_once(folder: str) -> None:
    """Once per process and folder: a run writes many entries, and one note tells of them all."""
    logging.getLogger(__name__).warning(
        "voxlip's cache %s cannot be written, so what voxlip would keep there (a reference voice's analysis, the "
        "offline voice's optimised model: seconds of work) is done again in every run: set VOXLIP_CACHE to a folder "
        "it can write to",
        folder,
    )
