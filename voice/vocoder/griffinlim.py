"""Griffin-Lim: a vocoder without weights, for when no neural vocoder is available.

Inverts the SV2TTS mel as Real-Time-Voice-Cloning's `inv_mel_spectrogram` does (undo the dB
scaling, back to a linear spectrogram, sharpen by a power, iterative phase reconstruction, undo
pre-emphasis), with librosa doing the work: non-negative least squares for the filterbank
inverse and librosa's (momentum-accelerated) Griffin-Lim. Intelligible but buzzy.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
from scipy.signal import lfilter

from core.errors import InputError
from voice.audio import SV2TTS_MEL, MelSpec

from .melspec import sv2tts_mel_amplitudes


@dataclass(frozen=True)
class GriffinLimConfig:
    """The mel to invert and how hard to iterate (RTVC: power 1.5, 60 iterations)."""

    mel: MelSpec = SV2TTS_MEL
    power: float = 1.5
    """Magnitudes relative to the loudest bin are raised to this before phase reconstruction:
    sharper harmonics, fewer phase artefacts. The loudest bin keeps its level; a bin x dB below
    it ends up power * x dB below."""
    n_iter: int = 60
    momentum: float = 0.99
    """librosa's fast Griffin-Lim; 0 is the classic algorithm RTVC runs."""
    seed: int = 0
    """Seeds the random initial phase, so the output is reproducible."""


def griffin_lim(mel: np.ndarray, config: GriffinLimConfig = GriffinLimConfig()) -> np.ndarray:
    """SV2TTS mel (80, frames) in [-4, 4] -> float32 waveform of (frames - 1) * hop samples at 16 kHz."""
    spec = config.mel
    mel = np.asarray(mel)
    if mel.ndim != 2 or mel.shape[0] != spec.n_mels:
        raise InputError(f"Griffin-Lim needs one mel of shape ({spec.n_mels}, frames), got {mel.shape}")
    if mel.shape[1] < 2:
        raise InputError(f"the mel has {mel.shape[1]} frame(s): at least 2 are needed to make any audio")
    if not np.all(np.isfinite(mel)):
        raise InputError("the mel holds NaN or infinite values")
    magnitude = librosa.feature.inverse.mel_to_stft(
        sv2tts_mel_amplitudes(mel, spec),
        sr=spec.sample_rate,
        n_fft=spec.n_fft,
        power=1.0,
        fmin=spec.fmin,
        fmax=spec.fmax,
    )
    peak = max(float(magnitude.max()), 1e-30)
    sharpened = peak * (magnitude / peak) ** config.power
    wave = librosa.griffinlim(
        sharpened,
        n_iter=config.n_iter,
        hop_length=spec.hop_length,
        win_length=spec.win_length,
        n_fft=spec.n_fft,
        momentum=config.momentum,
        random_state=config.seed,
        length=(mel.shape[1] - 1) * spec.hop_length,
    )
    return lfilter([1.0], [1.0, -spec.preemphasis], wave).astype(np.float32)
