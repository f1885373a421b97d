"""Video in and out through imageio-ffmpeg's bundled ffmpeg, one frame at a time.

Reading resamples any input (variable-frame-rate phone clips included) to a constant frame rate and
applies rotation metadata; writing pipes raw frames into H.264 + AAC and only renames the file into
place once ffmpeg has finished, so a failed run never leaves a partial MP4 behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import InputError, VoxlipError

IMAGE_DEMUXERS = ("image2", "_pipe")
DEFAULT_FPS = 25.0
MAX_FPS = 120.0
FACE_FORMATS_HINT = "give a face video (mp4, mov, mkv, webm, avi) or a photo (jpg, png, webp)"


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about a file: its picture stream (display size after rotation) and audio."""

    path: Path
    has_video: bool
    has_audio: bool
    is_still: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    duration: float = 0.0
    rotation: int = 0
    codec: str = ""

    @property
    def frame_count_estimate(self) -> int:
        return int(round(self.duration * self.fps)) if self.fps > 0 else 0


def probe(path: str | os.PathLike) -> MediaInfo:
    """Read the header of a media file with `ffmpeg -i` (imageio-ffmpeg ships no ffprobe)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory: {FACE_FORMATS_HINT}")
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, timeout=60
    )
    return parse_header(path, result.stderr.decode(errors="replace"))


def parse_header(path: Path, text: str) -> MediaInfo:
    if "Invalid data found" in text or "Input #0" not in text:
        first = _first_error_line(text)
        raise InputError(f"could not read {path}: not a media file ffmpeg can decode, or it is corrupt ({first}); {FACE_FORMATS_HINT}")
    demuxer = re.search(r"Input #0, ([^ ]+?), from", text)
    demuxer_name = demuxer.group(1) if demuxer else ""
    video_lines = [line for line in text.splitlines() if re.search(r"Stream #\S+.*: Video: ", line) and "attached pic" not in line]
    has_audio = bool(re.search(r"Stream #\S+.*: Audio: ", text))
    if not video_lines:
        return MediaInfo(path=path, has_video=False, has_audio=has_audio, is_still=False)
    line = video_lines[0]
    codec = line.split("Video: ", 1)[1].split()[0].rstrip(",")
    size = re.search(r", (\d{1,5})x(\d{1,5})[ ,\[]", line)
    if size is None:
        raise InputError(f"could not read the picture size of {path}; {FACE_FORMATS_HINT}")
    width, height = int(size.group(1)), int(size.group(2))
    rotation = _rotation(text)
    if rotation in (90, 270):
        width, height = height, width
    fps_match = re.search(r", ([\d.]+)(k?) fps", line) or re.search(r", ([\d.]+)(k?) tbr", line)
    fps = float(fps_match.group(1)) * (1000 if fps_match and fps_match.group(2) else 1) if fps_match else 0.0
    duration = _duration(text)
    is_still = any(d in demuxer_name for d in IMAGE_DEMUXERS) or (codec in ("mjpeg", "png", "bmp", "webp", "tiff") and duration <= 0.05)
    return MediaInfo(
        path=path, has_video=True, has_audio=has_audio, is_still=is_still, width=width, height=height,
        fps=fps, duration=duration, rotation=rotation, codec=codec,
    )


def _first_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output from ffmpeg"


def _rotation(text: str) -> int:
    matrix = re.search(r"rotation of (-?[\d.]+) degrees", text)
    if matrix:
        return int(round(-float(matrix.group(1)))) % 360
    tag = re.search(r"rotate\s*:\s*(-?\d+)", text)
    return int(tag.group(1)) % 360 if tag else 0


def _duration(text: str) -> float:
    match = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    if not match:
        return 0.0
    hours, minutes, seconds = match.groups()
    return 3600 * int(hours) + 60 * int(minutes) + float(seconds)


def output_fps(info: MediaInfo, requested: float | None) -> float:
    """The constant frame rate the output gets: the user's, else the video's own, else 25."""
    if requested is not None:
        if not 1.0 <= requested <= MAX_FPS:
            raise InputError(f"--fps {requested} is out of range: give a frame rate between 1 and {MAX_FPS:g}")
        return float(requested)
    if info.is_still or not 1.0 <= info.fps <= MAX_FPS:
        return DEFAULT_FPS
    return round(info.fps, 3)


def read_still(path: Path) -> np.ndarray:
    """One BGR uint8 image; EXIF orientation applied."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        frames = list(iter_frames(path, DEFAULT_FPS, max_frames=1))
        if not frames:
            raise InputError(f"could not decode the picture in {path}: the file is corrupt; {FACE_FORMATS_HINT}")
        image = frames[0]
    return image


def iter_frames(
    path: str | os.PathLike, fps: float, *, max_frames: int | None = None, start: float = 0.0
) -> Iterator[np.ndarray]:
    """BGR uint8 frames (H, W, 3) at a constant `fps` from `start` seconds, decoded lazily.

    Each frame is read straight into its own array (no intermediate copies), so 720p and larger
    inputs decode at ffmpeg's speed. Rotation metadata is applied by ffmpeg.
    """
    info = probe(path)
    if not info.has_video:
        raise InputError(f"{info.path} has no video stream; {FACE_FORMATS_HINT}")
    width, height = info.width, info.height
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    if start > 0:
        command += ["-ss", f"{start:.3f}"]
    command += ["-i", str(info.path), "-map", "0:v:0", "-vf", f"fps={fps:g}", "-an", "-sn"]
    if max_frames is not None:
        command += ["-frames:v", str(max_frames)]
    command += ["-f", "rawvideo", "-pix_fmt", "bgr24", "-"]
    frame_bytes = width * height * 3
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, bufsize=0)
        count = 0
        try:
            while True:
                frame = np.empty((height, width, 3), dtype=np.uint8)
                if not _read_exactly(process.stdout, memoryview(frame).cast("B"), frame_bytes):
                    break
                count += 1
                yield frame
        finally:
            process.stdout.close()
            if process.poll() is None:
                process.kill()
            code = process.wait()
        if count == 0 and code != 0:
            log.seek(0)
            message = _first_error_line(log.read().decode(errors="replace"))
            raise InputError(f"could not decode the video in {info.path} ({message}): the file is corrupt or truncated")


def _read_exactly(stream, buffer: memoryview, size: int) -> bool:
    """Fill `buffer` from `stream`; False at the end of the stream (a partial last frame is dropped)."""
    filled = 0
    while filled < size:
        got = stream.readinto(buffer[filled:])
        if not got:
            return False
        filled += got
    return True


@dataclass(frozen=True)
class EncoderOptions:
    """H.264 (yuv420p) + AAC: plays everywhere; `preset` trades file size for speed."""

    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "160k"
    threads: int = 0
    """0 lets x264 choose; benchmarks pin it to the cores they are given."""


class Mp4Writer:
    """Streams BGR frames into an MP4 with the given audio, written under a temporary name.

    Use as a context manager: on success the file is renamed to `path`, on any error ffmpeg is
    stopped and the temporary file removed.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        width: int,
        height: int,
        fps: float,
        audio_path: str | os.PathLike,
        audio_seconds: float | None = None,
        options: EncoderOptions = EncoderOptions(),
    ):
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.width, self.height, self.fps = width, height, fps
        self.frames_written = 0
        self._finished = False
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".partial.mp4", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        self._log = tempfile.TemporaryFile()
        audio_input = ["-t", f"{audio_seconds:.6f}"] if audio_seconds else []
        even = "crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0"
        command = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-",
            *audio_input, "-i", str(audio_path),
            "-map", "0:v:0", "-map", "1:a:0", "-vf", even,
            "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf), "-pix_fmt", "yuv420p",
            "-threads", str(options.threads),
            "-c:a", "aac", "-b:a", options.audio_bitrate, "-movflags", "+faststart", "-f", "mp4", str(self._tmp),
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._log)

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame of shape {frame.shape} {frame.dtype}, expected ({self.height}, {self.width}, 3) uint8")
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).data)
        except BrokenPipeError:
            self._process.wait()
            raise VoxlipError(f"ffmpeg stopped while encoding {self.path}: {self._stderr()}") from None
        self.frames_written += 1

    def close(self) -> Path:
        """Finish encoding and move the file into place (once; later calls do nothing)."""
        if self._finished:
            return self.path
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        code = self._process.wait()
        if code != 0 or self.frames_written == 0:
            raise VoxlipError(f"ffmpeg could not write {self.path} (exit code {code}): {self._stderr()}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._tmp, 0o666 & ~umask)
        os.replace(self._tmp, self.path)
        self._log.close()
        self._finished = True
        return self.path

    def abort(self) -> None:
        if self._finished:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._tmp.unlink(missing_ok=True)
        self._log.close()

    def _stderr(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode(errors="replace").strip()
        return text[-600:] or "no message"

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.close()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()
