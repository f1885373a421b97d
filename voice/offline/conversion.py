"""The conversion that keeps a neural base voice natural: Praat's gender change, then a static timbre filter.

Frame-by-frame spectral maps (and WORLD resynthesis) make the base voice sound processed: every
frame gets its own filter, and the judges of naturalness hear it. What moves a voice toward a
speaker and still sounds spoken is what a voice actor changes: the pitch (its median and range,
PSOLA), the vocal-tract length (all formants scaled by one ratio: Praat resamples and re-lays the
pitch periods), and the long-term colour of the voice: one filter for the whole utterance that gives it
the reference's mean spectral envelope on the mel scale (its formant region, nasality and brightness, and
the colour its recording adds).
"""

from __future__ import annotations

import warnings

import numpy as np
import parselmouth
from parselmouth.praat import call

from .. import spectral
from .config import OfflineConfig
from .envelope import log_mel_envelope, loudest_frames, mel_bands, stft
from .pitch import PitchStats, praat_f0
from .praat_random import praat_random


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

    Praat's overlap-add draws random numbers (for voiceless stretches); `seed` makes them repeatable, under
    concurrency too (praat_random).
    """
    if formant_ratio == 1.0 and pitch is None and range_factor == 1.0:
        return wave
    sound = parselmouth.Sound(wave.astype(np.float64), sampling_frequency=rate)
    median = pitch.median_hz if pitch is not None else 0.0  # 0: Praat keeps the median
    if range_factor > 1.0:
        range_factor = min(range_factor, widest_range_factor(praat_f0(wave, config, rate), median, config))
    with praat_random(seed), warnings.catch_warnings():
        # a stretch without a voice (room tone) has no pitch to move: Praat moves its formants alone, and says so
        warnings.filterwarnings("ignore", "There were no voiced segments found", parselmouth.PraatWarning)
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


def widest_range_factor(f0: np.ndarray, median_hz: float, config: OfflineConfig) -> float:
    """The widest pitch range factor Change gender can take on speech of F0 track `f0` (praat_f0) moved to
    `median_hz` (0: its own median).

    Praat widens the range in hertz around the median: a low outlier (an octave error: 73 Hz in a voice of 274 Hz)
    goes below 0 Hz at a factor of 1.41, and Praat fails. Its lowest point is kept at half the pitch floor.
    """
    voiced = f0[f0 > 0]
    if voiced.size == 0:
        return float("inf")
    own = float(np.median(voiced))
    target = median_hz or own
    below = 1.0 - float(voiced.min()) / own  # the lowest point's distance under the median, as a share of it
    return (1.0 - config.pitch_floor_hz / 2 / target) / below if below > 0 else float("inf")


def speech_envelope(wave16k: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """The mean log-mel envelope (n_mels,) of a voice's speech frames, its silences left out."""
    return mean_speech_envelope(log_mel_envelope(stft(wave16k, config), config), config)


def mean_speech_envelope(envelopes: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """The mean of the (frames, n_mels) `envelopes` over the speech frames (within speech_floor_db of the loudest).

    A mean of logs weighs quiet sounds (nasals, fricatives) as much as loud vowels, on the mel scale;
    a long-term power spectrum is ruled by the loudest vowels and the low bins.
    """
    return envelopes[loudest_frames(envelopes, config.speech_floor_db)].mean(axis=0)


def timbre_gain(
    reference: np.ndarray,
    base: np.ndarray,
    formant_ratio: float,
    strength: float,
    config: OfflineConfig,
    band_limit_hz: float | None = None,
) -> np.ndarray:
    """Amplitude gain per STFT bin (config.n_fft at config.sample_rate) moving the mean envelope `base`, its
    formants scaled by `formant_ratio` (as change_voice scales them), `strength` of the way to `reference`.

    Its mean is removed (loudness is matched apart) and each band's change bounded by `timbre_limit_db`. Above
    `band_limit_hz` (a band-limited recording's top) there is nothing to match: those bands keep the base voice's
    colour (no change), and the mean is taken below it.
    """
    bands = mel_bands(config)
    scaled = np.interp(bands.centres_hz / formant_ratio, bands.centres_hz, base)
    limit = config.timbre_limit_db * np.log(10) / 10
    kept = bands.centres_hz <= (band_limit_hz or np.inf)
    difference = np.where(kept, reference - scaled, np.mean((reference - scaled)[kept]))
    difference = np.clip(difference - np.mean(difference[kept]), -limit, limit)
    return np.exp(np.interp(bands.bins_hz, bands.centres_hz, difference) * strength / 2)


def without_rumble(wave: np.ndarray, rate: int, config: OfflineConfig) -> np.ndarray:
    """`wave` high-passed at config.output_highpass_hz (zero-phase): no offset nor rumble under the voice."""
    if config.output_highpass_hz <= 0:
        return wave
    return spectral.highpass(wave, config.output_highpass_hz, rate, config.output_highpass_order).astype(np.float32)


def apply_gain(wave: np.ndarray, rate: int, gain: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """Filter `wave` by one gain curve given on timbre_gain's grid (above its top bin, the top bin's gain holds)."""
    n_fft = int(round(config.n_fft * rate / config.sample_rate / 2)) * 2
    spectrum = spectral.stft(wave, n_fft, n_fft // 4)
    bins_hz = np.arange(spectrum.shape[0]) * rate / n_fft
    grid_hz = mel_bands(config).bins_hz
    filtered = spectrum * np.interp(bins_hz, grid_hz, gain)[:, None]
    return spectral.istft(filtered, n_fft // 4, len(wave))
