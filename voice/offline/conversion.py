"""The conversion that keeps a neural base voice natural: Praat's gender change, then a static timbre filter.

Frame-by-frame spectral maps (and WORLD resynthesis) make the base voice sound processed: every
frame gets its own filter, and the judges of naturalness hear it. What moves a voice toward a
speaker and still sounds spoken is what a voice actor changes: the pitch (its median and range,
PSOLA), the vocal-tract length (all formants scaled by one ratio: Praat resamples and re-lays the
pitch periods), and the long-term colour of the voice (one smooth filter for the whole utterance).
"""

from __future__ import annotations

import numpy as np
import parselmouth
from parselmouth.praat import call, run
from scipy.fft import dct, idct

from .. import spectral
from .config import OfflineConfig
from .envelope import log_mel_envelope, loudest_frames, stft
from .pitch import PitchStats

LTAS_FFT = 512
"""Long-term spectra are compared on a 16 kHz, 512-point grid (31.25 Hz bins, 0-8 kHz)."""


def change_voice(
    wave: np.ndarray,
    rate: int,
    formant_ratio: float,
    pitch: PitchStats | None,
    range_factor: float,
    config: OfflineConfig,
    seed: int | None = None,
) -> np.ndarray:
    """`wave` with its formants scaled by `formant_ratio` and its pitch moved to `pitch`'s median, the
    spread around it scaled by `range_factor`; timing and length kept.

    Praat's overlap-add draws random numbers (for voiceless stretches); `seed` makes them repeatable.
    """
    if formant_ratio == 1.0 and pitch is None and range_factor == 1.0:
        return wave
    if seed is not None:
        run(f"random_initializeWithSeedUnsafelyButPredictably ({int(seed)})")
    sound = parselmouth.Sound(wave.astype(np.float64), sampling_frequency=rate)
    median = pitch.median_hz if pitch is not None else 0.0  # 0: Praat keeps the median
    changed = call(
        sound,
        "Change gender",
        config.pitch_floor_hz,
        config.pitch_ceiling_hz,
        formant_ratio,
        median,
        range_factor,
        1.0,
    )
    samples = changed.values[0][: len(wave)]
    return np.pad(samples, (0, len(wave) - len(samples))).astype(np.float32)


def long_term_spectrum(wave16k: np.ndarray, frames: np.ndarray | None = None) -> np.ndarray:
    """Natural-log mean power per bin (257 bins, 0-8 kHz) over the chosen STFT frames (all if None)."""
    spectrum = np.abs(spectral.stft(wave16k, LTAS_FFT, LTAS_FFT // 4)) ** 2
    if frames is not None and frames[: spectrum.shape[1]].any():
        spectrum = spectrum[:, frames[: spectrum.shape[1]]]
    return np.log(spectrum.mean(axis=1) + 1e-10)


def speech_spectrum(wave16k: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """The long-term spectrum of a voice's speech frames (its silences left out)."""
    envelopes = log_mel_envelope(stft(wave16k, config), config)
    return long_term_spectrum(wave16k, loudest_frames(envelopes, config.speech_floor_db))


def scale_frequencies(log_spectrum: np.ndarray, ratio: float) -> np.ndarray:
    """The long-term spectrum of the same voice with its formants scaled by `ratio` (f -> ratio * f)."""
    bins = np.arange(len(log_spectrum), dtype=np.float64)
    return np.interp(bins / ratio, bins, log_spectrum)


def timbre_gain(reference: np.ndarray, base: np.ndarray, strength: float, config: OfflineConfig) -> np.ndarray:
    """Amplitude gain per 16 kHz bin moving `base`'s long-term spectrum `strength` of the way to `reference`'s.

    The difference is cepstrally smoothed to `timbre_cepstra` coefficients (the colour of the voice, not
    its harmonics or the words said), its mean removed (loudness is matched separately) and bounded.
    """
    difference = reference - base
    cepstrum = dct(difference, norm="ortho")
    cepstrum[config.timbre_cepstra :] = 0
    smooth = idct(cepstrum, norm="ortho")
    limit = config.timbre_limit_db * np.log(10) / 10
    return np.exp(np.clip(smooth - smooth.mean(), -limit, limit) * strength / 2)


def apply_gain(wave: np.ndarray, rate: int, gain: np.ndarray) -> np.ndarray:
    """Filter `wave` by one gain curve given on the 16 kHz grid (above 8 kHz the top bin's gain holds)."""
    n_fft = int(round(LTAS_FFT * rate / 16_000 / 2)) * 2
    spectrum = spectral.stft(wave, n_fft, n_fft // 4)
    bins_hz = np.arange(spectrum.shape[0]) * rate / n_fft
    grid_hz = np.arange(len(gain)) * 16_000 / LTAS_FFT
    filtered = spectrum * np.interp(bins_hz, grid_hz, gain)[:, None]
    return spectral.istft(filtered, n_fft // 4, len(wave))
