"""A reference voice prepared once: its cleaned speech and GE2E embedding, reused for every text."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.components import Component
from core.errors import InputError
from core.files import UNREADABLE_ARRAYS, InputData, InputFile, atomic_output, check_not_stream, check_output_name

from . import spectral
from .audio import (
    SAMPLE_RATE,
    AudioSource,
    Decoded,
    audio_of,
    channel_correlation,
    clipping_note,
    dbfs,
    decode,
    is_silent,
    load_audio,
    rate_not_taken,
    read_already,
    without_offset,
)

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from .encoder import SpeakerEncoder


@dataclass(frozen=True, eq=False)
class Speaker:
    """A reference voice prepared once: its speech (16 kHz, silences shortened) and GE2E embedding; compared and hashed
    by identity, as the Speech made from it is."""

    wave: np.ndarray = field(repr=False)
    embedding: np.ndarray = field(repr=False)
    encoder: Component
    source: Path | None = None
    """The reference file, for the provenance record (None when it came as an array)."""
    source_sha256: str | None = None
    """Its sha256 when it was read: what the record names, even if the file changes before the result is saved."""
    notes: tuple[str, ...] = ()
    """What the recording itself lacks for a good clone (e.g. it is clipped), for the results' notes."""
    given: InputData | None = None
    """What the reference was when it came as samples, for the provenance record (None for a file)."""

    def save(self, path: str | os.PathLike) -> Path:
        """Write to `path`, an .npz that `Speaker.load` reads back; another ending is refused, as a Speech's is, so
        that two names ("bob.v1", "bob.v2") are never written to one file."""
        path = Path(path).expanduser()
        check_output_name(path, "speakers")
        with atomic_output(path) as partial, open(partial, "wb") as file:  # a file: numpy adds no second ".npz"
            np.savez(
                file,
                wave=self.wave,
                embedding=self.embedding,
                encoder_name=self.encoder.checkpoint,
                encoder_sha256=self.encoder.sha256,
                source=str(self.source or ""),
                source_sha256=self.source_sha256 or "",
                notes=np.array(self.notes, dtype=str),
                given=self.given.what if self.given else "",
                given_sha256=self.given.sha256 if self.given else "",
            )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Speaker:
        """A Speaker that `save` wrote; an InputError for a file that is missing or is not one."""
        path = Path(path).expanduser()
        _check_speaker_file(path)
        try:
            with _npz(path) as data:
                source, given = str(data["source"]), str(data["given"]) if "given" in data else ""
                return cls(
                    wave=data["wave"].astype(np.float32),
                    embedding=data["embedding"].astype(np.float32),
                    encoder=Component("speaker encoder", str(data["encoder_name"]), str(data["encoder_sha256"])),
                    source=Path(source) if source else None,
                    source_sha256=str(data["source_sha256"]) or None if "source_sha256" in data else None,
                    notes=tuple(str(note) for note in data["notes"]) if "notes" in data else (),
                    given=InputData(given, str(data["given_sha256"])) if given else None,
                )
        except (*UNREADABLE_ARRAYS, KeyError) as e:
            raise InputError(
                f"{path} is not a speaker file saved by voxlip ({_unreadable(e)}); {MAKE_SPEAKER}"
            ) from None


MAKE_SPEAKER = "make one with Pipeline.speaker(reference).save(path), path ending in .npz"
"""What to do instead of loading a file that is no speaker voxlip saved."""


def _check_speaker_file(path: Path) -> None:
    """An InputError for a speaker file that does not exist or is a folder, said so (not as numpy's error)."""
    check_not_stream(path)
    if not path.exists():
        raise InputError(f"speaker file {path} does not exist; {MAKE_SPEAKER}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a speaker file; {MAKE_SPEAKER}")


def _npz(path: Path) -> np.lib.npyio.NpzFile:
    """The arrays of the .npz at `path`; a ValueError for a file of one array (an .npy)."""
    data = np.load(path)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds one array")
    return data


def _unreadable(error: Exception) -> str:
    """Why numpy could not read a file as a speaker, in a few words (without its advice on pickled data)."""
    if isinstance(error, KeyError):
        return str(error.args[0])
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return "it is not an .npz archive, or one cut short"


PREPARATION = (
    "offset removed, the encoder's preprocessing, the first 60 s of speech, lowered to the encoder's level; notes: "
    "clipped (unless unvoiced), short, long, unvoiced (noise, or a tone steady in pitch and level), two, two channels"
)
"""How prepare_speaker prepares a reference, for the keys of prepared speakers kept on disk."""
SHORT_SPEECH_SECONDS = 3.0
"""A reference with less speech than this (its silences shortened, as every stage hears it) gets a note. The offline
voice from each shared reader's first 3 s only (1.3-2.9 s of speech; eval_offline_voice.py --reference-seconds 3),
all 80 pairs: GE2E 0.719, d-vector 0.601, against 0.733 and 0.625 from the whole recordings (most 10-15 s)."""


MAX_SPEECH_SECONDS = 60.0
"""A reference's speech past this (its silences shortened) is left out, with a note: the voices are measured on
references of 10-16 s (the shared readers' recordings), and a 4.7-minute one (240 s of speech) made a cold `voxlip say`
take 13.6-14.9 s and 1.4 GB (6.5-6.6 s and 0.92-0.95 GB with the first 60 s)."""


def cleaned_reference(
    encoder: SpeakerEncoder, reference: AudioSource | Decoded, source_sr: int | None = None
) -> np.ndarray:
    """A reference recording as every voice stage hears it: 16 kHz, its DC offset taken out (audio.without_offset),
    then the encoder's own preprocessing (level raised, long silences shortened), its first MAX_SPEECH_SECONDS, at the
    level the encoder raises quiet audio to however loud it was recorded."""
    return cleaned_speech(encoder, load_audio(reference, source_sr=source_sr))


def cleaned_speech(encoder: SpeakerEncoder, wave: np.ndarray) -> np.ndarray:
    """cleaned_reference of a recording's 16 kHz mono samples, loaded already.

    The encoder's preprocessing raises quiet audio to its level (target_dbfs) and leaves louder audio as it is, as
    Resemblyzer publishes it, and GE2E hears level: left so, a reading at -35 dBFS and the same 11 dB louder embed at
    0.93 to each other, and clone at 0.96. A louder recording's speech is lowered by as much as it lies over that
    level: 0.999 and 1.000. Which of it is speech is still decided at the level it was recorded at (the published
    preprocessing: noise loud enough for its VAD is kept, and noted in words)."""
    wave = without_offset(wave)
    speech = encoder.preprocess(read_already(wave, SAMPLE_RATE))[: int(MAX_SPEECH_SECONDS * SAMPLE_RATE)]
    over = dbfs(wave) - encoder.config.target_dbfs
    return speech * np.float32(10 ** (-over / 20)) if over > 0 else speech


def prepare_speaker(encoder: SpeakerEncoder, reference: AudioSource | Speaker, source_sr: int | None = None) -> Speaker:
    """The reference (a file, samples at `source_sr`, or an already prepared Speaker, which refuses a rate) cleaned and
    embedded once."""
    if isinstance(reference, Speaker):
        if source_sr is not None:
            raise rate_not_taken(source_sr, "reference", "a prepared Speaker")
        return reference
    recording = decode(reference, source_sr, what="reference")  # once, for the speech and every note
    wave = cleaned_speech(encoder, audio_of(recording))
    embedding, partials = encoder.embed_with_partials(wave)
    source = None if isinstance(reference, np.ndarray) else InputFile.read(reference)
    voicing = voicing_note(wave)
    found = (
        "" if voicing else clipping_note(recording),  # a tone's or noise's peaks are no clipped voice's
        speech_length_note(wave),
        voicing,
        mixed := mixed_voices_note(partials),
        "" if mixed or voicing else two_channels_note(encoder, recording),
    )
    notes = recording.notes + tuple(note for note in found if note)
    encoder_component = Component.of("speaker encoder", encoder)
    if source is None:
        return Speaker(wave, embedding, encoder_component, notes=notes)
    return Speaker(wave, embedding, encoder_component, source.path, source.sha256, notes)


def speech_length_note(wave: np.ndarray) -> str:
    """A note for cleaned 16 kHz reference speech shorter than SHORT_SPEECH_SECONDS, or cut to MAX_SPEECH_SECONDS;
    "" otherwise."""
    seconds = len(wave) / SAMPLE_RATE
    if seconds >= MAX_SPEECH_SECONDS:
        return (
            f"the reference holds more than {MAX_SPEECH_SECONDS:.0f} s of speech: its first {MAX_SPEECH_SECONDS:.0f} s "
            "were used"
        )
    if seconds >= SHORT_SPEECH_SECONDS:
        return ""
    return (
        f"the reference holds only {seconds:.1f} s of speech, little to hear a voice by: for a closer clone or a "
        "surer embedding, give 10 s or more of the person speaking"
    )


VOICED_AT_LEAST = 0.1
"""Share of a reference's speech frames in which Praat finds a pitch (praat_f0), under which no voice is heard in it:
the 40 shared readers' first 10 s of cleaned speech 0.42-0.79; white noise 0, a reading under noise as loud as itself
0 (tones and music are pitched: 0.76-1.0). Speech to lip-sync, as given (its pauses kept): the 40 readers' recordings
0.34-0.67; white and pink noise 0-0.01."""
VOICING_SECONDS = 10.0
"""The reference's first seconds of speech that voicing_note looks at."""
STEADY_AT_LEAST = 0.9
"""Share of a reference's pitched frames within half a semitone of their median pitch, and of its 20 ms frames within
1.5 dB of their median level, from which it is a steady tone, not a voice: a voice's pitch moves (the 40 shared
readers: 0.42 at most within half a semitone), and so does its level, syllable by syllable, even where its pitch does
not (speech made monotone); a 440 Hz sine 1.0 and 1.0, one with a vibrato of 3 Hz 0.08 (not noted)."""


PITCHED_THROUGHOUT = 0.95
"""Share of a reference's speech frames with a pitch from which, at a steady level (_steady_level), it is a tone, not
a voice, even where its pitch moves (a sweep from 50 Hz to 7 kHz: 1.0 and 1.0). Speech pauses, and its level moves:
the 40 shared readers' first 10 s of cleaned speech 0.42-0.79 pitched, at most 0.21 of their frames at a steady
level; their first 2 s (39 with speech enough) at most 0.85 and 0.30, any 2 s of them 0.94 and 0.81; a reading under
music as loud as itself 0.86 and 0.48."""


def no_voice_heard(wave: np.ndarray) -> bool:
    """Whether hardly any of 16 kHz `wave` has a pitch (under VOICED_AT_LEAST of its frames): noise, or speech drowned
    in it; a voice, spoken or sung, and music have one."""
    return _unpitched(_pitch(wave))


def _pitch(wave: np.ndarray) -> np.ndarray:
    """Praat's F0 of 16 kHz `wave` per frame (0 where it has none), as the offline voice reads it."""
    from .offline.config import DEFAULT
    from .offline.pitch import praat_f0

    return praat_f0(wave, DEFAULT, SAMPLE_RATE)


def _unpitched(pitch: np.ndarray) -> bool:
    return bool(pitch.size) and np.count_nonzero(pitch > 0) < VOICED_AT_LEAST * pitch.size


def voicing_note(wave: np.ndarray) -> str:
    """A note for cleaned 16 kHz reference speech in which no voice is heard (noise, speech drowned in it, a steady
    tone, a sweep), "" otherwise: the clone would be of no one in it."""
    first = wave[: int(VOICING_SECONDS * SAMPLE_RATE)]
    pitch = _pitch(first)
    pitched = pitch[pitch > 0]
    if _unpitched(pitch):
        return (
            "no voice is heard in the reference (hardly any of it has a pitch): it is noise, or speech drowned in "
            "noise, and the clone will sound like no one in it; give a clean recording of the person speaking"
        )
    median = float(np.median(pitched)) if pitched.size else 0.0
    steady_pitch = pitched.size and np.mean(np.abs(12 * np.log2(pitched / median)) <= 0.5) >= STEADY_AT_LEAST
    steady_level = _steady_level(first)
    if steady_pitch and steady_level:
        return (
            f"no voice is heard in the reference: it is a steady tone (its pitch stays at {median:.0f} Hz), and the "
            "clone will sound like no one in it; give a recording of the person speaking"
        )
    if steady_level and pitched.size >= PITCHED_THROUGHOUT * pitch.size:
        return (
            "no voice is heard in the reference: it has a pitch throughout at one steady level, as a tone or a sweep "
            "has, where a voice pauses and rises and falls syllable by syllable; the clone will sound like no one in "
            "it; give a recording of the person speaking"
        )
    return ""


def _steady_level(wave: np.ndarray) -> bool:
    """Whether STEADY_AT_LEAST of the 20 ms frames that sound (within 40 dB of the loudest) lie within 1.5 dB of their
    median level: a tone's do; speech's rise and fall with its syllables."""
    frame = int(0.02 * SAMPLE_RATE)
    frames = wave[: wave.size // frame * frame].reshape(-1, frame).astype(np.float64)
    levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    sounding = levels[levels > levels.max() - 40] if levels.size else levels
    return bool(sounding.size) and np.mean(np.abs(sounding - np.median(sounding)) <= 1.5) >= STEADY_AT_LEAST


TWO_VOICES_BELOW = 0.75
"""A reference whose windows (the encoder's 1.6 s partials) fall in two groups whose mean embeddings are less alike than
this holds two voices (an interview, a podcast), which the clone would mix (benchmarks/eval_two_voices.py). The 20
shared readers it was chosen on: their own recordings (16 long enough to judge) 0.87-0.95, none noted; each reader's
first half followed by another's, 380 pairs, 81% noted (at 0.70: 67%). The other 20: 0.83-0.95, none noted; 94% of
their 380 pairs. All 40 with pink noise 10 dB under them, through 8 kHz or in a 0.5 s room (35 judged): none noted,
though noise and echo split two of them down to 0.66-0.67, their smaller group under TWO_VOICES_SHARE."""
TWO_VOICES_SHARE = 0.15
"""The smaller group holds at least this share of the windows: a cough or a door is not a second voice."""
TWO_VOICES_WINDOWS = 6
"""References with fewer windows (about 5 s of speech) are not judged: the only recordings the trials above flagged
were that short (one reader's first 3 s; the noisy or echoing recordings of the five shortest readers, four times)."""


def two_groups(partials: np.ndarray) -> tuple[float, float]:
    """(cosine of the two mean embeddings, the smaller group's share) of unit embeddings split in two by 2-means on
    the sphere, started from the two least alike."""
    first, second = np.unravel_index(np.argmin(partials @ partials.T), (len(partials), len(partials)))
    centres = partials[[first, second]]
    for _ in range(10):
        labels = np.argmax(partials @ centres.T, axis=1)
        if labels.min() == labels.max():
            return 1.0, 0.0
        centres = np.stack([partials[labels == group].mean(axis=0) for group in (0, 1)])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    return float(centres[0] @ centres[1]), float(min(np.mean(labels == 0), np.mean(labels == 1)))


def mixed_voices_note(partials: np.ndarray) -> str:
    """A note when a reference's windows sound like two people, "" otherwise (see TWO_VOICES_BELOW)."""
    if len(partials) < TWO_VOICES_WINDOWS:
        return ""
    alike, share = two_groups(partials)
    if alike >= TWO_VOICES_BELOW or share < TWO_VOICES_SHARE:
        return ""
    return (
        f"the reference seems to hold two voices ({share:.0%} of it sounds like another person): the clone mixes "
        "them; give a recording of the one person speaking alone"
    )


SAME_SOUND_ABOVE = 0.9
"""Channels whose samples correlate above this carry one sound (ordinary stereo, a mono recording saved as two): they
are not embedded one by one. It only spares that work: two people speaking at once correlate near 0, and channels
that are not embedded get no note."""


def two_channels_note(encoder: SpeakerEncoder, recording: Decoded) -> str:
    """A note when a reference's two channels each hold a voice (TWO_VOICES_WINDOWS or more windows of it, a pitch
    heard: voicing_note) and the two sound like two people by mixed_voices_note's measure (the cosine of their
    embeddings under TWO_VOICES_BELOW): two people speaking at once, one per channel, which the mono mix blends and
    mixed_voices_note, which looks for turns, does not hear; "" otherwise (one channel, or one sound in both). The
    channels are taken from the samples as read (ffmpeg's at 16 kHz already), resampled straight to 16 kHz."""
    wave = recording.samples
    if wave.ndim != 2 or wave.shape[1] != 2:
        return ""  # one channel, or more mixed to one
    if recording.max_seconds is not None:
        wave = wave[: int(recording.max_seconds * recording.rate)]
    channels = spectral.resample(wave, recording.rate, SAMPLE_RATE)  # each as read, at the rate the voice stages hear
    if any(is_silent(channel) for channel in channels.T) or channel_correlation(channels) > SAME_SOUND_ABOVE:
        return ""
    embeddings = []
    for channel in channels.T:
        try:
            speech = cleaned_reference(encoder, read_already(channel, SAMPLE_RATE))
        except InputError:  # a channel without a voice (a microphone input left empty, its noise floor only)
            return ""
        if voicing_note(speech):
            return ""
        embedding, partials = encoder.embed_with_partials(speech)
        if len(partials) < TWO_VOICES_WINDOWS:
            return ""
        embeddings.append(embedding)
    alike = float(embeddings[0] @ embeddings[1])
    if alike >= TWO_VOICES_BELOW:
        return ""
    return (
        f"the reference's two channels hold two different voices at once (their likeness {alike:.2f}, under the "
        f"{TWO_VOICES_BELOW} of one person): the clone mixes them; give a recording of the one person speaking alone, "
        'or only the channel of the person to clone (e.g. ffmpeg -i REFERENCE -af "pan=mono|c0=c0" left.wav; c0=c1 '
        "for the right)"
    )
