"""Text + reference recording -> speech in (an approximation of) the reference's voice, with no downloaded weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import InputError

from ..audio import AudioSource
from ..encoder import SpeakerEncoder
from ..text import english_cleaners, is_pronounceable
from .config import DEFAULT, OfflineConfig
from .envelope import apply_envelope_change, istft
from .flite import PhoneTiming
from .mapping import envelope_change
from .reading import reading_targets
from .reference import ReferenceVoice, prepare_reference
from .rendering import render_base

OFFLINE_LABEL = "offline voice: signal processing; fetch the SV2TTS checkpoints for neural cloning"
SUPPORTED_LANGUAGES = ("en", "en-us", "en-gb", "english")


@dataclass(frozen=True, eq=False)
class OfflineSpeech:
    wave: np.ndarray = field(repr=False)
    sample_rate: int
    base_voice: str
    phones: tuple[PhoneTiming, ...] = field(repr=False)
    """flite's phones with start/end seconds in `wave` (conversion keeps every timing)."""
    pitch_hz: float | None
    """Median F0 of the speech (asked of flite, or for rms, which ignores pitch targets, moved to after
    it), None when the base voice kept its own (no usable reference pitch)."""
    warp_factor: float
    notes: tuple[str, ...] = ()
    label: str = OFFLINE_LABEL
    synthesizer: str = "offline"

    @property
    def seconds(self) -> float:
        return len(self.wave) / self.sample_rate


def check_language(language: str) -> None:
    if language.lower() not in SUPPORTED_LANGUAGES:
        raise InputError(
            f"the offline voice speaks English only (flite's voices), not {language!r}: "
            f"use language one of {', '.join(SUPPORTED_LANGUAGES)}"
        )


def check_text(text: str) -> str:
    """The cleaned text flite will read; InputError if nothing in it can be spoken."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the text is empty: give a sentence to speak")
    if not is_pronounceable(text):
        raise InputError(f"nothing in {text!r} can be spoken: give text with words in it")
    return english_cleaners(text).strip()


def synthesize_offline(
    text: str,
    reference: AudioSource | ReferenceVoice,
    *,
    seed: int | None = None,
    language: str = "en",
    config: OfflineConfig = DEFAULT,
    encoder: SpeakerEncoder | None = None,
) -> OfflineSpeech:
    """Speak `text` in a voice moved toward `reference` (16 kHz samples from load_audio, a file, or a
    ReferenceVoice from prepare_reference, which saves re-analysing the reference on every call).

    flite says the text in the base voice nearest the reference, at the reference's pitch; the
    spectral envelope of every voiced frame is then mapped toward the reference's, and each speech
    frame moved toward the spectrum and loudness of the reference's own frames of the same phone
    (reading.py). Deterministic: `seed` is accepted for parity with the neural synthesizer and
    changes nothing.
    """
    del seed
    check_language(language)
    cleaned = check_text(text)
    voice = prepare_reference(reference, config=config, encoder=encoder)
    rendering = render_base(cleaned, voice.base_voice, voice.pitch, config)
    reading = None
    if voice.reading is not None and config.reading_blend > 0:
        reading = reading_targets(rendering, voice.reading, config)
    change = envelope_change(rendering.envelopes, rendering.voiced, voice.transform, config, reading)
    wave = istft(apply_envelope_change(rendering.spectrum, change, config), len(rendering.wave), config)
    wave = _match_level(wave, rendering.speech.wave)
    return OfflineSpeech(
        wave=wave,
        sample_rate=config.sample_rate,
        base_voice=voice.base_voice,
        phones=rendering.speech.phones,
        pitch_hz=voice.pitch.median_hz if voice.pitch else None,
        warp_factor=voice.transform.warp_factor,
        notes=voice.notes,
    )


def _match_level(wave: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Same RMS as flite's output, scaled down only if a peak would clip."""
    rms = np.sqrt(np.mean(wave**2)) or 1.0
    wave = wave * (np.sqrt(np.mean(like**2)) / rms)
    peak = np.max(np.abs(wave))
    return (wave / peak * 0.99 if peak > 0.99 else wave).astype(np.float32)
