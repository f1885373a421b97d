"""Text + reference recording -> speech in (an approximation of) the reference's voice, with no downloaded weights."""

from __future__ import annotations

import numpy as np

from core.components import Component
from core.errors import InputError

from ..audio import AudioSource
from ..encoder import SpeakerEncoder
from ..speaker import Speaker
from ..synthesis import OFFLINE_VOICE_NOTE, Synthesis
from ..text import english_cleaners
from .config import DEFAULT, OfflineConfig
from .envelope import apply_envelope_change, istft
from .mapping import envelope_change
from .reading import reading_targets
from .reference import ReferenceVoice, prepare_reference
from .rendering import render_base

SUPPORTED_LANGUAGES = ("en", "en-us", "en-gb", "english")


def check_language(language: str) -> None:
    if language.lower() not in SUPPORTED_LANGUAGES:
        raise InputError(
            f"the offline voice speaks English only (flite's voices), not {language!r}: "
            f"use language one of {', '.join(SUPPORTED_LANGUAGES)}"
        )


def synthesize_offline(
    text: str,
    reference: AudioSource | Speaker | ReferenceVoice,
    *,
    seed: int | None = None,
    language: str = "en",
    config: OfflineConfig = DEFAULT,
    encoder: SpeakerEncoder | None = None,
) -> Synthesis:
    """Speak `text` (checked by `voice.text.check_text`) in a voice moved toward `reference`: 16 kHz
    samples from load_audio, a file, a prepared Speaker, or a ReferenceVoice from prepare_reference,
    which saves re-analysing the reference on every call.

    flite says the text in the base voice nearest the reference, at the reference's pitch; the
    spectral envelope of every voiced frame is then mapped toward the reference's, and each speech
    frame moved toward the spectrum and loudness of the reference's own frames of the same phone
    (reading.py). Deterministic: `seed` is accepted for parity with the neural synthesizer and
    changes nothing.
    """
    del seed
    check_language(language)
    cleaned = english_cleaners(text).strip()
    voice = prepare_reference(reference, config=config, encoder=encoder)
    rendering = render_base(cleaned, voice.base_voice, voice.pitch, config)
    reading = None
    if voice.reading is not None and config.reading_blend > 0:
        reading = reading_targets(rendering, voice.reading, config)
    change = envelope_change(rendering.envelopes, rendering.voiced, voice.transform, config, reading)
    wave = istft(apply_envelope_change(rendering.spectrum, change, config), len(rendering.wave), config)
    wave = _match_level(wave, rendering.speech.wave)
    method = f"offline voice: flite {voice.base_voice} converted toward the reference"
    return Synthesis(
        samples=wave,
        sample_rate=config.sample_rate,
        text=text,
        components=(Component.offline("synthesizer", method),),
        phones=rendering.speech.phones,
        notes=(OFFLINE_VOICE_NOTE, *voice.notes),
    )


def _match_level(wave: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Same RMS as flite's output, scaled down only if a peak would clip."""
    rms = np.sqrt(np.mean(wave**2)) or 1.0
    wave = wave * (np.sqrt(np.mean(like**2)) / rms)
    peak = np.max(np.abs(wave))
    return (wave / peak * 0.99 if peak > 0.99 else wave).astype(np.float32)
