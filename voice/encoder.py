"""The GE2E speaker encoder: a few seconds of speech -> a 256-d L2-normalised voice embedding.

It loads Real-Time-Voice-Cloning's `encoder.pt` and Resemblyzer's `pretrained.pt` as published
and computes the same function, preprocessing included.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from core.checkpoints import get, load_model
from core.errors import InputError

from .audio import ENCODER_MEL, AudioSource, EncoderMelSpec, encoder_mel, is_silent, load_audio, normalize_volume
from .vad import VadConfig, trim_long_silences


@dataclass(frozen=True)
class EncoderConfig:
    """Network size and the preprocessing the weights were trained with."""

    hidden_size: int = 256
    num_layers: int = 3
    embedding_size: int = 256
    mel: EncoderMelSpec = ENCODER_MEL
    vad: VadConfig = field(default_factory=VadConfig)
    target_dbfs: float = -30.0
    partial_frames: int = 160
    """Frames per partial utterance (1.6 s); the utterance embedding averages the partials."""
    partial_step: int = 77
    """Frames between partial starts: Resemblyzer's rate of 1.3 partials/s; RTVC uses 80 (50% overlap)."""
    min_coverage: float = 0.75
    """A last, shorter partial is kept if it still covers this much of a window."""
    norm_eps: float = 0.0
    """Added to the norm when normalising partial embeddings: 0 in Resemblyzer, 1e-5 in RTVC."""
    min_speech_seconds: float = 1.0
    cpu_threads: int = 1
    """Torch threads for the LSTM on CPU: its per-step products (a dozen partials x 256 units) are too
    small to share; on 2 cores one thread embeds 10 s in ~45 ms, two take ~125 ms."""
    same_speaker_threshold: float = 0.71
    """Cosine above which two recordings are called the same speaker: the equal-error point (5.1%)
    measured with Resemblyzer's weights on 39 LibriSpeech speakers (benchmarks/eval_speaker_verification.py)."""


RESEMBLYZER = EncoderConfig()
RTVC = EncoderConfig(partial_step=80, norm_eps=1e-5)


def _config_for(sha256: str) -> EncoderConfig:
    """Resemblyzer's partial windows for Resemblyzer's weights, RTVC's for anything else."""
    return RESEMBLYZER if sha256 == get("resemblyzer").sha256 else RTVC


class SpeakerEncoder(nn.Module):
    """3-layer LSTM over 40-band mels, last hidden state -> linear -> ReLU -> L2 norm."""

    def __init__(self, config: EncoderConfig = RESEMBLYZER):
        super().__init__()
        self.config = config
        self.lstm = nn.LSTM(config.mel.n_mels, config.hidden_size, config.num_layers, batch_first=True)
        self.linear = nn.Linear(config.hidden_size, config.embedding_size)
        self.checkpoint_name = "untrained"
        self.checkpoint_sha256 = ""

    @property
    def device(self) -> torch.device:
        return self.linear.weight.device

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        """(batch, frames, n_mels) power mels -> (batch, embedding_size) unit-norm embeddings."""
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / (raw.norm(dim=1, keepdim=True) + self.config.norm_eps)

    def preprocess(self, audio: AudioSource, source_sr: int | None = None) -> np.ndarray:
        """Load, raise quiet audio to -30 dBFS and shorten silences, as the encoder was trained."""
        cfg = self.config
        wave = load_audio(audio, cfg.mel.sample_rate, source_sr=source_sr)
        if is_silent(wave):
            raise InputError("the recording is silent: record a few seconds of someone speaking")
        wave = trim_long_silences(normalize_volume(wave, cfg.target_dbfs), cfg.vad)
        seconds = len(wave) / cfg.mel.sample_rate
        if seconds < cfg.min_speech_seconds:
            raise InputError(
                f"only {seconds:.1f} s of speech found after removing silence: give at least "
                f"{cfg.min_speech_seconds:.0f} s of clear speech (3 to 10 s works best)"
            )
        return wave

    def partial_slices(self, n_samples: int) -> list[slice]:
        """Mel-frame windows covering an utterance of `n_samples` samples."""
        cfg = self.config
        hop = cfg.mel.hop_length
        n_frames = int(np.ceil((n_samples + 1) / hop))
        starts = range(0, max(1, n_frames - cfg.partial_frames + cfg.partial_step + 1), cfg.partial_step)
        slices = [slice(s, s + cfg.partial_frames) for s in starts]
        coverage = (n_samples - slices[-1].start * hop) / (cfg.partial_frames * hop)
        if coverage < cfg.min_coverage and len(slices) > 1:
            slices.pop()
        return slices

    @torch.inference_mode()
    def embed_partials(self, wave: np.ndarray) -> tuple[np.ndarray, list[slice]]:
        """Embeddings of each partial window of a preprocessed waveform, and the windows."""
        slices = self.partial_slices(len(wave))
        padded_length = slices[-1].stop * self.config.mel.hop_length
        wave = np.pad(wave, (0, max(0, padded_length - len(wave))))
        mel = encoder_mel(wave, self.config.mel)
        mels = torch.from_numpy(np.stack([mel[s] for s in slices])).to(self.device)
        with torch_threads(self.config.cpu_threads if mels.device.type == "cpu" else None):
            return self(mels).cpu().numpy(), slices

    def embed_utterance(
        self, audio: AudioSource, source_sr: int | None = None, preprocessed: bool = False
    ) -> np.ndarray:
        """One recording (file path or array) -> its (256,) unit-norm speaker embedding."""
        wave = np.asarray(audio, dtype=np.float32) if preprocessed else self.preprocess(audio, source_sr)
        partials, _ = self.embed_partials(wave)
        return _unit(partials.mean(axis=0))

    def embed_speaker(self, recordings: list[AudioSource], source_sr: int | None = None) -> np.ndarray:
        """Several recordings of one speaker -> the normalised mean of their embeddings."""
        if not recordings:
            raise InputError("embed_speaker needs at least one recording")
        return _unit(np.mean([self.embed_utterance(r, source_sr) for r in recordings], axis=0))


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block on `count` torch CPU threads (None: unchanged), then restore the previous count.

    torch's thread count is process-wide: a block run this way slows torch work in other threads.
    """
    previous = torch.get_num_threads()
    if count is None or count == previous:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings (1: same direction, 0: unrelated)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"embeddings of different sizes cannot be compared: {a.shape} vs {b.shape}")
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def load_encoder(
    name_or_path: str | os.PathLike = "resemblyzer",
    device: str | torch.device = "cpu",
    config: EncoderConfig | None = None,
) -> SpeakerEncoder:
    """A speaker encoder from a registry name ("resemblyzer", the embedded default; "rtvc-encoder") or a file.

    The preprocessing follows the checkpoint's origin (Resemblyzer's or RTVC's partial windows)
    unless `config` is given.
    """
    return load_model(
        name_or_path,
        lambda checkpoint, _: SpeakerEncoder(config or _config_for(checkpoint.sha256)),
        "GE2E speaker encoder",
        fields=("model_state",),
        ignore=("similarity_weight", "similarity_bias"),
        device=device,
    )
