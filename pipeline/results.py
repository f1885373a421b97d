"""What the pipeline returns: speech and talking clips, already marked; each knows what made it and saves itself."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from core.components import Component
from core.files import InputFile, sha256_file
from voice.audio import encode_audio
from voice.speaker import Speaker
from voice.synthesis import Synthesis

from . import outputs
from .provenance.label import LabelConfig


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
    source_sha256: str | None = None
    """That recording's sha256 when it was read."""

    def __iter__(self):
        return iter((self.samples, self.sample_rate))

    @property
    def reference_file(self) -> Path | None:
        """The recording of the speaker it imitates (None when that came as samples)."""
        return self.speaker.source if self.speaker is not None else None

    @property
    def reference_input(self) -> InputFile | None:
        """That recording as it was read (None when it came as samples)."""
        return _read_as(self.reference_file, self.speaker.source_sha256 if self.speaker is not None else None)

    def save(self, path: str | os.PathLike) -> Path:
        """Write a WAV, FLAC or MP3 (by `path`'s ending) with its content credentials, atomically, and its provenance
        record beside it."""
        inputs = _recorded(
            {"reference_voice": self.reference_input, "source_speech": _read_as(self.source, self.source_sha256)}
        )
        path = outputs.check_output(path, "audio", [read.path for read in inputs.values()])
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
    frames_without_face: int | None
    """Frames in which no face was found, left as they were; None for a dub (convert_voice), which looks for none."""
    components: tuple[Component, ...]
    inputs: dict[str, Path]
    input_sha256: dict[str, str | None] = field(default_factory=dict)
    """Each input's sha256 when it was read, for the record (an input without one is hashed when saved)."""
    text: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    consent: str | None = None
    label: LabelConfig | None = None
    """The visible label its frames were drawn with (the FrameProtector's); a clip without one is not saved."""
    _workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def neural(self) -> bool:
        return all(c.neural for c in self.components)

    def save(self, path: str | os.PathLike) -> Path:
        """Copy the MP4 to `path` with its content credentials, atomically, and its provenance record beside it."""
        inputs = _recorded({role: _read_as(p, self.input_sha256.get(role)) for role, p in self.inputs.items()})
        path = outputs.check_output(path, "video", [read.path for read in inputs.values()])
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


def _read_as(path: Path | None, sha256: str | None) -> InputFile | None:
    """An input as it was read, or as it is now when its sha256 was not kept; None for none."""
    if path is None:
        return None
    if sha256 is None:
        return InputFile.read(path) if Path(path).is_file() else None
    return InputFile(Path(path), sha256)


def _recorded(inputs: dict[str, InputFile | None]) -> dict[str, InputFile]:
    return {role: read for role, read in inputs.items() if read is not None}
