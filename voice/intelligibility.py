"""Intelligibility: word error rate of what a recogniser heard against the text that was said."""

from __future__ import annotations

import re

import numpy as np

from .text.sv2tts import english_cleaners

_NOT_WORD = re.compile(r"[^a-z' ]+")


def normalize_words(text: str) -> list[str]:
    """Lowercase words with numbers spelled out and punctuation dropped, as recognisers write them."""
    return _NOT_WORD.sub(" ", english_cleaners(text)).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference): Levenshtein over words."""
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    row = np.arange(len(hyp) + 1)
    for i, word in enumerate(ref, 1):
        previous, row = row, np.empty_like(row)
        row[0] = i
        for j, heard in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (word != heard))
    return int(row[-1]), len(ref)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: all edits over all reference words."""
    counts = [word_errors(r, h) for r, h in zip(references, hypotheses, strict=True)]
    return sum(e for e, _ in counts) / max(1, sum(n for _, n in counts))
