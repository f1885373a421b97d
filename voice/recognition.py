"""Offline speech recognition with pocketsphinx's bundled en-us model: words, their aligned phones, or a phone loop."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from core.errors import VoxlipError

from .audio import SAMPLE_RATE, to_pcm16
from .phones import Phone


@dataclass(frozen=True)
class HeardPhones:
    text: str
    """The words heard."""
    phones: tuple[Phone, ...]
    """(CMU phone, start s, end s) of those words aligned to the audio, "SIL" between them; empty when
    pocketsphinx could align none of its own words."""


class PocketsphinxRecognizer:
    """CMU pocketsphinx with the en-us acoustic model, dictionary and language model its wheel ships."""

    def __init__(self):
        self._decoder = _decoder(loglevel="FATAL")

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
    decoder, pcm = _decoder(loglevel="FATAL"), _pcm(wave)
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


def _align_phones(decoder, pcm: bytes, text: str, first_frame: int) -> tuple[Phone, ...] | None:
    """(phone, start s, end s) of `text` aligned to `pcm` starting at `first_frame`; None if pocketsphinx fails."""
    try:
        decoder.set_align_text(text)
        _process(decoder, pcm)
        decoder.set_alignment()
        _process(decoder, pcm)
    except RuntimeError:
        return None
    return tuple(
        Phone(
            phone.name,
            (first_frame + phone.start) * _FRAME_SECONDS,
            (first_frame + phone.start + phone.duration) * _FRAME_SECONDS,
        )
        for word in decoder.get_alignment()
        for phone in word
    )


def _decoder(**settings):
    """A pocketsphinx decoder on its bundled en-us model: words by default, or other `settings`."""
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise VoxlipError(
            "pocketsphinx is not installed: run `pip install pocketsphinx` (it ships its en-us model)"
        ) from None
    return Decoder(samprate=SAMPLE_RATE, **settings)


def _pcm(wave: np.ndarray) -> bytes:
    return to_pcm16(wave).tobytes()


def _process(decoder, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def _decode(decoder, pcm: bytes) -> str:
    """The words heard (not for the phone-alignment pass, whose hypothesis pocketsphinx cannot give)."""
    _process(decoder, pcm)
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


def recognize_phones(wave: np.ndarray) -> list[Phone]:
    """[(ARPAbet phone or "SIL", start s, end s)] of 16 kHz speech, without a transcript.

    pocketsphinx's phone loop (a phonetic language model over CMU phones) gives a time for each
    phone, as Rhubarb Lip Sync gets mouth shapes from arbitrary audio.
    """
    from pocketsphinx import get_model_path

    model = os.path.join(get_model_path(), "en-us")
    decoder = _decoder(
        hmm=os.path.join(model, "en-us"),
        allphone=os.path.join(model, "en-us-phone.lm.bin"),
        lw=2.0,
        pip=0.3,
        beam=1e-20,
        pbeam=1e-20,
        backtrace=False,
        logfn=os.devnull,
    )
    _process(decoder, _pcm(wave))
    return [
        Phone(
            "SIL" if segment.word.startswith("+") else segment.word,
            segment.start_frame * _FRAME_SECONDS,
            (segment.end_frame + 1) * _FRAME_SECONDS,
        )
        for segment in decoder.seg()
    ]
