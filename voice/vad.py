"""Voice activity detection with WebRTC's VAD, used to shorten silences before speaker encoding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_dilation

from . import spectral
from .audio import to_pcm16


@dataclass(frozen=True)
class VadConfig:
    """Resemblyzer / SV2TTS voice-activity settings."""

    sample_rate: int = 16_000
    window_ms: int = 30
    """WebRTC VAD decides on 10, 20 or 30 ms windows."""
    moving_average_width: int = 8
    max_silence_windows: int = 6
    """Silences of up to this many windows inside speech are kept."""
    aggressiveness: int = 3

    @property
    def window_samples(self) -> int:
        return self.window_ms * self.sample_rate // 1000


def _webrtc_vad(aggressiveness: int):
    # The C extension directly: webrtcvad's Python wrapper imports pkg_resources, gone from setuptools >= 81.
    import _webrtcvad

    vad = _webrtcvad.create()
    _webrtcvad.init(vad)
    _webrtcvad.set_mode(vad, aggressiveness)
    return lambda pcm, sample_rate: _webrtcvad.process(vad, sample_rate, pcm, len(pcm) // 2)


def voice_flags(wave: np.ndarray, config: VadConfig = VadConfig()) -> np.ndarray:
    """One raw speech/non-speech decision per whole window of `wave`."""
    if config.sample_rate not in (8000, 16000, 32000, 48000):
        raise ValueError(f"WebRTC VAD runs at 8, 16, 32 or 48 kHz, not {config.sample_rate} Hz")
    step = config.window_samples
    usable = len(wave) - len(wave) % step
    pcm = to_pcm16(wave[:usable]).tobytes()
    is_speech = _webrtc_vad(config.aggressiveness)
    return np.array(
        [is_speech(pcm[i * 2 : (i + step) * 2], config.sample_rate) for i in range(0, usable, step)], dtype=bool
    )


def speech_mask(flags: np.ndarray, config: VadConfig = VadConfig()) -> np.ndarray:
    """Window flags smoothed by a moving average, rounded, then widened by `max_silence_windows`."""
    if flags.size == 0:  # under one window of audio
        return flags
    width = config.moving_average_width
    padded = np.concatenate([np.zeros((width - 1) // 2), flags.astype(float), np.zeros(width // 2)])
    smoothed = np.convolve(padded, np.ones(width), mode="valid") / width
    mask = np.round(smoothed).astype(bool)
    return binary_dilation(mask, np.ones(config.max_silence_windows + 1))


def trim_long_silences(wave: np.ndarray, config: VadConfig = VadConfig()) -> np.ndarray:
    """`wave` without the silences longer than the VAD settings allow (length cut to whole windows)."""
    mask = speech_mask(voice_flags(wave, config), config)
    return wave[: len(mask) * config.window_samples][np.repeat(mask, config.window_samples)]


def trim_long_silences_at(wave: np.ndarray, rate: int, config: VadConfig = VadConfig()) -> np.ndarray:
    """`trim_long_silences` for audio at any rate: speech is found at the VAD's rate, kept at `rate`."""
    if rate == config.sample_rate:
        return trim_long_silences(wave, config)
    at_vad_rate = spectral.resample(wave, rate, config.sample_rate)
    mask = speech_mask(voice_flags(at_vad_rate, config), config)
    window = np.arange(len(wave)) * config.sample_rate // (rate * config.window_samples)
    inside = window < len(mask)
    return wave[inside][mask[window[inside]]]


def speech_or_whole(
    wave: np.ndarray, rate: int, least_seconds: float = 0.5, config: VadConfig = VadConfig()
) -> np.ndarray:
    """`trim_long_silences_at`, or `wave` whole where that would leave under `least_seconds`: a word or two is
    too short for the VAD's smoothing, and the whole recording then says more about its voice than nothing."""
    trimmed = trim_long_silences_at(wave, rate, config)
    return trimmed if len(trimmed) >= least_seconds * rate else wave
