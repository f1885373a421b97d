"""Text to mel spectrograms: splitting long text into sentences, batching, synthesis."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import torch

from core.errors import InputError
from voice.text import PAD_ID, text_to_sequence

from .load import load_synthesizer
from .model import Tacotron

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_text(text: str, max_chars: int = 150) -> list[str]:
    """Chunks of whole sentences, each at most `max_chars` long where possible.

    Lines are never joined (RTVC synthesizes each line of its prompt separately); sentences on a line
    are grouped while they fit, and a sentence that alone is too long is broken at commas, then spaces.
    Tacotron was trained on utterances of at most ~11 s, so long inputs lose their alignment.
    """
    chunks = []
    for line in text.splitlines():
        sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
        chunks += _pack([piece for s in sentences for piece in _fit(s, max_chars)], max_chars)
    return chunks


def split_for_streaming(text: str, first_chars: int = 16, growth: float = 3.0, max_chars: int = 150) -> list[str]:
    """`split_text`, with the first chunks cut short: at most `first_chars`, then `growth` times the
    length of the piece before, until pieces are whole chunks again.

    The first piece decides how soon audio starts playing; each later one only has to be made
    while the one before plays (Tacotron + HiFi-GAN take about a quarter of the audio's duration),
    so pieces may grow about that fast without a gap. Cuts fall after a clause where one fits,
    else between words.
    """
    pieces: list[str] = []
    limit = first_chars
    for chunk in split_text(text, max_chars):
        while limit < max_chars and len(chunk) > limit:
            head = _fit(chunk, limit)
            if len(head) == 1:  # one word longer than the limit
                break
            pieces.append(head[0])
            chunk = " ".join(head[1:])
            limit = max(limit, int(len(head[0]) * growth))
        pieces.append(chunk)
        limit = max(limit, int(len(chunk) * growth))
    return pieces


def _fit(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    clauses = _CLAUSE_END.split(sentence)
    if len(clauses) > 1:
        return _pack([piece for clause in clauses for piece in _fit(clause, max_chars)], max_chars)
    return _pack(sentence.split(), max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces with spaces while the result stays within `max_chars`."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks


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
    Each text is synthesized as one utterance: split long text with `split_text` first. Results do not
    depend on `batch_size`. Without a `model`, the default checkpoint is loaded (pass one to reuse it).
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
    generator = None
    if seed is not None and prenet_dropout:
        generator = torch.Generator(model.device).manual_seed(seed)
    mels: list[np.ndarray] = []
    for start in range(0, len(texts), batch_size):
        chars, lengths = pad_sequences(sequences[start : start + batch_size])
        batch_embeddings = torch.from_numpy(embeddings[start : start + batch_size])
        generation = model.generate(
            chars, batch_embeddings, lengths, prenet_dropout=prenet_dropout, generator=generator, precision=precision
        )
        mels += generation.spectrograms()
    return mels
