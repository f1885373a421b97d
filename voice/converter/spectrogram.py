"""The converter's input: a linear magnitude spectrogram (no mel, no log), as OpenVoice computes it."""

from __future__ import annotations

import torch
from torch import Tensor

from .config import SpectrogramConfig

MAGNITUDE_FLOOR = 1e-6
"""Added to re^2 + im^2 before the square root, so silence gives 1e-3, not 0."""


def linear_spectrogram(wave: Tensor, config: SpectrogramConfig) -> Tensor:
    """(N,) or (B, N) samples at `config.sample_rate` -> (B, n_fft/2 + 1, frames) magnitudes.

    The wave is reflect-padded by (n_fft - hop) / 2 on each side and framed without centring, so
    there are 1 + (N + 2 * pad - n_fft) // hop frames and frame t is centred on sample t * hop + hop / 2:
    the decoder's hop samples for frame t land exactly where they came from.
    """
    wave = wave.reshape(1, -1) if wave.ndim == 1 else wave
    pad = (config.n_fft - config.hop_length) // 2
    padded = torch.nn.functional.pad(wave.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
    window = torch.hann_window(config.win_length, dtype=wave.dtype, device=wave.device)
    stft = torch.stft(
        padded,
        config.n_fft,
        hop_length=config.hop_length,
        win_length=config.win_length,
        window=window,
        center=False,
        normalized=False,
        onesided=True,
        return_complex=True,
    )
    return torch.sqrt(torch.view_as_real(stft).pow(2).sum(-1) + MAGNITUDE_FLOOR)


def spectrogram_frame_count(samples: int, config: SpectrogramConfig) -> int:
    """How many frames `linear_spectrogram` makes of `samples` samples."""
    pad = (config.n_fft - config.hop_length) // 2
    return 1 + (samples + 2 * pad - config.n_fft) // config.hop_length
