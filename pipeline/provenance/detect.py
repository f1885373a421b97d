"""`voxlip detect`: does a file carry voxlip's marks, content credentials and provenance record?"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.ffmpeg import MediaInfo, probe, read_frames
from core.files import sha256_file
from voice.audio import load_audio

from .audio_watermark import AUDIO_MARK, AudioMarkResult, detect_audio_mark
from .credentials import CredentialsReport, read_credentials
from .record import read_record
from .video_watermark import FRAME_MARK, FrameMarkResult, detect_frame_mark


def _probability(p: float) -> str:
    return "< 1e-12" if p < 1e-12 else f"{p:.1e}"


MAX_FRAMES = 250
"""Frames read from a video: 10 s at 25 fps is far more than the frame mark needs."""


@dataclass(frozen=True)
class DetectionReport:
    path: Path
    kind: str
    """"audio", "video" or "image"."""
    audio: AudioMarkResult | None
    """The audio mark (of a video: of its audio track); None when there is no audio."""
    audio_seconds: float | None
    frames: FrameMarkResult | None
    credentials: CredentialsReport
    record: dict | None
    record_matches: bool | None
    """Whether the record's sha256 is this file's (None without a record)."""

    @property
    def marked(self) -> bool:
        """voxlip's mark found in the audio or the frames (the marks outlive re-encoding; the rest does not)."""
        return bool((self.audio and self.audio.detected) or (self.frames and self.frames.detected))

    @property
    def too_short(self) -> bool:
        """Sound alone, without the mark, and shorter than the mark needs to be found (a word or two)."""
        return not self.marked and self.audio_seconds is not None and self.audio_seconds < AUDIO_MARK.checked_seconds

    @property
    def anything_found(self) -> bool:
        return self.marked or self.credentials.found or self.record is not None

    def lines(self) -> list[str]:
        """A human summary, one finding per line."""
        verdict = "carries voxlip's watermark" if self.marked else "no voxlip watermark found"
        if self.too_short and self.frames is None:
            verdict = f"too short to tell whether it carries voxlip's watermark ({self.audio_seconds:.1f} s of sound)"
        out = [f"{self.path}: {verdict}"]
        if self.audio is not None:
            state = "found" if self.audio.detected else "not found"
            if self.too_short:
                state = f"not found, but {AUDIO_MARK.checked_seconds:g} s of sound or more are needed to find it"
            out.append(
                f"  audio mark: {state} (z = {self.audio.score:.1f}; false-positive probability "
                f"{_probability(self.audio.p_value)})"
            )
        elif self.kind != "image":
            out.append("  audio mark: no audio to check")
        if self.frames is not None:
            state = "found" if self.frames.detected else "not found"
            out.append(
                f"  frame mark: {state} (z = {self.frames.score:.1f} over {self.frames.frames} frames, "
                f"{self.frames.frames_detected} marked on their own; false-positive probability "
                f"{_probability(self.frames.p_value)})"
            )
        c = self.credentials
        if not c.found:
            out.append("  content credentials (C2PA): none")
        else:
            validity = "valid" if c.valid else "INVALID (" + "; ".join(c.problems) + ")"
            trust = "trusted signer" if c.trusted else "signer not in a known trust list"
            models = ", ".join(m.get("name", "?") for m in c.models) or "none listed"
            out.append(
                f"  content credentials (C2PA): {validity}, {trust} ({c.signer}); generator {c.generator}; "
                f"models: {models}"
            )
        if self.record is None:
            out.append("  provenance record: none next to the file")
        else:
            match = "matches this file" if self.record_matches else "is for another version of this file"
            out.append(f"  provenance record: found ({self.record.get('created')}), {match}")
        return out


def _kind(info: MediaInfo) -> str:
    """What the file holds, by its streams, not its name: a browser's recording is a .webm with sound alone."""
    return "audio" if not info.has_video else "image" if info.is_still else "video"


def detect(path: str | os.PathLike, max_frames: int = MAX_FRAMES) -> DetectionReport:
    """Look for everything voxlip puts in and next to its outputs: audio mark, frame mark, C2PA, record."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InputError(f"{path} is a directory: give an audio or video file")
    if not path.is_file():
        raise InputError(f"{path} does not exist: give an audio or video file")
    try:
        info = probe(path)
    except InputError:
        raise InputError(
            f"could not read {path}: it is no audio, video or image file ffmpeg can decode, or it is corrupt; "
            "give the file to check (a voxlip output, or any recording, video or picture)"
        ) from None
    kind = _kind(info)
    audio = frames = seconds = None
    if kind == "audio" or info.has_audio:
        wave = load_audio(path, AUDIO_MARK.sample_rate)
        audio, seconds = detect_audio_mark(wave, AUDIO_MARK.sample_rate), wave.size / AUDIO_MARK.sample_rate
    if kind != "audio":
        frames = detect_frame_mark(read_frames(path, max_frames=max_frames, pixel_format="rgb24"), FRAME_MARK)
    record = read_record(path)
    matches = None if record is None else record.get("output", {}).get("sha256") == sha256_file(path)
    return DetectionReport(path, kind, audio, seconds, frames, read_credentials(path), record, matches)
