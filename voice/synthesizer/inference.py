"""Text to mel spectrograms: batching sentences (voice.text.splitting.split_text), synthesis."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from core.errors import InputError
from voice.text.sv2tts import PAD_ID, text_to_sequence

from .load import load_synthesizer
from .model import Tacotron


def pad_sequences(sequences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Id lists -> (B, N) right-padded ids and (B,) lengths."""
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    chars = torch.full((len(sequences), int(lengths.max())), PAD_ID, dtype=torch.long)
    for row, ids in enumerate(sequences):
        chars[row, : len(ids)] = torch.as_tensor(ids, dtype=torch.long)
    return chars, lengths


def synthesize(
    texts: list[str],
    embedding: np.ndarray,
    model: Tacotron | None = None,
    *,
    seed: int | None = None,
    prenet_dropout: bool = True,
    batch_size: int = 16,
    precision: str = "float32",
) -> list[np.ndarray]:
    """One mel spectrogram (80, frames) per text, for the speaker of `embedding`.

    `embedding` is one speaker embedding (256,) for all texts or one per text (len(texts), 256).
    Each text is synthesized as one utterance: split long text with `split_text` first. Under a `seed`, text i
    draws its pre-net dropout from its own generator seeded with `seed + i`: it comes out as it does alone under
    that seed, `synthesize([texts[i]], ..., seed=seed + i)` (to float rounding), whatever `batch_size` and the
    other texts. Without a `model`, the default checkpoint is loaded (pass one to reuse it).
    `precision` is that of the decoder's products (see `Tacotron.generate`).
    """
    if isinstance(texts, str) or not texts:
        raise InputError("texts must be a non-empty list of strings")
    sequences = [text_to_sequence(text.strip()) for text in texts]
    for text, ids in zip(texts, sequences):
        if len(ids) < 2:
            raise InputError(f"nothing to say in {text!r}: it has no letters, digits or punctuation")
    embeddings = np.asarray(embedding, dtype=np.float32)
    if embeddings.ndim == 1:
        embeddings = np.repeat(embeddings[None], len(texts), axis=0)
    if embeddings.ndim != 2 or embeddings.shape[0] != len(texts):
        raise InputError(f"embedding must be (256,) or ({len(texts)}, 256), got {embeddings.shape}")

    model = model if model is not None else load_synthesizer()
    generators = None
    if seed is not None and prenet_dropout:
        generators = [torch.Generator(model.device).manual_seed(seed + i) for i in range(len(texts))]
    mels: list[np.ndarray] = []
    for start in range(0, len(texts), batch_size):
        chars, lengths = pad_sequences(sequences[start : start + batch_size])
        batch_embeddings = torch.from_numpy(embeddings[start : start + batch_size])
        generator = None if generators is None else generators[start : start + batch_size]
        generation = model.generate(
            chars, batch_embeddings, lengths, prenet_dropout=prenet_dropout, generator=generator, precision=precision
        )
        mels += generation.spectrograms()
    return mels
