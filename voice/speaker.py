"""A reference voice prepared once: its cleaned speech and GE2E embedding, reused for every text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.components import Component
from core.errors import InputError
from core.files import atomic_output

from .audio import SAMPLE_RATE, AudioSource, clipping_note, load_audio, without_offset

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from .encoder import SpeakerEncoder


@dataclass(frozen=True)
class Speaker:
    """A reference voice prepared once: its speech (16 kHz, silences shortened) and GE2E embedding."""

    wave: np.ndarray
    embedding: np.ndarray
    encoder: Component
    source: Path | None = None
    """The reference file, for the provenance record (None when it came as an array)."""
    notes: tuple[str, ...] = ()
    """What the recording itself lacks for a good clone (e.g. it is clipped), for the results' notes."""

    def save(self, path: str | os.PathLike) -> Path:
        """Write to an .npz that `Speaker.load` reads back."""
        path = Path(path).with_suffix(".npz")
        with atomic_output(path) as partial:
            np.savez(
                partial,
                wave=self.wave,
                embedding=self.embedding,
                encoder_name=self.encoder.checkpoint,
                encoder_sha256=self.encoder.sha256,
                source=str(self.source or ""),
                notes=np.array(self.notes, dtype=str),
            )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Speaker:
        try:
            with np.load(path) as data:
                source = str(data["source"])
                return cls(
                    wave=data["wave"].astype(np.float32),
                    embedding=data["embedding"].astype(np.float32),
                    encoder=Component("speaker encoder", str(data["encoder_name"]), str(data["encoder_sha256"])),
                    source=Path(source) if source else None,
                    notes=tuple(str(note) for note in data["notes"]) if "notes" in data else (),
                )
        except (OSError, KeyError, ValueError) as e:
            raise InputError(
                f"{path} is not a speaker file saved by voxlip ({e}); make one with Pipeline.speaker(...).save()"
            ) from None


PREPARATION = "offset removed, then the encoder's preprocessing, the first 60 s of speech; notes: clipped, short, long"
"""How prepare_speaker prepares a reference, for the keys of prepared speakers kept on disk."""
SHORT_SPEECH_SECONDS = 3.0
"""A reference with less speech than this (its silences shortened, as every stage hears it) gets a note. The offline
voice from each shared reader's first 3 s only (1.3-2.9 s of speech; eval_offline_voice.py --reference-seconds 3),
all 80 pairs: GE2E 0.719, d-vector 0.601, against 0.733 and 0.625 from the whole recordings (most 10-15 s)."""


MAX_SPEECH_SECONDS = 60.0
"""A reference's speech past this (its silences shortened) is left out, with a note: the voices are measured on
references of 10-16 s (the shared readers' recordings), and a 4.7-minute one (240 s of speech) made a cold `voxlip say`
take 13.6-14.9 s and 1.4 GB (6.5-6.6 s and 0.92-0.95 GB with the first 60 s)."""


def cleaned_reference(encoder: SpeakerEncoder, reference: AudioSource, source_sr: int | None = None) -> np.ndarray:
    """A reference recording as every voice stage hears it: 16 kHz, its DC offset taken out (audio.without_offset),
    then the encoder's own preprocessing (level raised, long silences shortened), its first MAX_SPEECH_SECONDS."""
    speech = encoder.preprocess(without_offset(load_audio(reference, source_sr=source_sr)))
    return speech[: int(MAX_SPEECH_SECONDS * SAMPLE_RATE)]


def prepare_speaker(encoder: SpeakerEncoder, reference: AudioSource | Speaker, source_sr: int | None = None) -> Speaker:
    """The reference (a file, samples at `source_sr`, or an already prepared Speaker) cleaned and embedded once."""
    if isinstance(reference, Speaker):
        return reference
    wave = cleaned_reference(encoder, reference, source_sr)
    embedding = encoder.embed_utterance(wave, preprocessed=True)
    source = None if isinstance(reference, np.ndarray) else Path(reference)
    notes = tuple(note for note in (clipping_note(reference, source_sr), speech_length_note(wave)) if note)
    return Speaker(wave, embedding, Component.of("speaker encoder", encoder), source, notes)


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
        f"the reference holds only {seconds:.1f} s of speech: the clone copies what little it hears; for a closer "
        "clone, give 10 s or more of the person speaking"
    )
