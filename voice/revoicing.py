"""Speech in one voice -> the same words, timing kept, in a reference's voice, with OpenVoice V2's converter.

The step the pipeline runs after a base voice (or on a user's recording): tone-colour embeddings are
computed once and kept in voxlip's cache, and long speech is converted in overlapping pieces, so the
converter's memory does not grow with the length of the speech.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property

import numpy as np
import torch

from core.cache import cache_path
from core.components import Component
from core.errors import VoxlipError
from core.files import atomic_output

from . import spectral
from .converter import ToneColourConverter, convert, load_converter, tone_colour_embedding
from .converter.conversion import MIN_REFERENCE_SECONDS

PIECE_SECONDS = 20.0
"""Longest piece converted at once; longer speech is cut into equal pieces of at most this length."""
OVERLAP_SECONDS = 0.5
"""Pieces overlap by this much and are cross-faded there (the networks' context is shorter)."""
TAU = 0.3
"""OpenVoice's sampling temperature of the latent."""

Speech = tuple[np.ndarray, int]
"""Mono float samples and their rate."""


class NeuralConverter:
    """OpenVoice V2's tone-colour converter, loaded on first use, with its embeddings cached on disk."""

    def __init__(
        self,
        checkpoint: str | os.PathLike = "openvoice-v2",
        device: str = "cpu",
        precision: str = "float32",
        tau: float = TAU,
    ):
        self.checkpoint, self.device, self.precision, self.tau = checkpoint, device, precision, tau

    @cached_property
    def model(self) -> ToneColourConverter:
        return load_converter(self.checkpoint, self.device)

    @property
    def sample_rate(self) -> int:
        return self.model.config.spectrogram.sample_rate

    @property
    def component(self) -> Component:
        return Component.of("voice conversion", self.model)

    def embedding(self, key: str, speech: Callable[[], Speech]) -> np.ndarray:
        """The (256,) tone colour of the speech `speech()` makes, computed once per `key` and converter.

        `key` names that speech for good (a recording's sha256, a base voice's); on a cache miss
        `speech()` is called, so a base voice speaks its profile text only once per machine.
        """
        path = cache_path("tone-colour", f"{self.model.checkpoint_sha256}|{key}".encode(), ".npy")
        size = self.model.config.gin_channels
        try:
            cached = np.load(path)
            if cached.shape == (size,) and np.isfinite(cached).all():
                return cached
        except (OSError, ValueError):
            pass
        wave, rate = speech()
        samples = spectral.resample(wave, rate, self.sample_rate)
        shortest = int(MIN_REFERENCE_SECONDS * self.sample_rate)
        if 0 < len(samples) < shortest:  # a short utterance: its sounds, repeated, are all there is of the voice
            samples = np.tile(samples, -(-shortest // len(samples)))
        value = tone_colour_embedding(self.model, samples).numpy().astype(np.float32)
        try:
            with atomic_output(path, suffix=".npy") as partial:
                np.save(partial, value)
        except VoxlipError:
            pass  # a read-only cache only costs the embedding next time
        return value

    def convert(
        self,
        wave: np.ndarray,
        rate: int,
        source: np.ndarray,
        target: np.ndarray,
        seed: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Speech at `rate` by the voice of embedding `source` -> the same speech in `target`'s, at the
        converter's rate, as long as the input. `progress(pieces done, pieces)` follows long speech."""
        samples = spectral.resample(wave, rate, self.sample_rate)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        bounds = piece_bounds(
            len(samples), int(PIECE_SECONDS * self.sample_rate), int(OVERLAP_SECONDS * self.sample_rate)
        )
        converted = np.zeros(len(samples), np.float32)
        previous_end = 0
        for i, (start, end) in enumerate(bounds):
            piece = convert(
                self.model, samples[start:end], source, target, self.tau, generator=generator, precision=self.precision
            )
            overlap = max(previous_end - start, 0)
            if overlap:
                fade = np.linspace(0.0, 1.0, overlap + 2, dtype=np.float32)[1:-1]
                converted[start:previous_end] = converted[start:previous_end] * (1 - fade) + piece[:overlap] * fade
            converted[start + overlap : end] = piece[overlap:]
            previous_end = end
            if progress is not None:
                progress(i + 1, len(bounds))
        return converted


def piece_bounds(length: int, longest: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) of equal pieces of at most `longest` samples covering `length`, each overlapping the next."""
    if length <= longest:
        return [(0, length)]
    count = -(-(length - overlap) // (longest - overlap))
    size = -(-(length + (count - 1) * overlap) // count)
    starts = np.linspace(0, length - size, count).round().astype(int)
    return [(int(start), int(start) + size) for start in starts]
