"""librosa's centred Hann STFT, its inverse, its default resampler and mel filters, for the stages a cold process runs.

The offline conversion and the audio watermark run in every offline `say`; importing librosa there
(its numba kernels, and scipy.signal through it) took about 1.8 s of a 7 s cold process. These compute
the same as `librosa.stft(..., window="hann")` (centred, zero-padded), `librosa.istft` and
`librosa.resample` (soxr, high quality), `librosa.filters.mel` (Slaney's mel scale) and the default
`librosa.feature.melspectrogram` within float rounding, and scipy.signal's zero-phase Butterworth highpass
away from the ends (tests/test_audio.py compares them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=8)
def hann(n_fft: int) -> np.ndarray:
    """The periodic Hann window (librosa's and scipy's "hann" for spectra)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)


BLOCK_FRAMES = 2048
"""The STFT and its inverse transform this many frames at a time: their float64 intermediates (each frame windowed,
and its transform) then take a few MB, not several times the spectrum (for ten minutes at 16 kHz, hop 48, about
1.5 GB). Who changes a spectrum frame by frame can hold one block of it only (stft_blocks, istft_blocks)."""


def stft_blocks(wave: np.ndarray, n_fft: int, hop_length: int) -> Iterator[np.ndarray]:
    """`stft(wave, n_fft, hop_length)` as consecutive (bins, at most BLOCK_FRAMES) complex blocks of its frames."""
    wave = np.asarray(wave, dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(wave, n_fft // 2), n_fft)[::hop_length]
    window = hann(n_fft)
    for start in range(0, len(frames), BLOCK_FRAMES):
        yield np.fft.rfft(frames[start : start + BLOCK_FRAMES] * window, axis=1).T.astype(np.complex64)


def stft_frame_count(length: int, hop_length: int) -> int:
    """Frames of the STFT of `length` samples: one centred on every hop_length-th sample."""
    return 1 + length // hop_length


def stft(wave: np.ndarray, n_fft: int, hop_length: int) -> np.ndarray:
    """(n_fft // 2 + 1, stft_frame_count) complex spectrum; frame t is centred on sample t * hop_length."""
    spectrum = np.empty((n_fft // 2 + 1, stft_frame_count(len(wave), hop_length)), np.complex64)
    start = 0
    for block in stft_blocks(wave, n_fft, hop_length):
        spectrum[:, start : start + block.shape[1]] = block
        start += block.shape[1]
    return spectrum


def istft(spectrum: np.ndarray, hop_length: int, length: int) -> np.ndarray:
    """`length` samples back from a `stft` spectrum (overlap-add, divided by the summed squared window)."""
    blocks = (spectrum[:, start : start + BLOCK_FRAMES] for start in range(0, spectrum.shape[1], BLOCK_FRAMES))
    return istft_blocks(blocks, 2 * (spectrum.shape[0] - 1), spectrum.shape[1], hop_length, length)


def istft_blocks(blocks: Iterable[np.ndarray], n_fft: int, n_frames: int, hop_length: int, length: int) -> np.ndarray:
    """istft of a spectrum of `n_frames` frames given as consecutive (bins, frames) blocks (e.g. stft_blocks')."""
    window = hann(n_fft)
    squared = (window**2).astype(np.float32)
    total = n_fft + hop_length * (n_frames - 1)
    wave, weight = np.zeros(total, np.float32), np.zeros(total, np.float32)
    t = 0
    for block in blocks:
        for frame in np.fft.irfft(block.T, n=n_fft, axis=1) * window:
            wave[t * hop_length : t * hop_length + n_fft] += frame
            weight[t * hop_length : t * hop_length + n_fft] += squared
            t += 1
    covered = weight > np.finfo(np.float32).tiny
    wave[covered] /= weight[covered]
    wave = wave[n_fft // 2 :][:length]
    return np.pad(wave, (0, length - len(wave)))


def resample(wave: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """`wave` (samples, or (samples, channels)) at `target_sr`, as `librosa.resample` makes it by default (soxr
    "HQ"), ceil(len * ratio) long."""
    import soxr

    wave = np.asarray(wave, dtype=np.float32)
    if orig_sr == target_sr:
        return wave
    resampled = soxr.resample(wave, orig_sr, target_sr, quality="soxr_hq")
    size = math.ceil(len(wave) * target_sr / orig_sr)
    padding = [(0, max(0, size - len(resampled)))] + [(0, 0)] * (wave.ndim - 1)
    return np.pad(resampled, padding)[:size].astype(np.float32)


def mel_filters(sample_rate: int, n_fft: int, n_mels: int, area_normalised: bool = False) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters on Slaney's mel scale from 0 Hz to Nyquist: peak 1, or each
    scaled to a constant area when `area_normalised` (librosa's norm="slaney", its default)."""
    edges = _mel_to_hz(np.linspace(0.0, float(hz_to_mel(sample_rate / 2)), n_mels + 2))
    bins = np.linspace(0, sample_rate / 2, 1 + n_fft // 2)
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    filters = np.maximum(0, np.minimum(rising, falling))
    if area_normalised:
        filters *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters.astype(np.float32)


def power_mel(wave: np.ndarray, sample_rate: int, n_fft: int, hop_length: int, n_mels: int) -> np.ndarray:
    """(n_mels, frames) power mel spectrogram, as `librosa.feature.melspectrogram` makes it by default."""
    power = np.abs(stft(wave, n_fft, hop_length)) ** 2
    return mel_filters(sample_rate, n_fft, n_mels, area_normalised=True) @ power


def highpass(wave: np.ndarray, cutoff_hz: float, sample_rate: int, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth highpass: what scipy's `sosfiltfilt` of `butter(order, cutoff_hz, "highpass")`
    gives away from the ends (the squared response of the bilinear-transform design, applied in one FFT; the
    ends are reflected, 0.1 s of each, where filtfilt pads differently)."""
    wave = np.asarray(wave, dtype=np.float64)
    pad = min(len(wave) - 1, sample_rate // 10)
    padded = np.pad(wave, pad, mode="reflect")
    size = 1 << int(np.ceil(np.log2(max(2, len(padded)))))
    spectrum = np.fft.rfft(padded, size)
    angle = np.pi * np.arange(1, len(spectrum)) / (len(spectrum) - 1)
    ratio = np.tan(np.pi * cutoff_hz / sample_rate) / np.tan(angle / 2)
    gain = np.concatenate([[0.0], 1 / (1 + ratio ** (2 * order))])
    return np.fft.irfft(spectrum * gain, size)[pad : pad + len(wave)]


_LINEAR_HZ_PER_MEL = 200.0 / 3
_LOG_START_HZ = 1000.0
_LOG_STEP = math.log(6.4) / 27.0


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    logarithmic = _LOG_START_HZ / _LINEAR_HZ_PER_MEL + np.log(np.maximum(hz, _LOG_START_HZ) / _LOG_START_HZ) / _LOG_STEP
    return np.where(hz < _LOG_START_HZ, hz / _LINEAR_HZ_PER_MEL, logarithmic)


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    start = _LOG_START_HZ / _LINEAR_HZ_PER_MEL
    linear = mels * _LINEAR_HZ_PER_MEL
    return np.where(mels >= start, _LOG_START_HZ * np.exp(_LOG_STEP * (mels - start)), linear)
