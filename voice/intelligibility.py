"""Intelligibility measured by an offline recogniser: pocketsphinx's bundled en-us model and word error rate."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pipeline.errors import VoxlipError

from .audio import INT16_MAX, SAMPLE_RATE
from .text import english_cleaners

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


@dataclass(frozen=True)
class HeardPhones:
    text: str
    """The words heard."""
    phones: tuple[tuple[str, float, float], ...]
    """(CMU phone, start s, end s) of those words aligned to the audio, "SIL" between them; empty when
    pocketsphinx could align none of its own words."""


class PocketsphinxRecognizer:
    """CMU pocketsphinx with the en-us acoustic model, dictionary and language model its wheel ships."""

    def __init__(self):
        self._decoder = _decoder()

    def transcribe(self, wave: np.ndarray) -> str:
        """Words heard in 16 kHz mono float samples."""
        return _decode(self._decoder, _pcm(wave))


def hear_phones(wave: np.ndarray) -> HeardPhones:
    """Recognise the words in 16 kHz speech, then align their phones to it.

    A fresh decoder each call: pocketsphinx carries its cepstral mean from one utterance to the
    next, so a shared one would make the result depend on what it heard before. Its phone
    alignment of a long recording sometimes fails as a whole; then it is done phrase by phrase
    (between the pauses it heard) and the phrases that fail are left out.
    """
    decoder, pcm = _decoder(), _pcm(wave)
    text = _decode(decoder, pcm)
    if not text.strip():
        return HeardPhones("", ())
    phrases = _phrases(decoder)
    phones = _align_phones(decoder, pcm, text, 0)
    if phones is None:
        phones = ()
        for words, start, end in phrases:
            chunk = pcm[start * _FRAME_BYTES : end * _FRAME_BYTES]
            phones += _align_phones(decoder, chunk, words, start) or ()
    return HeardPhones(text, phones)


_FRAME_SECONDS = 0.01
_FRAME_BYTES = 2 * round(_FRAME_SECONDS * SAMPLE_RATE)


def _phrases(decoder, max_words: int = 8, margin: int = 5) -> list[tuple[str, int, int]]:
    """(words, first frame, end frame) of the last hypothesis, cut at pauses and every `max_words` words."""
    words = [
        (segment.word.split("(")[0], segment.start_frame, segment.end_frame)
        for segment in decoder.seg()
        if not segment.word.startswith(("<", "["))
    ]
    groups: list[list[tuple[str, int, int]]] = []
    for word in words:
        if groups and word[1] - groups[-1][-1][2] <= margin and len(groups[-1]) < max_words:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [(" ".join(w for w, _, _ in group), max(0, group[0][1] - margin), group[-1][2] + margin) for group in groups]


def _align_phones(decoder, pcm: bytes, text: str, first_frame: int) -> tuple[tuple[str, float, float], ...] | None:
    """(phone, start s, end s) of `text` aligned to `pcm` starting at `first_frame`; None if pocketsphinx fails."""
    try:
        decoder.set_align_text(text)
        _process(decoder, pcm)
        decoder.set_alignment()
        _process(decoder, pcm)
    except RuntimeError:
        return None
    return tuple(
        (phone.name, (first_frame + phone.start) * _FRAME_SECONDS, (first_frame + phone.start + phone.duration) * _FRAME_SECONDS)
        for word in decoder.get_alignment()
        for phone in word
    )


def _decoder():
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise VoxlipError("pocketsphinx is not installed: run `pip install pocketsphinx` (it ships its en-us model)") from None
    return Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")


def _pcm(wave: np.ndarray) -> bytes:
    return np.clip(np.round(np.asarray(wave) * INT16_MAX), -INT16_MAX - 1, INT16_MAX).astype(np.int16).tobytes()


def _process(decoder, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def _decode(decoder, pcm: bytes) -> str:
    """The words heard (not for the phone-alignment pass, whose hypothesis pocketsphinx cannot give)."""
    _process(decoder, pcm)
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""
