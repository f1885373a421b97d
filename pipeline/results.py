"""What the pipeline returns: a speaker, speech, a talking clip; each knows what made it and saves itself."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voice.audio import save_audio

from .errors import InputError
from .provenance import Component, finalize_output
from .provenance.record import sha256_file

Phone = tuple[str, float, float]


@dataclass(frozen=True)
class Speaker:
    """A reference voice prepared once: its speech (16 kHz, silences shortened) and GE2E embedding."""

    wave: np.ndarray
    embedding: np.ndarray
    encoder: Component
    source: Path | None = None
    """The reference file, for the provenance record (None when it came as an array)."""

    def save(self, path: str | os.PathLike) -> Path:
        """Write to an .npz that `Speaker.load` (and `voxlip --speaker`) reads back."""
        path = Path(path).with_suffix(".npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npz", dir=path.parent)
        os.close(fd)
        np.savez(
            tmp, wave=self.wave, embedding=self.embedding, encoder_name=self.encoder.checkpoint,
            encoder_sha256=self.encoder.sha256, source=str(self.source or ""),
        )
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Speaker":
        try:
            with np.load(path) as data:
                source = str(data["source"])
                return cls(
                    wave=data["wave"].astype(np.float32), embedding=data["embedding"].astype(np.float32),
                    encoder=Component("speaker encoder", str(data["encoder_name"]), str(data["encoder_sha256"])),
                    source=Path(source) if source else None,
                )
        except (OSError, KeyError, ValueError) as e:
            raise InputError(f"{path} is not a speaker file saved by voxlip ({e}); make one with Pipeline.speaker(...).save()") from None


def _inputs(**files: Path | None) -> dict[str, Path]:
    return {role: path for role, path in files.items() if path is not None and Path(path).is_file()}


@dataclass(frozen=True)
class Speech:
    """Cloned speech, already carrying voxlip's audio watermark."""

    samples: np.ndarray
    sample_rate: int
    text: str
    components: tuple[Component, ...]
    speaker: Speaker
    phones: list[Phone] | None = None
    """(phone, start s, end s) from the voice stage, handed to the offline lip-sync."""
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def neural(self) -> bool:
        return all(c.neural for c in self.components)

    def save(self, path: str | os.PathLike) -> Path:
        """Write a WAV (atomically), embed its content credentials and write its provenance record."""
        path = save_audio(path, self.samples, self.sample_rate)
        finalize_output(path, "audio", list(self.components), _inputs(reference_voice=self.speaker.source), consent=True, text=self.text)
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
    _workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def neural(self) -> bool:
        return all(c.neural for c in self.components)

    def save(self, path: str | os.PathLike) -> Path:
        """Copy the MP4 to `path` (atomically), embed its content credentials and write its provenance record."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".mp4", dir=path.parent)
        os.close(fd)
        try:
            shutil.copyfile(self.path, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        finalize_output(path, "video", list(self.components), self.inputs, consent=True, text=self.text)
        return path

    @property
    def sha256(self) -> str:
        return sha256_file(self.path)
