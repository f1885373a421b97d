"""What a face may be given as: a video or photo file, a moviepy clip, or an image in memory (an RGB array or a
PIL image), made a file for the lip-sync stage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

import numpy as np

from core.errors import InputError
from core.files import ArrayDigest, InputData
from lipsync.video import DEFAULT_FPS, TRANSPARENT_NOTE, has_transparency, in_srgb, over_white, resized, scaled_size

from . import memory_inputs, moviepy_io

if TYPE_CHECKING:  # for type checkers: PIL and moviepy are imported only by those who give their images and clips
    from moviepy import VideoClip
    from PIL.Image import Image

FaceSource: TypeAlias = "str | os.PathLike[str] | np.ndarray | Image | VideoClip"
"""A path, an (H, W, 3) RGB image array, a PIL image or a moviepy VideoClip (the last two duck-typed at run time)."""
TAKEN = "a video or photo file, an RGB image (an H x W x 3 array or a PIL image) or a moviepy VideoClip"
OPAQUE = 254.5 / 255
"""A mask's opacity from which a pixel is opaque: 255 in 8 bits, as a photo's alpha."""


@dataclass(frozen=True)
class FaceFile:
    """The face as a file for the lip-sync stage, and what a clip made from it says of the face as given."""

    path: Path
    recorded: bool = False
    """The user's own file, named among a clip's inputs; not one made of a clip or picture in memory (gone after the
    call)."""
    scaled_from: tuple[int, int] | None = None
    """(width, height) of a moviepy clip whose frames were written at the size the lip-sync makes them; else None."""
    notes: tuple[str, ...] = ()
    """What a clip made from it says of how the file was made: TRANSPARENT_NOTE when a mask's transparent parts were
    made white, as a photo's are."""
    given: InputData | None = None
    """What the face was when given in memory (a picture, a moviepy clip), for the provenance record; None for a
    file."""


@contextmanager
def face_file(face: FaceSource, max_size: int, seconds: float | None = None) -> Iterator[FaceFile]:
    """The face as a file: a path as given; a clip or an image written to a temporary one (removed after). A clip's
    frames are written as the lip-sync uses them (write_moving_clip): at most `max_size` pixels, and only the first
    `seconds` (the speech's length) when it is known."""
    if is_file(face):
        yield FaceFile(Path(face), recorded=True)
        return
    if not (moviepy_io.is_video_clip(face) or is_image(face)):
        raise InputError(f"the face must be {TAKEN}, not {type(face).__name__}")
    clip = moviepy_io.is_video_clip(face)
    with tempfile.TemporaryDirectory(prefix="voxlip-face-") as folder:
        if clip:
            made = write_clip(face, Path(folder), max_size, seconds)
        else:
            written, given = write_image(face, Path(folder)), memory_inputs.image(face)
            made = FaceFile(written, notes=animation_notes(face), given=given)
        with named_in_errors(made.path, "the moviepy clip" if clip else "the image"):
            yield made


@contextmanager
def named_in_errors(path: Path, name: str) -> Iterator[None]:
    """InputErrors raised meanwhile name `path`, a temporary file made of what the user gave, as `name` (what they
    gave): the file is gone when they read the message."""
    try:
        yield
    except InputError as error:
        if str(path) not in str(error):
            raise
        raise InputError(str(error).replace(str(path), name)) from error


def write_clip(clip: VideoClip, folder: Path, max_size: int, seconds: float | None = None) -> FaceFile:
    """A moviepy VideoClip as a face file in `folder`: a still (no duration) as a photo, else as a video."""
    duration = getattr(clip, "duration", None)
    if duration is None or duration <= 0:
        return write_still(clip, folder)
    return write_moving_clip(clip, folder, max_size, seconds)


def write_still(clip: VideoClip, folder: Path) -> FaceFile:
    """A moviepy clip's first picture as a PNG photo in `folder`, its mask kept as its alpha (which the lip-sync lays
    over white, saying so)."""
    import cv2

    path = folder / "face.png"
    first = moviepy_io.frame_at(clip, 0)
    frame = moviepy_io.bgr_frame(first)
    mask = getattr(clip, "mask", None)
    if mask is not None:
        frame = moviepy_io.with_alpha(frame, moviepy_io.frame_at(mask, 0))
    if not cv2.imwrite(str(path), frame):
        raise InputError("could not write the moviepy clip's picture as a face photo")
    return FaceFile(path, given=memory_inputs.moviepy_clip(clip, 1, None, ArrayDigest().update(first).hexdigest()))


def write_moving_clip(clip: VideoClip, folder: Path, max_size: int, seconds: float | None = None) -> FaceFile:
    """A moviepy clip as an MP4 (no audio; a mask's transparent parts made white, as its notes say) in `folder`, of the
    frames the lip-sync uses: at its size (scaled_size, at most `max_size` pixels: a 4K clip is not encoded at 4K to be
    scaled after) and, when `seconds` is given, only as many as frames_needed."""
    from core.ffmpeg import Mp4Writer

    width, height = (int(v) for v in clip.size)
    if width < 2 or height < 2:
        raise InputError(f"the moviepy clip is {width}x{height}: give a face video at least 2x2 pixels")
    size = scaled_size(width, height, max_size)
    out_width, out_height = size or (width, height)
    out_width, out_height = out_width - out_width % 2, out_height - out_height % 2
    duration, fps = clip.duration, float(getattr(clip, "fps", None) or DEFAULT_FPS)  # an ImageClip given a duration
    mask = getattr(clip, "mask", None)
    path = folder / "face.mp4"
    transparent, digest, count = False, ArrayDigest(), frames_needed(duration, fps, seconds)
    with Mp4Writer(path, out_width, out_height, fps) as writer:
        for i in range(count):
            when = min(i / fps, max(duration - 1e-6, 0.0))
            read = moviepy_io.frame_at(clip, when)
            digest.update(read)
            frame = resized(moviepy_io.bgr_frame(read), size)
            opacity = None if mask is None else np.asarray(moviepy_io.frame_at(mask, when), dtype=np.float32)
            if opacity is not None and opacity.min() < OPAQUE:
                frame, transparent = over_white(frame, np.clip(resized(opacity, size), 0.0, 1.0)), True
            writer.write(np.ascontiguousarray(frame[:out_height, :out_width]))
        writer.close()
    notes = (TRANSPARENT_NOTE,) if transparent else ()
    given = memory_inputs.moviepy_clip(clip, count, fps, digest.hexdigest())
    return FaceFile(path, scaled_from=None if size is None else (width, height), notes=notes, given=given)


def frames_needed(duration: float, fps: float, seconds: float | None) -> int:
    """How many of a clip's frames its face file needs: all of them, or, for speech `seconds` long, those it shows
    and a second more (the lip-sync cuts a longer video to the speech; one less than a second longer it takes for one
    it may have to replay, copying its frames to disk). A shorter clip is needed whole (it is played back and forth)."""
    count = max(1, int(round(duration * fps)))
    if seconds is None:
        return count
    return min(count, int(round((seconds + 1.0) * fps)) + 1)


def is_file(face: object) -> TypeGuard[str | os.PathLike[str]]:
    """Whether the face was given as a file (a path), not as a picture or clip in memory."""
    return isinstance(face, (str, os.PathLike))


def is_image(value: object) -> bool:
    """An image array or a PIL image (duck-typed, so that PIL is imported only by those who use it)."""
    return isinstance(value, np.ndarray) or (hasattr(value, "convert") and hasattr(value, "getbands"))


ANIMATED_FORMATS = frozenset({"GIF", "PNG", "WEBP"})
"""Pillow's formats of the animated pictures a file's path gives as a video (a GIF, an animated PNG or WebP); not an
MPO, a phone's JPEG whose second picture is a preview or a depth map."""


def animation_notes(image: object) -> tuple[str, ...]:
    """What a clip made of a PIL image of an animation says of it: the one frame the image holds (Pillow opens it at
    its first) was made to speak as a photo, where the file by its path speaks as the video it is."""
    frames = getattr(image, "n_frames", 1)
    if getattr(image, "format", None) not in ANIMATED_FORMATS or frames < 2:
        return ()
    return (
        f"the PIL image is an animation of {frames} frames: its frame {image.tell() + 1} was made to speak as a photo; "
        "for its animation to speak, give the file's path, which is read as a video",
    )


def write_image(image: np.ndarray | Image, folder: Path) -> Path:
    """An RGB(A) or grey image, as an array (uint8 0-255, or float 0-1) or a PIL image (its colour profile and EXIF
    orientation applied, as a photo file's are), as an sRGB PNG photo in `folder`."""
    import cv2

    if not isinstance(image, np.ndarray):
        image = as_shown(image)
    if isinstance(image, np.ndarray):
        pixels = image
    elif image.mode.startswith("I"):  # 16-bit grey (a 16-bit PNG): its levels, which convert("RGB") clips at 255
        pixels = np.asarray(image)
    else:
        pixels = np.asarray(image.convert("RGBA" if has_transparency(image) else "RGB"))
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (3, 4)):
        raise InputError(
            f"a face image array is one picture, H x W x 3 (RGB), H x W x 4 (RGBA) or H x W (grey), not of shape "
            f"{pixels.shape} (a video goes as a file or a moviepy clip)"
        )
    if pixels.dtype.kind not in "uif" or min(pixels.shape[:2]) < 2:
        raise InputError(f"the face image is {pixels.dtype} of shape {pixels.shape}: give an RGB picture of a face")
    path = folder / "face.png"
    icc = None if isinstance(image, np.ndarray) else getattr(image, "info", {}).get("icc_profile")
    picture = in_srgb(moviepy_io.bgr_frame(pixels), icc)
    if pixels.ndim == 3 and pixels.shape[2] == 4:  # kept: read_still lays it over white and the result says so
        picture = moviepy_io.with_alpha(picture, pixels[..., 3])
    if not cv2.imwrite(str(path), picture):
        raise InputError("could not write the face image as a photo")
    return path


EXIF_ORIENTATION = 0x0112


def as_shown(image: Image) -> Image:
    """A PIL image turned as its EXIF orientation says (`Image.open` keeps a phone photo's pixels as the camera stored
    them, often on their side), as a photo file is read and a viewer shows it; as it is without one."""
    if not hasattr(image, "getexif") or image.getexif().get(EXIF_ORIENTATION, 1) == 1:
        return image
    from PIL import ImageOps

    return ImageOps.exif_transpose(image)
