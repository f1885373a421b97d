"""Inputs given in memory, as the provenance record names them: what each was and the sha256 of its data.

A file is named by its name and sha256; samples, a picture or a moviepy clip have no name, so the record says what
they were (kind, rate or size, length) beside the sha256 of their data (core.files.sha256_array).
"""

from __future__ import annotations

import numpy as np

from core.amounts import counted, seconds_in_words
from core.files import InputData, sha256_array


def samples(array: np.ndarray, rate: int, what: str = "samples") -> InputData:
    """Samples given at `rate` ("samples in memory, 16000 Hz, 3.2 s"); `what` names them otherwise (a Speech, a
    moviepy AudioClip's)."""
    shape = np.shape(array)
    length = max(shape) if len(shape) == 2 else (shape[0] if shape else 0)
    channels = f", {min(shape)} channels" if len(shape) == 2 and min(shape) > 1 else ""
    return InputData(f"{what} in memory, {rate} Hz{channels}, {seconds_in_words(length / rate)}", sha256_array(array))


def image(picture: object) -> InputData:
    """A picture given as an array ("RGB image in memory, 512x512") or a PIL image ("PIL RGB image in memory,
    512x512"), hashed as the array of its pixels."""
    pixels = np.asarray(picture)
    height, width = pixels.shape[:2] if pixels.ndim >= 2 else (0, 0)
    if isinstance(picture, np.ndarray):
        channels = pixels.shape[2] if pixels.ndim == 3 else 1
        kind = {1: "grey", 3: "RGB", 4: "RGBA"}.get(channels, f"{channels}-channel")
    else:
        kind = f"PIL {getattr(picture, 'mode', '')}".rstrip()
    return InputData(f"{kind} image in memory, {width}x{height}", sha256_array(pixels))


def moviepy_clip(clip: object, frames: int, fps: float | None, sha256: str) -> InputData:
    """A moviepy VideoClip of which `frames` frames were used (one picture when `fps` is None: a still), hashed as those
    frames one after another, as the clip gave them (core.files.ArrayDigest)."""
    width, height = (int(v) for v in getattr(clip, "size", (0, 0)))
    used = "one picture" if fps is None else f"{counted(frames, 'frame')} at {fps:g} fps"
    return InputData(f"moviepy {type(clip).__name__} in memory, {width}x{height}, {used}", sha256)
