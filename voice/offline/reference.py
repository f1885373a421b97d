"""A reference recording prepared once: its pitch, its voiced envelopes, the nearest base voice and the transform."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..audio import AudioSource
from ..encoder import SpeakerEncoder, load_encoder
from ..speaker import Speaker, prepare_speaker
from .base_voices import base_voice_profile
from .config import DEFAULT, OfflineConfig
from .envelope import log_mel_envelope, loudest_frames, stft
from .mapping import SpeakerTransform, fit_speaker_transform, identity_transform
from .pitch import PitchStats, pitch_stats, plausible_speech_pitch, track_f0
from .ranking import rank_base_voices
from .reading import ReadingTable, build_reading_table


@dataclass(frozen=True, eq=False)
class ReferenceVoice:
    base_voice: str
    base_similarity: float
    """GE2E cosine of the chosen base voice's unconverted speech, at the reference's pitch, with the reference."""
    pitch: PitchStats | None
    """The reference's pitch, None when it could not be estimated (then the base voice keeps its own)."""
    transform: SpeakerTransform = field(repr=False)
    speech_seconds: float
    notes: tuple[str, ...] = ()
    reading: ReadingTable | None = field(default=None, repr=False)
    """The base voice's reading of the reference's words, aligned to it; None if no words were heard."""


def prepare_reference(
    reference: AudioSource | Speaker | ReferenceVoice,
    *,
    config: OfflineConfig = DEFAULT,
    encoder: SpeakerEncoder | None = None,
    source_sr: int | None = None,
) -> ReferenceVoice:
    """Analyse a reference for the offline voice once; reuse the result.

    `reference` is a recording (16 kHz array or file) or a Speaker already cleaned and embedded by
    `encoder`. Silent, too short or unreadable recordings raise the speaker encoder's InputError.
    """
    if isinstance(reference, ReferenceVoice):
        return reference
    encoder = encoder or load_encoder()
    speaker = prepare_speaker(encoder, reference, source_sr)
    wave, embedding = speaker.wave, speaker.embedding
    spectrum = stft(wave, config)
    envelopes = log_mel_envelope(spectrum, config)
    f0 = track_f0(wave, len(envelopes), config)
    stats = pitch_stats(f0, config)
    stats = plausible_speech_pitch(stats, config) if stats is not None else None
    (voice, score), *_ = rank_base_voices(embedding, stats, encoder, config)
    profile = base_voice_profile(voice, config)
    if stats is None:
        note = (
            "could not estimate the pitch of the reference (is it music or noise?): "
            f"spoke with the {voice} voice's own pitch and timbre"
        )
        transform = identity_transform(profile.voiced_envelopes, config)
        return ReferenceVoice(voice, score, None, transform, len(wave) / config.sample_rate, (note,))
    voiced = (f0 > 0) & loudest_frames(envelopes, config.speech_floor_db)
    transform = fit_speaker_transform(profile.voiced_envelopes, envelopes[voiced], config)
    reading = None
    if config.reading_blend > 0:
        reading = build_reading_table(wave, envelopes, voice, stats, transform, config)
    return ReferenceVoice(voice, score, stats, transform, len(wave) / config.sample_rate, reading=reading)
