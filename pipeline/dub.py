"""A video with its soundtrack replaced by re-voiced speech: every frame labelled and marked, timing kept."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.errors import InputError
from core.ffmpeg import MediaInfo, Mp4Writer, read_frames
from core.files import atomic_output
from voice.audio import encode_audio

from . import outputs
from .provenance.label import LabelConfig


def dub(
    video: MediaInfo,
    samples,
    sample_rate: int,
    path: Path,
    label: LabelConfig,
) -> int:
    """Write `video`'s frames, labelled and marked, with `samples` (already marked) as its track; the frame count.

    The frames are re-encoded at the video's own frame rate, so the lips stay where the words are.
    """
    protector = outputs.FrameProtector(label, "bgr")
    with tempfile.TemporaryDirectory(prefix="voxlip-dub-") as folder:
        soundtrack = Path(folder) / "speech.wav"
        soundtrack.write_bytes(encode_audio(samples, sample_rate))
        with atomic_output(path) as partial:
            frames = read_frames(video.path, video.fps)
            first = next(frames, None)
            if first is None:
                raise InputError(f"{video.path} has no frames to keep: give a video, or write the speech as .wav")
            height, width = first.shape[:2]
            with Mp4Writer(partial, width, height, video.fps, soundtrack, len(samples) / sample_rate) as writer:
                writer.write(protector(first))
                for frame in frames:
                    writer.write(protector(frame))
            return writer.frames_written
