"""Vocoders: mel spectrogram -> waveform.

- WaveRNN (`load_wavernn`): Real-Time-Voice-Cloning's vocoder, takes synthesizer mels directly.
- HiFi-GAN (`load_hifigan`): much faster, takes its own log-mels; `sv2tts_to_hifigan_mel`
  converts synthesizer mels (approximately).
- Griffin-Lim (`griffin_lim`): no weights at all, lower quality.
"""

from .griffinlim import GriffinLimConfig, griffin_lim
from .hifigan import HiFiGAN, HiFiGANConfig, load_hifigan
from .melspec import hifigan_mel, sv2tts_to_hifigan_mel
from .wavernn import WaveRNN, WaveRNNConfig, load_wavernn

__all__ = [
    "GriffinLimConfig",
    "HiFiGAN",
    "HiFiGANConfig",
    "WaveRNN",
    "WaveRNNConfig",
    "griffin_lim",
    "hifigan_mel",
    "load_hifigan",
    "load_wavernn",
    "sv2tts_to_hifigan_mel",
]
