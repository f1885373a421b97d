"""moviepy interop: its clips as voxlip's inputs, voxlip's clips as moviepy clips (`pip install voxlip[moviepy]`).

moviepy is optional: nothing here imports it until a moviepy clip is given or asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import InputError, VoxlipError
from core.files import InputData
from voice.audio import SAMPLE_RATE, load_recording

from . import memory_inputs

if TYPE_CHECKING:  # moviepy is optional, imported only when a moviepy clip is given or asked for
    from moviepy import AudioClip, VideoClip, VideoFileClip

INSTALL_HINT = "moviepy is not installed: pip install 'voxlip[moviepy]' (or pip install moviepy)"


def is_video_clip(value: object) -> bool:
    """A moviepy VideoClip (duck-typed: frames by time, a size), not a path or an array."""
    return hasattr(value, "get_frame") and hasattr(value, "size") and not isinstance(value, (str, Path, np.ndarray))


def is_audio_clip(value: object) -> bool:
    """A moviepy AudioClip (duck-typed: samples by time, no picture)."""
    return hasattr(value, "to_soundarray") and not hasattr(value, "size")


def frame_at(clip: VideoClip, when: float) -> np.ndarray:
    """The clip's frame at `when` seconds; InputError when moviepy cannot read it (a VideoFileClip used after
    clip.close(), or after its `with` block, has no reader left)."""
    try:
        return clip.get_frame(when)
    except (AttributeError, OSError) as error:
        raise unreadable("clip", error) from error


def unreadable(kind: str, error: Exception) -> InputError:
    """What to say of a moviepy `kind` ("clip", "audio clip") that moviepy could not read: most often one closed."""
    return InputError(
        f"the moviepy {kind} could not be read (was it closed?): give it to voxlip before clip.close(), inside its "
        f"with block (moviepy: {type(error).__name__}: {error})"
    )


def audio_samples(clip: AudioClip) -> tuple[np.ndarray, int, float, InputData]:
    """A moviepy AudioClip as (float32 samples, rate, its whole length in seconds), kept as voice.audio.load_recording
    keeps a file's (one channel for a mono clip), and what the record says of it (the samples as voxlip took them)."""
    fps = int(getattr(clip, "fps", None) or SAMPLE_RATE)
    if not clip.duration:
        raise InputError("the moviepy audio clip has no duration: give it one (clip.with_duration(seconds))")
    count = int(clip.duration * fps)
    if count == 0:
        raise InputError("the moviepy audio clip holds no samples: give a clip of speech")
    # A quarter of a second at a time: moviepy 2.1 reads a file's clip ahead to a whole second, past the end of
    # one under a second long ("Accessing time t=1.00"), when asked for all of it at once.
    block = max(1, fps // 4)
    times = (np.arange(start, min(count, start + block)) / fps for start in range(0, count, block))
    try:
        samples = np.concatenate([np.asarray(clip.to_soundarray(tt=t), dtype=np.float32) for t in times])
    except (AttributeError, OSError) as error:  # an AudioFileClip closed has no reader left
        raise unreadable("audio clip", error) from error
    if getattr(clip, "nchannels", None) == 1 and samples.ndim == 2:
        samples = samples[:, 0]  # moviepy gives a mono clip's samples twice, as two columns
    given = memory_inputs.samples(samples, fps, f"moviepy {type(clip).__name__}")
    return (*load_recording(samples, source_sr=fps), given)


def video_clip(path: Path, keep_alive: object = None) -> VideoFileClip:
    """A moviepy VideoFileClip of an MP4, with its audio; `keep_alive` is kept with it (the file's owner)."""
    try:
        from moviepy import VideoFileClip
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    clip = VideoFileClip(str(path))
    clip.voxlip_source = keep_alive
    return clip


def detach(clip: VideoFileClip) -> None:
    """Close a moviepy clip of a voxlip Clip whose MP4 is being removed: reading it later raises what happened and what
    to do (moviepy itself would give its last frame again for every frame, with a warning, and write that). Its audio
    clip, which closing it drops, is the same stand-in: reading it says the same, before writing anything (moviepy
    writes a clip's sound to a temporary file first)."""
    clip.close()
    clip.reader = _RemovedMP4()
    clip.audio = _RemovedMP4()


class _RemovedMP4:
    """A moviepy reader, or audio clip, standing in for a removed MP4's: every read says why there is nothing to
    read."""

    def close(self) -> None:
        pass

    def __getattr__(self, name: str):
        raise VoxlipError(
            "this moviepy clip read a voxlip Clip that was closed, and its MP4 removed with it: use the moviepy "
            "clip before the Clip is closed (inside its `with` block), or save the Clip (clip.save(path)) and open "
            "the saved file with moviepy"
        )


def with_alpha(bgr: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """A BGR uint8 picture with its (H, W) opacity, uint8 0-255 or float 0-1, as the fourth channel of a BGRA one."""
    return np.dstack([bgr, bgr_frame(alpha)[..., 0]])


def bgr_frame(frame: np.ndarray) -> np.ndarray:
    """An RGB(A) or grey frame, as OpenCV's BGR uint8: uint8, float in 0-1 or 0-255 (moviepy's or an image's), or
    16-bit (a scanner's or a 16-bit PNG's, 0-65535, which clipped to 255 would come out white)."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        peak = frame.max()
        scale = 255.0 if frame.dtype.kind == "f" and peak <= 1.0 else 1 / 257 if peak > 255 else 1.0
        frame = np.clip(frame * scale, 0, 255).astype(np.uint8)
    if frame.ndim == 2:
        frame = np.stack([frame] * 3, axis=-1)
    return np.ascontiguousarray(frame[..., 2::-1])
