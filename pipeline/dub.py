"""A video with its soundtrack replaced by re-voiced speech: every frame labelled and marked, timing kept."""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.errors import InputError
from core.ffmpeg import MediaInfo, Mp4Writer, damage_note, read_frames
from core.files import atomic_output
from voice.audio import save_audio

from . import outputs


def dub(
    video: MediaInfo,
    samples: np.ndarray,
    sample_rate: int,
    path: Path,
    protector: outputs.FrameProtector,
    progress: Callable[[int, int, float], None] | None = None,
    size: tuple[int, int] | None = None,
) -> tuple[int, float, tuple[str, ...]]:
    """Write `video`'s frames, labelled and marked by `protector` (a "bgr" one), with `samples` (already marked; made
    from its track) as its track; (frames, seconds) written and the clip's notes (a damaged video's, damage_note: its
    frames are kept as ffmpeg decodes them, as far as it does). `size` (width, height): the frames' size in the clip,
    when not their own.

    The frames are re-encoded at the video's own frame rate, and the track starts where the video's own did against
    its first frame, so the lips stay where the words are. `progress(frames written, frames, rate)` follows it.
    """
    samples = in_step(samples, sample_rate, video.video_start)
    with tempfile.TemporaryDirectory(prefix="voxlip-dub-") as folder:
        soundtrack = save_audio(Path(folder) / "speech.wav", samples, sample_rate)
        with atomic_output(path) as partial:
            damage: list[str] = []
            frames = read_frames(video.path, video.fps, size=size, on_damage=damage.append)
            first = next(frames, None)
            if first is None:
                raise InputError(f"{video.path} has no frames to keep: give a video, or write the speech as .wav")
            height, width = first.shape[:2]
            expected = max(1, round(video.duration * video.fps))  # the file's duration: its sound may run longer
            started = time.perf_counter()

            def report(done: int, total: int) -> None:
                if progress is not None:
                    progress(done, total, done / max(time.perf_counter() - started, 1e-9))

            with Mp4Writer(partial, width, height, video.fps, soundtrack, len(samples) / sample_rate) as writer:
                for frame in itertools.chain([first], frames):
                    writer.write(protector(frame))
                    report(writer.frames_written, max(expected, writer.frames_written))
            report(writer.frames_written, writer.frames_written)
            seconds = max(writer.frames_written / video.fps, len(samples) / sample_rate)
            return writer.frames_written, seconds, tuple(damage_note(error) for error in damage[:1])


def in_step(samples: np.ndarray, sample_rate: int, video_start: float) -> np.ndarray:
    """A track made from a video's sound as decode_audio reads it (from the file's start, silence before a sound that
    starts later), as it plays against the video's first frame: its first `video_start` seconds, before the first
    picture (MediaInfo.video_start), left out."""
    return samples[round(video_start * sample_rate) :]
