"""Smoothed log-mel spectral envelopes from an STFT, and which frames are speech rather than silence."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.fft import dct, idct
from scipy.special import logsumexp

from .. import spectral
from .config import OfflineConfig


@dataclass(frozen=True)
class MelBands:
    weights: np.ndarray
    """(n_mels, n_fft // 2 + 1), each row summing to 1."""
    centres_hz: np.ndarray
    bins_hz: np.ndarray


@lru_cache(maxsize=4)
def mel_bands(config: OfflineConfig) -> MelBands:
    weights = spectral.mel_filters(config.sample_rate, config.n_fft, config.n_mels).astype(np.float64)
    weights = weights / weights.sum(axis=1, keepdims=True)
    bins_hz = np.arange(config.n_fft // 2 + 1) * config.sample_rate / config.n_fft
    return MelBands(weights, weights @ bins_hz, bins_hz)


def stft(wave: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """(bins, frames) complex STFT, frame i centred on sample i * hop_length."""
    return spectral.stft(wave, config.n_fft, config.hop_length)


def log_mel_envelope(spectrum: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """(frames, n_mels) natural-log mel power, cepstrally smoothed so harmonics do not show."""
    power = np.abs(spectrum) ** 2
    log_mel = np.log(power.T @ mel_bands(config).weights.T + 1e-10)
    cepstrum = dct(log_mel, type=2, norm="ortho", axis=1)
    cepstrum[:, config.n_cepstra :] = 0
    return idct(cepstrum, type=2, norm="ortho", axis=1)


def frame_energy(envelopes: np.ndarray) -> np.ndarray:
    """Natural-log power of each (frames, n_mels) log-mel envelope frame, summed over the bands."""
    return logsumexp(envelopes, axis=1)


def level_spread_db(envelopes: np.ndarray) -> float:
    """Decibels from a recording's quiet frames (5th percentile of frame energy) to its loud ones (95th): how far
    its noise floor, heard in the pauses between words, lies below its speech, over the bands of `envelopes` ((frames,
    bands) log-mel: all of them, or some)."""
    energy = frame_energy(envelopes) * 10 / np.log(10)
    return float(np.percentile(energy, 95) - np.percentile(energy, 5))


def loudest_frames(envelopes: np.ndarray, floor_db: float) -> np.ndarray:
    """Frames within `floor_db` of the 99th-percentile frame energy (the rest is silence)."""
    energy = frame_energy(envelopes)
    return energy > np.percentile(energy, 99) - floor_db * np.log(10) / 10


def kept_bands(config: OfflineConfig) -> np.ndarray:
    """Which mel bands lie in config.kept_band_hz: the band every recording keeps, a phone call's too, where a
    listener hears a voice and what is behind it."""
    low, high = config.kept_band_hz
    centres = mel_bands(config).centres_hz
    return (centres >= low) & (centres <= high)


def band_rise(envelopes: np.ndarray) -> np.ndarray:
    """How far each band of (frames, n_mels) log-mel `envelopes` rises over a recording (natural log, its 95th
    percentile over its 10th): what speech brings to the band above the recording's own floor there."""
    return np.percentile(envelopes, 95, axis=0) - np.percentile(envelopes, 10, axis=0)


def band_limit_hz(envelope: np.ndarray, rise: np.ndarray, config: OfflineConfig) -> float | None:
    """The centre of the highest band a recording has (its mean speech `envelope`, natural-log mel, as recorded: a
    quiet top band with its noise taken out lies lower still; and each band's `rise`, band_rise) when the bands above
    it are missing: a band-limited recording. A band is missing that lies config.missing_band_db under the median of
    `kept_band_hz`, or rises less than config.flat_band_share as far as those bands do (only a floor there, such as
    noise added after the band was cut). None when it reaches the top."""
    kept = kept_bands(config)
    loud_enough = envelope >= np.median(envelope[kept]) - config.missing_band_db * np.log(10) / 10
    present = np.flatnonzero(loud_enough & (rise >= config.flat_band_share * np.median(rise[kept])))
    top = int(present.max()) if present.size else len(envelope) - 1
    return None if top == len(envelope) - 1 else float(mel_bands(config).centres_hz[top])


def without_steady_noise(spectrum: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """A (bins, frames) `spectrum` with the power of its steady noise taken out of every frame (spectral subtraction):
    the noise is each bin's mean power over the quietest frames (config.noise_percentile of frame energy), and no bin
    keeps less than config.noise_gain_floor of its power."""
    power = np.abs(spectrum) ** 2
    energy = power.sum(axis=0)
    noise = power[:, energy <= np.percentile(energy, config.noise_percentile)].mean(axis=1, keepdims=True)
    return spectrum * np.sqrt(np.maximum(1 - noise / np.maximum(power, 1e-20), config.noise_gain_floor))


def speech_spectrum(spectrum: np.ndarray, spread_db: float, config: OfflineConfig) -> np.ndarray:
    """A recording's `spectrum` without its steady noise when it is noisy (its level_spread_db, `spread_db`, under
    config.denoise_below_db); `spectrum` itself otherwise."""
    if spread_db >= config.denoise_below_db:
        return spectrum
    return without_steady_noise(spectrum, config)


def denoised(wave: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """16 kHz speech as speech_spectrum hears it: without its steady noise when it is noisy, `wave` itself otherwise."""
    spectrum = stft(wave, config)
    speech = speech_spectrum(spectrum, level_spread_db(log_mel_envelope(spectrum, config)), config)
    return wave if speech is spectrum else spectral.istft(speech, config.hop_length, len(wave))
