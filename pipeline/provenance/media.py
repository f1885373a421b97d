"""Reading and writing video frames with the ffmpeg bundled in imageio-ffmpeg (no system ffmpeg needed)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Iterable, Iterator

import imageio_ffmpeg
import numpy as np

from pipeline.errors import InputError

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp"})


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(arguments: list[str], what: str, stdin: bytes | None = None) -> bytes:
    """Run the bundled ffmpeg; on failure raise InputError with `what` and ffmpeg's own message."""
    result = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", *arguments], input=stdin, capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip() or f"exit code {result.returncode}"
        raise InputError(f"could not {what}: ffmpeg says: {message}")
    return result.stdout


def video_info(path: str | os.PathLike) -> tuple[int, int, float, bool]:
    """(width, height, fps, has_audio) of a video, from ffmpeg's description of its streams."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"video file {path} does not exist")
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True)
    text = result.stderr.decode(errors="replace")
    video = re.search(r"Stream #.*Video:.*?(\d{2,5})x(\d{2,5})", text)
    if video is None:
        raise InputError(f"{path} has no video stream ffmpeg can read: give an mp4, mov, mkv or webm video")
    fps = re.search(r"([\d.]+) (?:fps|tbr)", text)
    return int(video.group(1)), int(video.group(2)), float(fps.group(1)) if fps else 25.0, "Audio:" in text


def read_frames(path: str | os.PathLike, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """(height, width, 3) uint8 RGB frames of a video or an image, decoded one at a time."""
    width, height, _, _ = video_info(path)
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path)]
    if max_frames is not None:
        command += ["-frames:v", str(max_frames)]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    size = width * height * 3
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            while chunk := process.stdout.read(size):
                if len(chunk) < size:
                    break
                yield np.frombuffer(chunk, dtype=np.uint8).reshape(height, width, 3)
        finally:
            process.stdout.close()
            process.kill()


def write_video(
    path: str | os.PathLike,
    frames: Iterable[np.ndarray],
    fps: float,
    audio: str | os.PathLike | None = None,
    crf: int = 18,
) -> Path:
    """Encode RGB frames as H.264 (yuv420p, +faststart) with an optional audio file as AAC."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise InputError("no frames to write")
    height, width = first.shape[:2]
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{width}x{height}", "-r", f"{fps}", "-i", "-"]
    if audio is not None:
        command += ["-i", str(audio), "-c:a", "aac", "-b:a", "160k", "-shortest"]
    command += ["-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p",
                "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-movflags", "+faststart", str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for frame in _chain(first, frames):
            process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        process.stdin.close()
    except BrokenPipeError:
        pass
    stderr = process.stderr.read().decode(errors="replace")
    if process.wait() != 0:
        raise InputError(f"could not write {path}: ffmpeg says: {stderr.strip()}")
    return path


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest
