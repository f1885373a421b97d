"""What the pipeline returns: speech and talking clips, already marked; each knows what made it and saves itself."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from core.components import Component
from core.files import sha256_file
from voice.audio import encode_audio
from voice.speaker import Speaker
from voice.synthesis import Synthesis

from . import outputs
from .provenance.label import DEFAULT_LABEL, LabelConfig


@dataclass(frozen=True)
class Speech(Synthesis):
    """The voice stage's speech, watermarked, with the speaker it imitates; `wave, sr = speech` unpacks it.

    `components` name the speaker encoder too; `consent` is the statement made when it was asked
    for, recorded with it.
    """

    speaker: Speaker | None = None
    consent: str | None = None
    source: Path | None = None
    """The recording it re-voices (`Pipeline.convert_voice`), None for speech made from text."""

    def __iter__(self):
        return iter((self.samples, self.sample_rate))

    @property
    def reference_file(self) -> Path | None:
        """The recording of the speaker it imitates (None when that came as samples)."""
        return self.speaker.source if self.speaker is not None else None

    def save(self, path: str | os.PathLike) -> Path:
        """Write a WAV, FLAC or MP3 (by `path`'s ending) with its content credentials, atomically, and its provenance
        record beside it."""
        inputs = _existing({"reference_voice": self.reference_file, "source_speech": self.source})
        path = outputs.check_output(path, "audio", inputs.values())
        with outputs.finished_output(path, "audio", list(self.components), inputs, self.consent, self.text) as partial:
            partial.write_bytes(encode_audio(self.samples, self.sample_rate, path.suffix[1:]))
        return path


@dataclass
class Clip:
    """A talking clip: an MP4 (H.264 + AAC) with the label and marks, kept in a temporary folder until saved."""

    path: Path
    duration: float
    fps: float
    frames: int
    frames_without_face: int
    components: tuple[Component, ...]
    inputs: dict[str, Path]
    text: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    consent: str | None = None
    label: LabelConfig = DEFAULT_LABEL
    """The visible label its frames carry."""
    _workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def neural(self) -> bool:
        return all(c.neural for c in self.components)

    def save(self, path: str | os.PathLike) -> Path:
        """Copy the MP4 to `path` with its content credentials, atomically, and its provenance record beside it."""
        inputs = _existing(self.inputs)
        path = outputs.check_output(path, "video", inputs.values())
        with outputs.finished_output(
            path, "video", list(self.components), inputs, self.consent, self.text, self.label
        ) as partial:
            shutil.copyfile(self.path, partial)
        return path

    @property
    def sha256(self) -> str:
        return sha256_file(self.path)

    def to_moviepy(self):
        """The clip as a moviepy VideoFileClip, with its audio (needs moviepy: pip install 'voxlip[moviepy]').

        It reads this clip's MP4, which it keeps alive; `save` it to keep a marked copy with its record.
        """
        from .moviepy_io import video_clip

        return video_clip(self.path, keep_alive=self)


def _existing(inputs: dict[str, Path | None]) -> dict[str, Path]:
    """The input files still on disk, to hash into the record."""
    return {role: Path(p) for role, p in inputs.items() if p is not None and Path(p).is_file()}
