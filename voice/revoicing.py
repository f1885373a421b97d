"""Speech in one voice -> the same words, timing kept, in a reference's voice, with OpenVoice V2's converter.

The step the pipeline runs after a base voice (or on a user's recording): tone-colour embeddings are
computed once and kept in voxlip's cache, and long speech is converted in pieces cut at its pauses (pieces.py), so
the converter's memory does not grow with the length of the speech.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property

import numpy as np
import torch

from core.cache import cache_path, note_unwritable_cache
from core.components import Component
from core.errors import VoxlipError
from core.files import UNREADABLE_ARRAYS, atomic_output

from . import spectral
from .converter import ToneColourConverter, convert, load_converter, tone_colour_embedding
from .converter.conversion import MIN_REFERENCE_SECONDS
from .pieces import LONGEST_SECONDS, converted_in_pieces, pieces_at_pauses

OVERLAP_SECONDS = 0.5
"""Pieces overlap by this much, cross-faded: the network's context at a piece's edge, where no pause was found."""
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
        `speech()` is called, so a base voice speaks its profile text only once per machine. The converter is
        named by its checkpoint's and its config.json's sha256 (the config sets the spectrogram it hears).
        """
        model = self.model
        path = cache_path("tone-colour", f"{model.checkpoint_sha256}+{model.config_sha256}|{key}".encode(), ".npy")
        size = self.model.config.gin_channels
        try:
            cached = np.load(path)
            if cached.shape == (size,) and np.isfinite(cached).all():
                return cached
        except UNREADABLE_ARRAYS:
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
        except VoxlipError:  # a read-only cache only costs the embedding next time
            note_unwritable_cache()
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
        bounds = pieces_at_pauses(samples, self.sample_rate, LONGEST_SECONDS, OVERLAP_SECONDS)

        def piece(i: int, start: int, end: int) -> np.ndarray:
            part = samples[start:end]
            return convert(self.model, part, source, target, self.tau, generator=generator, precision=self.precision)

        return converted_in_pieces(len(samples), bounds, piece, progress)
