"""Batched ("folded") autoregressive generation: cut a long sequence into overlapping slices and join them.

Layout, with target T and overlap O: fold i covers samples [i*(T+O), i*(T+O) + T + 2*O) of the
(zero-padded) sequence, so neighbours share O samples. Each fold starts from a zero RNN state;
when joining, the first half of a fold's leading overlap is discarded as warm-up and the second
half is cross-faded (equal power) with the tail of the previous fold. Same layout and gains as
Real-Time-Voice-Cloning's WaveRNN.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def num_folds(length: int, target: int, overlap: int) -> int:
    """How many folds cover `length` steps (at least one)."""
    return max(1, -(-(length - overlap) // (target + overlap)))


def fold_with_overlap(x: Tensor, target: int, overlap: int) -> Tensor:
    """(1, length, features) -> (folds, target + 2*overlap, features), zero-padded at the end."""
    _, length, features = x.shape
    folds = num_folds(length, target, overlap)
    padded_length = folds * (target + overlap) + overlap
    padded = torch.zeros(padded_length, features, dtype=x.dtype, device=x.device)
    padded[: min(length, padded_length)] = x[0, :padded_length]
    window = target + 2 * overlap
    return padded.unfold(0, window, target + overlap).transpose(1, 2).contiguous()


def crossfade_gains(overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """Fade-in and fade-out gains over an overlap: silence + sqrt ramp, and its mirror image."""
    silence = overlap // 2
    t = np.linspace(-1.0, 1.0, overlap - silence, dtype=np.float64)
    fade_in = np.concatenate([np.zeros(silence), np.sqrt(0.5 * (1 + t))])
    fade_out = np.concatenate([np.sqrt(0.5 * (1 - t)), np.zeros(silence)])
    return fade_in, fade_out


def xfade_and_unfold(y: np.ndarray, overlap: int) -> np.ndarray:
    """(folds, target + 2*overlap) generated samples -> (folds*(target+overlap) + overlap,) joined signal."""
    folds, window = y.shape
    target = window - 2 * overlap
    y = y.copy()
    if overlap:
        fade_in, fade_out = crossfade_gains(overlap)
        y[:, :overlap] *= fade_in
        y[:, -overlap:] *= fade_out
    joined = np.zeros(folds * (target + overlap) + overlap, dtype=y.dtype)
    for i in range(folds):
        start = i * (target + overlap)
        joined[start : start + window] += y[i]
    return joined
