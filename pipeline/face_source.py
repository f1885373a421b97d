"""What a face may be given as: a video or photo file, a moviepy clip, or an image in memory (an RGB array or a
PIL image), made a file for the lip-sync stage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.errors import InputError
from lipsync.video import has_transparency, in_srgb

from . import moviepy_io

FaceSource = str | os.PathLike | np.ndarray
"""A path or an (H, W, 3) RGB image array; a PIL image or a moviepy VideoClip too (duck-typed)."""
TAKEN = "a video or photo file, an RGB image (an H x W x 3 array or a PIL image) or a moviepy VideoClip"


@contextmanager
def face_file(face: FaceSource) -> Iterator[Path]:
    """The face as a file: a path as given; a clip or an image written to a temporary one (removed after)."""
    if is_file(face):
        yield Path(face)
        return
    if not (moviepy_io.is_video_clip(face) or is_image(face)):
        raise InputError(f"the face must be {TAKEN}, not {type(face).__name__}")
    clip = moviepy_io.is_video_clip(face)
    with tempfile.TemporaryDirectory(prefix="voxlip-face-") as folder:
        path = moviepy_io.write_face(face, Path(folder)) if clip else write_image(face, Path(folder))
        with named_in_errors(path, "the moviepy clip" if clip else "the image"):
            yield path


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


def is_file(face: FaceSource) -> bool:
    """Whether the face was given as a file (a path), not as a picture or clip in memory."""
    return isinstance(face, (str, os.PathLike))


def is_image(value: object) -> bool:
    """An image array or a PIL image (duck-typed, so that PIL is imported only by those who use it)."""
    return isinstance(value, np.ndarray) or (hasattr(value, "convert") and hasattr(value, "getbands"))


def write_image(image, folder: Path) -> Path:
    """An RGB(A) or grey image, as an array (uint8 0-255, or float 0-1) or a PIL image (its colour profile applied),
    as an sRGB PNG photo in `folder`."""
    import cv2

    if isinstance(image, np.ndarray):
        pixels = image
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
