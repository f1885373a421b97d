"""Hyper-parameters of the SV2TTS Tacotron synthesizer (Real-Time-Voice-Cloning's synthesizer.pt)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TacotronConfig:
    """Everything that fixes the layout and the inference behaviour of the synthesizer.

    The defaults are those of the published synthesizer.pt. The reduction factor `r` actually used is
    the `decoder.r` buffer stored in the checkpoint; `load_synthesizer` copies it here.
    """

    num_chars: int = 66
    embed_dims: int = 512
    encoder_dims: int = 256
    decoder_dims: int = 128
    n_mels: int = 80
    fft_bins: int = 80
    postnet_dims: int = 512
    encoder_K: int = 5
    lstm_dims: int = 1024
    postnet_K: int = 5
    num_highways: int = 4
    dropout: float = 0.5
    stop_threshold: float = -3.4
    speaker_embedding_size: int = 256
    r: int = 2

    max_r: int = 20
    """Frames per step `mel_proj` is sized for; only the first `r` of them are used."""
    attention_filters: int = 32
    attention_kernel: int = 31

    stop_probability: float = 0.5
    """A sentence ends at the first decoder step whose stop token exceeds this..."""
    stop_after_frame: int = 10
    """...and whose first frame index is greater than this."""
    max_decoder_steps_per_char: float = 8.0
    """Step limit of free-running generation, per input id (~16 frames = 0.2 s per character)."""

    sample_rate: int = 16_000
    hop_size: int = 200
    """Audio samples per mel frame (12.5 ms)."""

    @property
    def context_dims(self) -> int:
        """Width of the encoder output the decoder attends to: text features + speaker embedding."""
        return self.encoder_dims + self.speaker_embedding_size
