"""Pitch shifting for the base voice that ignores pitch targets: a phase-locked vocoder, then resampling.

A plain phase vocoder lets the phases of the bins around each harmonic drift apart, which smears the
harmonics (the "phasy" sound); the speaker encoder hears that as another voice. Identity phase locking
(Laroche and Dolson, 1999) advances only each spectral peak's phase and keeps every other bin's phase
offset to the peak it belongs to, as it was in the analysis frame.
"""

from __future__ import annotations

import librosa
import numpy as np


def shift_pitch(wave: np.ndarray, ratio: float, sample_rate: int, n_fft: int) -> np.ndarray:
    """`wave` with its pitch, and its formants, multiplied by `ratio`; same length and timing."""
    stretched = stretch_phase_locked(wave, 1 / ratio, n_fft, n_fft // 4)
    shifted = librosa.resample(stretched, orig_sr=sample_rate * ratio, target_sr=sample_rate)
    return librosa.util.fix_length(shifted, size=len(wave)).astype(np.float32)


def stretch_phase_locked(wave: np.ndarray, rate: float, n_fft: int, hop_length: int) -> np.ndarray:
    """`wave` played `rate` times as fast (rate < 1: longer) at the same pitch."""
    spectrum = librosa.stft(wave, n_fft=n_fft, hop_length=hop_length)
    bins, frames = spectrum.shape
    spectrum = np.pad(spectrum, ((0, 0), (0, 2)))
    magnitude, phase = np.abs(spectrum), np.angle(spectrum)
    expected_advance = 2 * np.pi * hop_length * np.arange(bins) / n_fft
    positions = np.arange(0, frames, rate)
    output = np.empty((bins, len(positions)), dtype=np.complex64)
    accumulated = phase[:, 0].copy()
    for column, position in enumerate(positions):
        frame, fraction = int(position), position - int(position)
        frame_magnitude = (1 - fraction) * magnitude[:, frame] + fraction * magnitude[:, frame + 1]
        owner = _peak_owners(frame_magnitude)
        output[:, column] = frame_magnitude * np.exp(1j * (accumulated[owner] + phase[:, frame] - phase[owner, frame]))
        deviation = phase[:, frame + 1] - phase[:, frame] - expected_advance
        accumulated += expected_advance + deviation - 2 * np.pi * np.round(deviation / (2 * np.pi))
    return librosa.istft(output, hop_length=hop_length, n_fft=n_fft)


def _peak_owners(magnitude: np.ndarray) -> np.ndarray:
    """For every bin, the index of the nearest local maximum of `magnitude` (itself if there is none)."""
    inner = magnitude[1:-1]
    peaks = np.flatnonzero((inner > magnitude[:-2]) & (inner >= magnitude[2:])) + 1
    bins = np.arange(len(magnitude))
    if len(peaks) == 0:
        return bins
    return peaks[np.searchsorted((peaks[1:] + peaks[:-1]) / 2, bins)]
