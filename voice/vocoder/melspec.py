"""The two mel domains the vocoders meet, and an approximate bridge from one to the other.

- SV2TTS (synthesizer output, WaveRNN and Griffin-Lim input): 16 kHz, pre-emphasis 0.97,
  |STFT| with n_fft 800 / hop 200 / hann 800, 80 Slaney mels 55-7600 Hz, 20*log10 - 20 dB,
  scaled from [-100, 0] dB to [-4, 4].
- HiFi-GAN (LJ and universal configs): 22.05 kHz, no pre-emphasis, |STFT| with n_fft 1024 /
  hop 256 / hann 1024 (reflect-padded by (n_fft - hop) / 2, not centred), 80 Slaney mels
  0-8000 Hz, natural log clamped at 1e-5.

`sv2tts_to_hifigan_mel` maps the first to the second without audio in between. It is an
approximation: the SV2TTS mel keeps only 80 band energies of a pre-emphasised 16 kHz signal,
so fine spectral detail is gone and nothing is known below 55 Hz or above 7600 Hz. Measured on
8 LibriSpeech utterances (tests/test_vocoder.py), the converted mel is within 0.15 nats (1.3 dB)
mean absolute of HiFi-GAN's own mel of the same speech in bands 1-79; band 0 (0-74 Hz) is off
by about 2.6 nats.
"""

from __future__ import annotations

import functools

import librosa
import numpy as np

from core.errors import InputError
from voice.audio import SV2TTS_MEL, MelSpec

from .hifigan import HiFiGANConfig


def sv2tts_mel_amplitudes(mel: np.ndarray, spec: MelSpec = SV2TTS_MEL) -> np.ndarray:
    """Scaled mel in [-max_abs, max_abs] -> linear mel-band magnitudes (undoes dB, reference level and scaling)."""
    scaled = np.clip(np.asarray(mel, dtype=np.float64), -spec.max_abs_value, spec.max_abs_value)
    db = (scaled + spec.max_abs_value) * -spec.min_level_db / (2 * spec.max_abs_value) + spec.min_level_db
    return np.power(10.0, (db + spec.ref_level_db) / 20)


@functools.lru_cache(maxsize=8)
def mel_basis(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) Slaney-normalised mel filterbank, read-only."""
    basis = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax).astype(np.float64)
    basis.flags.writeable = False
    return basis


def hifigan_mel(wave: np.ndarray, config: HiFiGANConfig) -> np.ndarray:
    """(num_mels, len(wave) // hop) float32 log-mel of a waveform at `config.sampling_rate`, as HiFi-GAN computes it."""
    wave = np.asarray(wave, dtype=np.float32)
    pad = (config.n_fft - config.hop_size) // 2
    if wave.ndim != 1 or wave.size <= pad:
        raise InputError(f"need a 1-D waveform longer than {pad} samples, got shape {wave.shape}")
    padded = np.pad(wave, pad, mode="reflect")
    spectrum = librosa.stft(
        padded, n_fft=config.n_fft, hop_length=config.hop_size, win_length=config.win_size, window="hann", center=False
    )
    magnitude = np.sqrt(np.abs(spectrum) ** 2 + 1e-9)
    basis = mel_basis(config.sampling_rate, config.n_fft, config.num_mels, config.fmin, config.fmax)
    return np.log(np.maximum(basis @ magnitude, 1e-5)).astype(np.float32)


@functools.lru_cache(maxsize=8)
def _bridge_matrices(spec: MelSpec, config: HiFiGANConfig) -> tuple[np.ndarray, np.ndarray]:
    """pinv of the SV2TTS mel basis, and the linear map from an SV2TTS linear spectrum to HiFi-GAN mel bands."""
    source_basis = mel_basis(spec.sample_rate, spec.n_fft, spec.n_mels, spec.fmin, spec.fmax)
    source_freqs = librosa.fft_frequencies(sr=spec.sample_rate, n_fft=spec.n_fft)
    target_freqs = librosa.fft_frequencies(sr=config.sampling_rate, n_fft=config.n_fft)

    # Pre-emphasis multiplied each bin by |1 - k e^{-jw}|; HiFi-GAN never pre-emphasises.
    omega = 2 * np.pi * source_freqs / spec.sample_rate
    deemphasis = 1.0 / np.abs(1.0 - spec.preemphasis * np.exp(-1j * omega))
    # A steady harmonic's |STFT| peak grows with the window's sum (hann: n/2).
    window_gain = config.win_size / spec.win_length

    # Linear interpolation between frequency grids; zero above the source's Nyquist.
    interpolation = np.zeros((len(target_freqs), len(source_freqs)))
    position = target_freqs / (source_freqs[1] - source_freqs[0])
    inside = position <= len(source_freqs) - 1
    lower = np.minimum(np.floor(position[inside]).astype(int), len(source_freqs) - 2)
    frac = position[inside] - lower
    rows = np.flatnonzero(inside)
    interpolation[rows, lower] = 1 - frac
    interpolation[rows, lower + 1] = frac

    target_basis = mel_basis(config.sampling_rate, config.n_fft, config.num_mels, config.fmin, config.fmax)
    to_target = target_basis @ interpolation * (deemphasis * window_gain)
    # Bins below fmin are in no SV2TTS band: assume a flat spectrum down to 0 Hz (measured to
    # halve the error of HiFi-GAN's lowest band on LibriSpeech, compared with leaving them empty).
    pinv = np.linalg.pinv(source_basis)
    first_covered = int(np.argmax(source_basis.sum(axis=0) > 0))
    pinv[:first_covered] = pinv[first_covered]
    pinv.flags.writeable = to_target.flags.writeable = False
    return pinv, to_target


def resample_frames(
    frames: np.ndarray, source_rate: float, target_rate: float, n_target: int, target_offset: float
) -> np.ndarray:
    """Linear interpolation along time: target frame j is centred at (j + target_offset) / target_rate seconds,
    source frame k at k / source_rate seconds."""
    times = (np.arange(n_target) + target_offset) / target_rate * source_rate
    positions = np.clip(times, 0, frames.shape[1] - 1)
    lower = np.minimum(np.floor(positions).astype(int), max(frames.shape[1] - 2, 0))
    upper = np.minimum(lower + 1, frames.shape[1] - 1)
    frac = positions - lower
    return frames[:, lower] * (1 - frac) + frames[:, upper] * frac


def sv2tts_to_hifigan_mel(mel: np.ndarray, config: HiFiGANConfig, spec: MelSpec = SV2TTS_MEL) -> np.ndarray:
    """SV2TTS mel (80, frames) in [-4, 4] -> HiFi-GAN log-mel (num_mels, frames') covering the same duration.

    Steps: resample the scaled-dB frames to HiFi-GAN's frame times (12.5 ms -> hop/sr, e.g. 11.6 ms),
    undo the scaling to linear band magnitudes, spread them to a linear spectrum with the
    pseudo-inverse of the SV2TTS filterbank (negatives clipped to 0), undo pre-emphasis, scale
    for the longer window, move to HiFi-GAN's frequency grid, apply its filterbank, natural log.
    """
    mel = np.asarray(mel)
    if mel.ndim != 2 or mel.shape[0] != spec.n_mels or mel.shape[1] < 1:
        raise InputError(f"need one SV2TTS mel of shape ({spec.n_mels}, frames), got {mel.shape}")
    source_rate = spec.sample_rate / spec.hop_length
    target_rate = config.sampling_rate / config.hop_size
    n_target = max(1, round(mel.shape[1] * target_rate / source_rate))
    # HiFi-GAN frame j is centred on sample j*hop + hop/2 (reflect padding of (n_fft - hop)/2).
    scaled = resample_frames(mel.astype(np.float64), source_rate, target_rate, n_target, target_offset=0.5)
    pinv, to_target = _bridge_matrices(spec, config)
    linear = np.maximum(pinv @ sv2tts_mel_amplitudes(scaled, spec), 0.0)
    return np.log(np.maximum(to_target @ linear, 1e-5)).astype(np.float32)
