"""F0 tracking (WORLD's DIO for recordings; Praat's for the base voice, whose periods DIO misreads, and for what
DIO cannot read) and the log-F0 statistics that carry a speaker's pitch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import parselmouth
import pyworld

from .. import spectral
from .config import OfflineConfig


@dataclass(frozen=True)
class PitchStats:
    median_hz: float
    log_std: float
    """Standard deviation of natural-log F0 over voiced frames (0.1 is about 10% either way)."""

    @property
    def std_hz(self) -> float:
        return self.median_hz * self.log_std


def track_f0(wave: np.ndarray, n_frames: int, config: OfflineConfig) -> np.ndarray:
    """F0 in Hz per STFT frame (0 where unvoiced).

    Hum is filtered out first (and not searched for: config.tracking_floor_hz), and a second pass searches only
    around the first pass's median, which removes most octave errors on noisy recordings.
    """
    signal = np.ascontiguousarray(spectral.highpass(wave, config.highpass_hz, config.sample_rate))
    period_ms = 1000 * config.hop_length / config.sample_rate
    floor, ceiling = config.tracking_floor_hz, config.pitch_ceiling_hz
    f0, times = pyworld.dio(signal, config.sample_rate, f0_floor=floor, f0_ceil=ceiling, frame_period=period_ms)
    voiced = f0[f0 > 0]
    if voiced.size > 10:
        median = float(np.median(voiced))
        floor, ceiling = max(floor, median / 2), min(ceiling, median * 2.2)
        f0, times = pyworld.dio(signal, config.sample_rate, f0_floor=floor, f0_ceil=ceiling, frame_period=period_ms)
    f0 = pyworld.stonemask(signal, f0, times, config.sample_rate)
    return np.pad(f0, (0, max(0, n_frames - len(f0))))[:n_frames]


def praat_f0(wave: np.ndarray, config: OfflineConfig, rate: int | None = None) -> np.ndarray:
    """F0 in Hz (0 where unvoiced) of speech at `rate` (default config.sample_rate, 16 kHz) as Praat's Change gender
    tracks it (its autocorrelation method, from config.pitch_floor_hz to config.pitch_ceiling_hz): the contour
    conversion.change_voice scales."""
    sound = parselmouth.Sound(np.asarray(wave, np.float64), sampling_frequency=rate or config.sample_rate)
    pitch = sound.to_pitch(
        time_step=config.hop_length / config.sample_rate,
        pitch_floor=config.pitch_floor_hz,
        pitch_ceiling=config.pitch_ceiling_hz,
    )
    return pitch.selected_array["frequency"]


def pitch_stats(f0: np.ndarray) -> PitchStats:
    """Median and log-spread of the voiced frames of an F0 track whose pitch can be read (unreadable_pitch)."""
    log_f0 = np.log(f0[f0 > 0])
    low, high = np.percentile(log_f0, [5, 95])
    log_f0 = log_f0[(log_f0 >= low) & (log_f0 <= high)]
    return PitchStats(float(np.exp(np.median(log_f0))), float(np.std(log_f0)))


def unreadable_pitch(f0: np.ndarray, config: OfflineConfig) -> str:
    """Why a recording's pitch cannot be read from its F0 track, in words for the user; "" when it can."""
    voiced_seconds = int((f0 > 0).sum()) * config.hop_length / config.sample_rate
    if voiced_seconds < config.min_voiced_seconds:
        return (
            f"only {voiced_seconds:.2f} s of it sounds voiced, {config.min_voiced_seconds:.1f} s are needed: "
            "give a few seconds of clear speech"
        )
    low_jitter, high_jitter = config.pitch_jitter_range
    if not low_jitter <= pitch_jitter(f0) <= high_jitter:
        return "its pitch does not move as a voice's does: is it music or noise?"
    return ""


def pitch_jitter(f0: np.ndarray) -> float:
    """Median absolute log-F0 change between consecutive voiced frames (inf if none are consecutive)."""
    both = (f0[1:] > 0) & (f0[:-1] > 0)
    if not both.any():
        return float("inf")
    return float(np.median(np.abs(np.log(f0[1:][both]) - np.log(f0[:-1][both]))))


def plausible_speech_pitch(stats: PitchStats, config: OfflineConfig) -> PitchStats:
    """The same statistics clipped into the range of human speech."""
    return PitchStats(
        float(np.clip(stats.median_hz, *config.pitch_range_hz)),
        float(np.clip(stats.log_std, *config.pitch_spread_range)),
    )
