"""A reference recording prepared once for the offline voice: its pitch and the long-term colour of its voice."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..audio import AudioSource
from ..encoder import SpeakerEncoder, load_encoder
from ..speaker import Speaker
from .config import DEFAULT, OfflineConfig
from .conversion import long_term_spectrum
from .envelope import log_mel_envelope, loudest_frames, stft
from .pitch import PitchStats, pitch_stats, plausible_speech_pitch, track_f0


@dataclass(frozen=True, eq=False)
class ReferenceVoice:
    pitch: PitchStats | None
    """The reference's pitch, None when it could not be estimated (then the base voice keeps its own)."""
    spectrum: np.ndarray = field(repr=False)
    """Long-term log power spectrum of its speech frames (conversion.long_term_spectrum)."""
    speech_seconds: float
    notes: tuple[str, ...] = ()


def prepare_reference(
    reference: AudioSource | Speaker | ReferenceVoice,
    *,
    config: OfflineConfig = DEFAULT,
    encoder: SpeakerEncoder | None = None,
    source_sr: int | None = None,
) -> ReferenceVoice:
    """Analyse a reference once; reuse the result for every text.

    `reference` is a recording (16 kHz array or file) or a Speaker (its speech already cleaned).
    Silent, too short or unreadable recordings raise the speaker encoder's InputError.
    """
    if isinstance(reference, ReferenceVoice):
        return reference
    if isinstance(reference, Speaker):
        wave = reference.wave
    else:
        wave = (encoder or load_encoder()).preprocess(reference, source_sr)
    return analyse(wave, config)


def analyse(wave: np.ndarray, config: OfflineConfig = DEFAULT) -> ReferenceVoice:
    """The pitch statistics and long-term spectrum of cleaned 16 kHz speech."""
    envelopes = log_mel_envelope(stft(wave, config), config)
    f0 = track_f0(wave, len(envelopes), config)
    stats = pitch_stats(f0, config)
    speech = loudest_frames(envelopes, config.speech_floor_db)
    spectrum = long_term_spectrum(wave, speech)
    seconds = len(wave) / config.sample_rate
    if stats is None:
        note = (
            "could not estimate the pitch of the reference (is it music or noise?): "
            "spoke with the base voice's own pitch and formants"
        )
        return ReferenceVoice(None, spectrum, seconds, (note,))
    return ReferenceVoice(plausible_speech_pitch(stats, config), spectrum, seconds)
