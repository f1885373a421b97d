"""A reference recording prepared once for the offline voice: its pitch and the long-term colour of its voice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.cache import cached_arrays

from ..audio import AudioSource, source_rate
from ..speaker import Speaker, cleaned_reference, no_voice_heard
from .config import DEFAULT, OfflineConfig
from .conversion import mean_speech_envelope
from .envelope import (
    band_limit_hz,
    band_rise,
    kept_bands,
    level_spread_db,
    log_mel_envelope,
    speech_spectrum,
    stft,
)
from .pitch import PitchStats, pitch_stats, plausible_speech_pitch, praat_f0, track_f0, unreadable_pitch

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from ..encoder import SpeakerEncoder


@dataclass(frozen=True, eq=False)
class ReferenceVoice:
    pitch: PitchStats | None
    """The reference's pitch, None when it could not be estimated (then the base voice keeps its own)."""
    envelope: np.ndarray = field(repr=False)
    """Mean log-mel envelope of its speech frames (conversion.mean_speech_envelope)."""
    speech_seconds: float
    notes: tuple[str, ...] = ()
    pitch_problem: str = ""
    """Why `pitch` is None (pitch.unreadable_pitch), in words for a note; "" when the pitch was read."""
    band_limit_hz: float | None = None
    """The top of a band-limited recording (envelope.band_limit_hz): the timbre is matched below it only."""
    formant_ratio: float | None = None
    """The base voice's formant ratio toward this voice, fitted by synthesis (OfflineVoice.fitted); None: the
    pitch rule (config.formant_exponent)."""
    fitted_filter: np.ndarray | None = field(default=None, repr=False)
    """Natural-log amplitude gain per bin of timbre_gain's grid fitted by synthesis on top of the timbre filter
    (filter_fit.py, OfflineVoice.fitted), for the base voice only; None: not fitted."""
    base_speaker: int | None = None
    """The speaker of a multi-speaker base voice that a speaker encoder hears nearest this voice, which then says
    the text (OfflineVoice.fitted); None: the base voice has one speaker, or its speaker was given."""

    @property
    def recording_notes(self) -> tuple[str, ...]:
        """Its notes as they hold for a person's recording re-voiced toward it: there is no base voice, and what the
        reference cannot give (its top band, its pitch) the recording keeps of its own."""
        worded = {}
        if self.band_limit_hz:
            worded[band_limit_note(self.band_limit_hz)] = band_limit_note(self.band_limit_hz, RECORDING_KEEPS_BAND)
        if self.pitch_problem:
            worded[pitch_note(self.pitch_problem)] = pitch_note(self.pitch_problem, RECORDING_KEEPS_PITCH)
        return tuple(worded.get(note, note) for note in self.notes)


BASE_KEEPS_BAND = "the voice keeps the base voice's colour"
RECORDING_KEEPS_BAND = "the re-voiced recording keeps its own colour"
BASE_KEEPS_PITCH = "spoke with the base voice's own pitch and formants"
RECORDING_KEEPS_PITCH = "the re-voiced recording keeps its own pitch and formants"


def band_limit_note(top_hz: float, kept: str = BASE_KEEPS_BAND) -> str:
    """The note of a reference with nothing above `top_hz`, saying what the result keeps above it."""
    return (
        f"the reference has nothing above {top_hz / 1000:.1f} kHz (a phone call, a low sample rate or strong "
        f"compression): above that {kept}; for a closer clone, record at 16 kHz or more, saved as WAV or FLAC"
    )


def pitch_note(problem: str, kept: str = BASE_KEEPS_PITCH) -> str:
    """The note of a reference whose pitch could not be read (`problem`), saying what the result keeps."""
    return f"could not estimate the pitch of the reference ({problem}): {kept}"


def prepare_reference(
    reference: AudioSource | Speaker | ReferenceVoice,
    *,
    config: OfflineConfig = DEFAULT,
    encoder: SpeakerEncoder | None = None,
    source_sr: int | None = None,
) -> ReferenceVoice:
    """Analyse a reference once; reuse the result for every text.

    `reference` is a recording (a file, or samples at `source_sr`) or a Speaker (its speech already cleaned).
    Silent, too short or unreadable recordings raise the speaker encoder's InputError.
    """
    if isinstance(reference, ReferenceVoice):
        return reference
    return analyse(speaker_wave(reference, encoder, source_sr), config)


def speaker_wave(
    reference: AudioSource | Speaker, encoder: SpeakerEncoder | None = None, source_sr: int | None = None
) -> np.ndarray:
    """A Speaker's speech, or a recording cleaned as prepare_speaker cleans it (16 kHz, silences shortened)."""
    if isinstance(reference, Speaker):
        return reference.wave
    source_rate(reference, source_sr, "reference")  # before the encoder loads
    from ..encoder import load_encoder

    return cleaned_reference(encoder or load_encoder(), reference, source_sr)


def analyse(wave: np.ndarray, config: OfflineConfig = DEFAULT) -> ReferenceVoice:
    """The pitch statistics and mean spectral envelope of cleaned 16 kHz speech, with a note when the
    recording is band-limited, has a background a listener hears (config.noisy_below_db; whether its pitch is read or
    not, unless no voice is heard in it at all: noise alone, which speaker.voicing_note names) or its pitch is
    unreadable, so it cannot be cloned as well."""
    f0 = track_f0(wave, 1 + len(wave) // config.hop_length, config)
    spectrum = stft(wave, config)
    envelopes = log_mel_envelope(spectrum, config)
    spread = level_spread_db(envelopes)
    envelope = mean_speech_envelope(log_mel_envelope(speech_spectrum(spectrum, spread, config), config), config)
    seconds = len(wave) / config.sample_rate
    top = band_limit_hz(mean_speech_envelope(envelopes, config), band_rise(envelopes), config)
    notes = []
    if top is not None:
        notes.append(band_limit_note(top))
    problem = unreadable_pitch(f0, config)
    if problem:  # DIO loses some synthetic voices by octaves (the bundled Piper voice among them); Praat reads them
        second = praat_f0(wave, config)
        if not unreadable_pitch(second, config):
            f0, problem = second, ""
    background = level_spread_db(envelopes[:, kept_bands(config)])
    if background < config.noisy_below_db and not (problem and no_voice_heard(wave)):  # noise alone: voicing_note's
        notes.append(
            f"the reference recording is noisy (its quietest moments are only {background:.0f} dB below its loudest: "
            "a background such as music, a fan or a hum): the clone may sound less like the speaker; for a closer "
            "clone, record without music, away from fans and machines, in a quiet room, close to the microphone"
        )
    if problem:
        notes.append(pitch_note(problem))
        return ReferenceVoice(None, envelope, seconds, tuple(notes), pitch_problem=problem, band_limit_hz=top)
    pitch = plausible_speech_pitch(pitch_stats(f0), config)
    return ReferenceVoice(pitch, envelope, seconds, tuple(notes), band_limit_hz=top)


_FIELDS = ("median_hz", "log_std", "envelope", "speech_seconds", "notes", "pitch_problem", "band_limit_hz")
"""What a cached analysis holds (a median of 0 Hz: no pitch could be estimated; a band limit of 0: none)."""


def analysed(wave: np.ndarray, config: OfflineConfig = DEFAULT) -> ReferenceVoice:
    """`analyse`, kept in voxlip's cache keyed by the sha256 of the speech and of the config's analysis fields, so
    that the same voice asked for in the next process, or at another similarity, is not analysed again."""
    samples = np.ascontiguousarray(wave, dtype=np.float32)
    key = samples.tobytes() + config.analysis_key()
    data = cached_arrays("references", key, _FIELDS, lambda: _arrays(analyse(samples, config)))
    pitch = PitchStats(float(data["median_hz"]), float(data["log_std"])) if data["median_hz"] > 0 else None
    notes = tuple(str(note) for note in data["notes"])
    return ReferenceVoice(
        pitch,
        data["envelope"],
        float(data["speech_seconds"]),
        notes,
        pitch_problem=str(data["pitch_problem"]),
        band_limit_hz=float(data["band_limit_hz"]) or None,
    )


def _arrays(voice: ReferenceVoice) -> dict[str, np.ndarray]:
    pitch = voice.pitch or PitchStats(0.0, 0.0)
    return dict(
        median_hz=np.float64(pitch.median_hz),
        log_std=np.float64(pitch.log_std),
        envelope=voice.envelope,
        speech_seconds=np.float64(voice.speech_seconds),
        notes=np.array(voice.notes, dtype=str),
        pitch_problem=np.array(voice.pitch_problem),
        band_limit_hz=np.float64(voice.band_limit_hz or 0.0),
    )
