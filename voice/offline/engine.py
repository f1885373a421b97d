"""Text + reference recording -> speech in (an approximation of) the reference's voice, with no downloaded weights."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import InputError

from ..audio import AudioSource
from ..encoder import SpeakerEncoder
from ..text import english_cleaners, is_pronounceable
from .config import DEFAULT, OfflineConfig
from .base_voices import base_voice_profile
from .envelope import apply_envelope_change, istft, log_mel_envelope, stft, warp
from .flite import PITCH_CONTROLLED, PhoneTiming, frame_classes, synthesize_base
from .mapping import envelope_change
from .pitch import shift_pitch
from .reference import ReferenceVoice, prepare_reference

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
    spectral envelope of every voiced frame is then mapped toward the reference's. Deterministic:
    `seed` is accepted for parity with the neural synthesizer and changes nothing.
    """
    del seed
    check_language(language)
    cleaned = check_text(text)
    voice = prepare_reference(reference, config=config, encoder=encoder)
    pitch = voice.pitch
    base = synthesize_base(
        cleaned,
        voice.base_voice,
        sample_rate=config.sample_rate,
        f0_mean_hz=pitch.median_hz if pitch else None,
        f0_std_hz=pitch.std_hz * config.pitch_spread_scale if pitch else None,
    )
    wave, ratio = base.wave, _pitch_ratio(voice, config)
    if ratio != 1.0:
        wave = shift_pitch(wave, ratio, config)
    spectrum = stft(wave, config)
    envelopes = log_mel_envelope(spectrum, config)
    voiced, _ = frame_classes(base.phones, len(envelopes), config.hop_length / config.sample_rate)
    unshifted = warp(envelopes, 1 / ratio, config)
    change = envelope_change(unshifted, voiced, voice.transform, config) + (unshifted - envelopes) * voiced[:, None]
    wave = istft(apply_envelope_change(spectrum, change, config), len(wave), config)
    wave = _match_level(wave, base.wave)
    return OfflineSpeech(
        wave=wave,
        sample_rate=config.sample_rate,
        base_voice=voice.base_voice,
        phones=base.phones,
        pitch_hz=pitch.median_hz if pitch else None,
        warp_factor=voice.transform.warp_factor,
        notes=voice.notes,
    )


def _pitch_ratio(voice: ReferenceVoice, config: OfflineConfig) -> float:
    """How far the base speech's pitch must be moved after flite: 1 unless the voice ignores pitch targets."""
    if voice.pitch is None or voice.base_voice in PITCH_CONTROLLED:
        return 1.0
    ratio = voice.pitch.median_hz / base_voice_profile(voice.base_voice, config).pitch.median_hz
    return 1.0 if abs(np.log(ratio)) < config.pitch_shift_tolerance else float(ratio)


def _match_level(wave: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Same RMS as flite's output, scaled down only if a peak would clip."""
    rms = np.sqrt(np.mean(wave**2)) or 1.0
    wave = wave * (np.sqrt(np.mean(like**2)) / rms)
    peak = np.max(np.abs(wave))
    return (wave / peak * 0.99 if peak > 0.99 else wave).astype(np.float32)
