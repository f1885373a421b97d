"""The face input as frames: a photo repeated, or a video played for as long as the audio lasts.

A video shorter than the output is played forward then backward ("pingpong", from a raw copy on
disk) or from the start again ("loop", decoding anew); a longer one is cut. Decoding goes through
`core.ffmpeg`, which resamples any input to a constant frame rate and applies rotation metadata.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core import heif
from core.amounts import with_article
from core.bars import PictureFraction
from core.errors import InputError
from core.ffmpeg import MediaInfo, damage_note, probe, read_frames, read_picture, spread_frames

from .face import upright_turns

if TYPE_CHECKING:
    from PIL import Image

    from .background import StageTimer

DEFAULT_FPS = 25.0
MAX_FPS = 120.0
LOOP_MODES = ("pingpong", "loop")
MIN_SIZE = 128
"""Frames are made at least this many pixels on their short side: on smaller ones the AI-generated label covers
the picture and the invisible mark does not survive H.264 (a photo 64 pixels wide lost it, 72 kept it)."""


def probe_face(face: str | os.PathLike) -> MediaInfo:
    """The face input's header; InputError when it has no picture."""
    info = probe(face)
    if not info.has_video:
        kind = "an audio file" if info.has_audio else "a file without pictures"
        raise InputError(
            f"{info.path} has no picture ({kind}): give a face video or photo as the face, and the speech as the audio"
        )
    return info


@dataclass(frozen=True)
class Photo:
    """A photo as a clip's frame: BGR uint8 in sRGB's colours, EXIF orientation applied, transparent parts over white,
    at the clip's size (scaled_size)."""

    image: np.ndarray
    notes: tuple[str, ...] = ()
    """What a result made from it says about it: TRANSPARENT_NOTE when its transparent parts were laid over white, as
    a viewer shows them on a page (the colours a file keeps under them are not meant to be seen: often black, or
    noise)."""
    scaled_from: tuple[int, int] | None = None
    """(width, height) of the picture as the file holds it, when it was scaled; None when not."""
    turns: int = 0
    """Quarter turns (np.rot90's k) that made `image` upright (its face lay on its side, or upside down): the clip's
    frames are turned back."""


@dataclass(frozen=True)
class FaceInput:
    """A face video or photo as probed (probe_face) and, a photo, as read (read_photo) for frames of at most
    `max_size` pixels: every stage that looks at it (the check for a face, the frames) takes this, not the file again
    (a phone's 12 MP photo took 0.4-0.8 s to read)."""

    info: MediaInfo
    max_size: int
    photo: Photo | None = None
    """None for a video."""
    video_turns: int = 0
    """Quarter turns (np.rot90's k) that make the face in a video upright (one without a rotation tag, filmed with
    the phone on its side), as check_face finds them."""
    face_boxes: tuple[tuple[float, float, float, float], ...] = ()
    """Every face check_face found in its samples: (left, top, right, bottom) as fractions of the frame's width and
    height, as the clip shows it (the AI-generated label keeps clear of them)."""
    picture: PictureFraction | None = None
    """Where check_face's samples show their picture inside bars (core.bars.picture_in), as the clip shows it: voxlip's
    label and mark go on it, not on the bars; None where they have none."""

    @property
    def turns(self) -> int:
        """Quarter turns that make the face upright (the frames are turned so, and the clip's turned back)."""
        return self.photo.turns if self.photo is not None else self.video_turns


def face_path(face: object) -> str | os.PathLike:
    """The file of a face input (a path, or a FaceInput open_face made); InputError for anything else."""
    if isinstance(face, FaceInput):
        return face.info.path
    if not isinstance(face, (str, os.PathLike)):
        given = "an array" if isinstance(face, np.ndarray) else with_article(type(face).__name__)
        raise InputError(
            f"the face must be a video or photo file, given by its path, not {given}: "
            "for a photo in memory (an RGB array or a PIL image) use pipeline.Pipeline().lipsync, which takes them"
        )
    return face


def open_face(face: str | os.PathLike | FaceInput, max_size: int) -> FaceInput:
    """The face input probed and, a photo, read for frames of at most `max_size` pixels; one already opened so, as
    it is."""
    if isinstance(face, FaceInput) and face.max_size == max_size:
        return face
    info = probe_face(face_path(face))
    return FaceInput(info, max_size, turned_upright(read_photo(info.path, max_size, info)) if info.is_still else None)


SIDEWAYS_NOTE = "the face in the photo lies on its side or upside down: it was made to speak upright, then turned back"


def sideways_video_note(rotation: int) -> str:
    """What a clip says of a video whose face lay on its side or upside down once its `rotation` tag was applied."""
    tag = f", even turned by its rotation tag of {rotation} degrees" if rotation else " (the video has no rotation tag)"
    return f"the face in the video lies on its side or upside down{tag}: it was made to speak upright, then turned back"


def upright(frame: np.ndarray, turns: int) -> np.ndarray:
    """`frame` turned by `turns` quarter turns (np.rot90's k); itself when there are none."""
    return np.ascontiguousarray(np.rot90(frame, turns)) if turns else frame


def turned_box(box: tuple[float, ...], turns: int) -> tuple[float, float, float, float]:
    """`box` (left, top, right, bottom as fractions of a frame) where it lies in the frame turned by `turns` quarter
    turns (upright's)."""
    left, top, right, bottom = box[:4]
    for _ in range(turns % 4):  # a quarter turn counterclockwise takes (x, y) to (y, 1 - x)
        left, top, right, bottom = top, 1 - right, bottom, 1 - left
    return left, top, right, bottom


def turned_upright(photo: Photo) -> Photo:
    """The photo with its face upright (upright_turns), saying so; as it is when it is."""
    turns = upright_turns(photo.image)
    if not turns:
        return photo
    return replace(photo, image=upright(photo.image, turns), notes=(*photo.notes, SIDEWAYS_NOTE), turns=turns)


ANIMATION_CODECS = frozenset({"gif", "apng", "webp_anim"})
"""ffmpeg's codecs of pictures that move (a GIF, an animated PNG or WebP): their frame rate is only the delay between
pictures (a GIF's 10 fps, or 100 when it gives no delay: four times the frames to draw); their clips get DEFAULT_FPS."""


def output_fps(info: MediaInfo, requested: float | None) -> float:
    """The constant frame rate the output gets: the user's, else the video's own, else (a photo, an animation) 25."""
    if requested is not None:
        if not 1.0 <= requested <= MAX_FPS:
            raise InputError(f"fps={requested} (--fps) is out of range: give a frame rate between 1 and {MAX_FPS:g}")
        return float(requested)
    if info.is_still or info.codec in ANIMATION_CODECS or not 1.0 <= info.fps <= MAX_FPS:
        return DEFAULT_FPS
    return info.fps


def scaled_size(width: int, height: int, max_size: int, min_size: int = MIN_SIZE) -> tuple[int, int] | None:
    """(width, height) with the long side at most `max_size` and the short side at least `min_size` (the long
    side's limit first), aspect kept; None when it fits already."""
    scale = min(max_size / max(width, height), max(1.0, min_size / min(width, height)))
    if scale == 1.0:
        return None
    return max(2, round(width * scale)), max(2, round(height * scale))


def resized(picture: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """`picture` at `size` (width, height; from scaled_size), area-averaged down and cubic up; as it is for None."""
    import cv2

    if size is None:
        return picture
    smaller = size[0] < picture.shape[1]
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA if smaller else cv2.INTER_CUBIC)


TRANSPARENT_NOTE = "the face's transparent parts are white in the clip: an MP4 has no transparency"
ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
"""Pillow's modes of pictures with an alpha channel (a palette picture may have a transparent colour instead)."""


def read_still(path: Path) -> np.ndarray:
    """A picture file as it is shown: read_photo's image at the picture's own size."""
    return read_photo(path).image


def read_photo(path: Path, max_size: int | None = None, info: MediaInfo | None = None) -> Photo:
    """A picture file as a clip's frame (Photo), scaled (scaled_size) when `max_size` is given. The colours are
    converted after the scaling: on a phone's 12 MP Display P3 photo, that conversion had taken 0.33 s. `info`: the
    file's header, if it was probed already (a picture OpenCV cannot read, e.g. HEIC, is read through ffmpeg)."""
    import cv2

    orientation, kind = exif_orientation(path)
    if kind in ("JPEG", "MPO"):
        require_whole_jpeg(path)  # cut short, OpenCV decodes nothing of it from memory, and ffmpeg its rest grey
    image = None
    if kind != "TIFF" or orientation == 1:  # OpenCV turns a TIFF itself, whatever it is asked, or fails (5-8)
        image = decoded_picture(path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    elif (image := jpeg_tiff_as_shown(path)) is not None:
        orientation = 1  # turned as Pillow decoded it
    if image is None:
        image = read_picture(info or probe(path), upright=orientation is None)
    image = oriented(image, orientation or 1)
    alpha = opacity(path)
    if alpha is not None and not alpha.any():  # laid over white, it would be a blank page: "no face found" misled
        raise InputError(f"{path} is entirely transparent: there is nothing to see in it; give a photo of a face")
    notes: tuple[str, ...] = ()
    if alpha is not None and alpha.shape == image.shape[:2]:
        image, notes = over_white(image, alpha), (TRANSPARENT_NOTE,)
    height, width = image.shape[:2]
    size = None if max_size is None else scaled_size(width, height, max_size)
    image = resized(image, size)
    return Photo(in_srgb(image, icc_profile(path)), notes, None if size is None else (width, height))


def decoded_picture(path: Path, flags: int) -> np.ndarray | None:
    """OpenCV's decoding of the picture file at `path` (None where it cannot decode it, or the file cannot be read):
    the bytes are read by Python and handed to cv2.imdecode, since OpenCV, given the name, crashes the process on one
    that is not UTF-8 (a lone surrogate in Python's str)."""
    import cv2

    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    return cv2.imdecode(data, flags) if data.size else None


def exif_orientation(path: Path) -> tuple[int | None, str]:
    """The orientation tag (1-8) a viewer turns a picture file by, as Pillow reads it (a JPEG's, PNG's or WebP's EXIF,
    a TIFF's own tag, an AVIF's irot and imir), and Pillow's name of its format; (None, "") when Pillow cannot open the
    file (a HEIC photo, which ffmpeg turns as its irot and imir say). The one rule for every still: OpenCV turns JPEG,
    PNG and WebP by their tag, not AVIF (a phone's portrait came out on its side), and failed on a TIFF turned a
    quarter."""
    from PIL import ExifTags

    try:
        with opened_whatever_its_size(path) as picture:
            orientation, kind = picture.getexif().get(ExifTags.Base.Orientation, 1), picture.format or ""
    except (OSError, ValueError, SyntaxError):
        return None, ""
    return orientation if orientation in range(1, 9) else 1, kind


@contextmanager
def opened_whatever_its_size(path: Path) -> Iterator[Image.Image]:
    """Pillow's picture of `path`, opened for its header (format, size, tags), however many pixels it holds: Image.open
    refuses one of over 2 * Image.MAX_IMAGE_PIXELS (179 MP, a phone's 200 MP photo) before it decodes anything, and it
    has no option to lift that for one call, so the limit is lifted while such a picture's header is read and put back
    at once (what decodes the picture, OpenCV or ffmpeg, has its own limit)."""
    from PIL import Image

    try:
        picture = Image.open(path)
    except Image.DecompressionBombError:
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            picture = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = limit
    with picture:
        yield picture


def jpeg_tiff_as_shown(path: Path) -> np.ndarray | None:
    """The BGR picture of a JPEG-compressed TIFF as a viewer shows it, decoded by Pillow, which turns a TIFF by its
    orientation tag as it loads it (any it leaves is applied here): ffmpeg's TIFF decoder gives it all black. None for
    any other TIFF, which ffmpeg decodes exactly (16-bit, grey or CMYK turned a quarter, where Pillow's are wrong), and
    for one whose pixels Pillow refuses to decode (over its pixel limit)."""
    from PIL import ExifTags, Image

    with opened_whatever_its_size(path) as picture:
        if picture.info.get("compression") != "jpeg":
            return None
        try:
            rgb = np.asarray(picture.convert("RGB"))
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        left = picture.getexif().get(ExifTags.Base.Orientation, 1)
    return oriented(np.ascontiguousarray(rgb[..., ::-1]), left if left in range(1, 9) else 1)


def oriented(image: np.ndarray, orientation: int) -> np.ndarray:
    """The (H, W, 3) `image`, stored with EXIF `orientation` (1-8), as a viewer shows it (Pillow's exif_transpose). By
    OpenCV: a 48 MP photo turned a quarter in 0.1 s, where numpy's transposed copy took 1.5 s."""
    import cv2

    show = {
        2: lambda: cv2.flip(image, 1),
        3: lambda: cv2.rotate(image, cv2.ROTATE_180),
        4: lambda: cv2.flip(image, 0),
        5: lambda: cv2.transpose(image),
        6: lambda: cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE),
        7: lambda: cv2.flip(cv2.transpose(image), -1),
        8: lambda: cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE),
    }.get(orientation)
    return image if show is None else show()


def require_whole_jpeg(path: Path) -> None:
    """InputError when `path` is a JPEG whose picture data ends early (a download or copy cut short), which OpenCV reads
    without a word, its missing part grey. Pillow decodes it at an eighth of its size to find out (30 ms for 12 MP)."""
    from PIL import Image

    try:
        with Image.open(path) as picture:
            if picture.format not in ("JPEG", "MPO"):
                return
            picture.draft("RGB", (picture.width // 8, picture.height // 8))
            picture.load()
    except Image.DecompressionBombError:
        return
    except (OSError, SyntaxError) as error:
        raise InputError(
            f"{path} is truncated or damaged ({error}): part of its picture would come out grey; copy or save the "
            "photo again"
        ) from None


def opacity(path: Path) -> np.ndarray | None:
    """(H, W) float32 opacity, 0-1, of a picture with transparent parts, oriented as shown (EXIF); None when it has
    none (no alpha channel or transparent colour, or one that leaves every pixel opaque)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as picture:
            if not has_transparency(picture):
                return None
            alpha = np.asarray(ImageOps.exif_transpose(picture).convert("RGBA").getchannel("A"))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return None if alpha.min() == 255 else alpha.astype(np.float32) / 255.0


def has_transparency(picture: Image.Image) -> bool:
    """Whether a Pillow picture has an alpha channel or a transparent colour."""
    return picture.mode in ALPHA_MODES or "transparency" in picture.info


def over_white(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The uint8 `image` laid over white by its (H, W) opacity `alpha` (0-1)."""
    opaque = alpha[..., None]
    return (image * opaque + 255.0 * (1.0 - opaque) + 0.5).astype(np.uint8)


def icc_profile(path: Path) -> bytes | None:
    """The ICC colour profile embedded in a picture file, if Pillow finds one (in a HEIC photo, which Pillow does not
    open, if its header holds one)."""
    from PIL import Image

    try:
        with Image.open(path) as picture:
            return picture.info.get("icc_profile") or None
    except Image.DecompressionBombError:
        return None
    except OSError:
        return heif.icc_profile(path)


def in_srgb(image: np.ndarray, icc: bytes | None) -> np.ndarray:
    """The BGR `image` with the colours its ICC profile `icc` means, in sRGB (the video's colours): a phone's Display
    P3 photo would otherwise come out duller than it shows. Without a profile, with an sRGB one or with one
    littlecms cannot read, the image as it is."""
    import cv2
    from PIL import Image, ImageCms

    if not icc:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return image
        to_srgb = ImageCms.buildTransform(profile, ImageCms.createProfile("sRGB"), "RGB", "RGB")
    except (OSError, ImageCms.PyCMSError):
        return image
    rgb = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    ImageCms.applyTransform(rgb, to_srgb, inPlace=True)
    return cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)


def decoded_format(info: MediaInfo) -> str:
    """The pixel format a face video's frames are decoded in: BGRA when it may be transparent (MediaInfo.alpha), for
    `opaque` to lay over white, else BGR."""
    return "bgra" if info.alpha else "bgr24"


def opaque(frame: np.ndarray) -> np.ndarray:
    """A decoded BGR frame as it is; a BGRA one (decoded_format) as shown, laid over white (over_white) where it is
    transparent, as a photo's transparent parts are."""
    if frame.shape[2] == 3:
        return frame
    alpha = frame[..., 3]
    if alpha.min() == 255:
        return np.ascontiguousarray(frame[..., :3])
    return over_white(frame[..., :3], alpha.astype(np.float32) / 255.0)


def sample_frames(face: FaceInput, count: int) -> list[np.ndarray]:
    """A photo, or `count` frames spread over a video's length (to check for a face before any work)."""
    if face.photo is not None:
        return [face.photo.image]
    info = face.info
    frames = [opaque(frame) for frame in spread_frames(info, count, decoded_format(info))]
    if not frames:
        raise InputError(f"{info.path} holds no decodable video frame: the file is corrupt or empty")
    return frames


class FrameSource:
    """(source frame index, BGR frame) for each of `n_frames` output frames at `fps`; `loop` one of LOOP_MODES.

    A replayed source frame keeps its index, so the caller can reuse what it found in it. Frames
    larger than the face input's `max_size` pixels on their long side are scaled down, frames under MIN_SIZE on their
    short side scaled up (`scaled_from`: the input's (width, height) then, else None).
    """

    def __init__(
        self,
        face: FaceInput,
        fps: float,
        n_frames: int,
        loop: str = "pingpong",
        replay_cache_bytes: int = 2 * 1024**3,
    ):
        info, photo = face.info, face.photo
        self.info, self.fps, self.n_frames, self.loop = info, fps, n_frames, loop
        self.replay_cache_bytes = replay_cache_bytes
        self._still = photo.image if photo is not None else None
        self._notes = photo.notes if photo is not None else (sideways_video_note(info.rotation),) if face.turns else ()
        self._turns = face.turns
        self._damage: list[str] = []
        """ffmpeg's first error of each read of a damaged video."""
        self._transparent = False
        """Whether a video frame read had transparent parts (laid over white)."""
        self._size = None if photo is not None else scaled_size(info.width, info.height, face.max_size)
        """The size a video's frames are decoded at, when not their own (a photo is read at its frames' size)."""
        if photo is not None:
            self.scaled_from = photo.scaled_from
            self.height, self.width = self._still.shape[:2]
        else:
            self.scaled_from = (info.width, info.height) if self._size is not None else None
            first = next(self._read(max_frames=1), None)
            if first is None:
                raise InputError(f"{info.path} holds no decodable video frame: the file is corrupt or empty")
            self.height, self.width = first.shape[:2]
        self.frame_bytes = self.height * self.width * 3
        self.may_replay = info.is_still or info.frames_at(fps) < n_frames + fps
        """Whether source frames may be shown more than once (a still, or a video shorter than the audio)."""
        self._cache: tempfile._TemporaryFileWrapper | None = None
        self._cover_note: str | None = None
        """How the video was made as long as the speech, once it was (cover_note)."""
        self.animated_as_photo = False
        """Set when the renderer animated the video's face as a photo's: then how its frames covered the speech is
        not said, as it does not show."""

    @property
    def notes(self) -> tuple[str, ...]:
        """What the result says about the input's picture: a photo's (Photo.notes); of a video, that it was damaged, and
        how it was made as long as the speech (cover_note) once its frames were read, unless it was animated as a
        photo."""
        covered = self._cover_note is not None and not self.animated_as_photo
        notes = (*self._notes, TRANSPARENT_NOTE) if self._transparent else self._notes
        notes = (*notes, self._cover_note) if covered else notes
        if not self._damage:
            return notes
        return (*notes, damage_note(self._damage[0]))

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc) -> None:
        if self._cache is not None:
            self._cache.close()

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        if self._still is not None:
            for _ in range(self.n_frames):
                yield 0, self._still
            return
        produced = decoded = 0
        expected = self.info.frames_at(self.fps)  # read at the output's rate, not the file's
        if self.loop == "pingpong" and self.may_replay and expected * self.frame_bytes <= self.replay_cache_bytes:
            self._cache = tempfile.TemporaryFile(prefix="voxlip-frames-")
        for frame in self._read(on_damage=self._damage.append):
            if produced == self.n_frames:  # a longer video ends with the speech, as a user expects: no note
                return
            if self._cache is not None:
                self._cache.write(frame.data)
            yield decoded, frame
            decoded += 1
            produced += 1
        if produced == self.n_frames:
            return
        if decoded == 0:
            raise InputError(f"{self.info.path} holds no decodable video frame: the file is corrupt or empty")
        if decoded < 0.5 * expected and expected - decoded > 2 * self.fps:
            raise InputError(
                f"{self.info.path} ends after {decoded / self.fps:.1f} s of the {self.info.duration:.1f} s its header "
                "announces: the file is truncated or corrupt; give the complete video"
            )
        how, why = ("pingpong", "") if self._cache is not None else ("loop", "")
        if self._cache is None and self.loop == "pingpong":
            why = f"too large to play backward: over {_size(self.replay_cache_bytes)} of frames"
        self._cover_note = cover_note(decoded / self.fps, self.n_frames / self.fps, how, self.fps, why)
        if self._cache is not None:
            self._cache.flush()
            for index in pingpong(decoded, produced):
                if produced == self.n_frames:
                    return
                yield index, self._read_cached(index)
                produced += 1
        while produced < self.n_frames:
            frames = self._read(max_frames=decoded, on_damage=self._damage.append)
            for index, frame in enumerate(frames):
                if produced == self.n_frames:
                    return
                yield index, frame
                produced += 1

    def _read(self, **options) -> Iterator[np.ndarray]:
        """The video's frames at the output's rate and size, upright, transparent parts over white (read_frames' other
        `options`)."""
        pixels = decoded_format(self.info)
        for frame in read_frames(self.info.path, self.fps, size=self._size, pixel_format=pixels, **options):
            if frame.shape[2] == 4 and frame[..., 3].min() < 255:
                self._transparent = True
            yield upright(opaque(frame), self._turns)

    def distinct_frames(
        self, n_frames: int, timer: StageTimer | None = None, start: int = 0
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(source index, frame) of each different source frame among the first `n_frames` shown, once; from
        source frame `start` on (the frames before it are decoded by ffmpeg but not passed on)."""
        if self._still is not None:
            if start == 0:
                yield 0, self._still
            return
        if start >= n_frames:
            return
        frames = self._read(max_frames=n_frames - start, skip=start, on_damage=self._damage.append)
        index = start
        while True:
            if timer is not None:
                with timer("decoding"):
                    frame = next(frames, None)
            else:
                frame = next(frames, None)
            if frame is None:
                return
            yield index, frame
            index += 1

    def output_order(self, n_frames: int, decoded: int) -> np.ndarray:
        """The source index of each output frame, as `__iter__` yields them, given `decoded` source frames."""
        if self._still is not None or decoded <= 1:
            return np.zeros(n_frames, dtype=np.int64)
        if n_frames <= decoded:
            return np.arange(n_frames)
        replayed = (
            self.loop == "pingpong" and self.info.frames_at(self.fps) * self.frame_bytes <= self.replay_cache_bytes
        )
        rest = n_frames - decoded
        if replayed:
            tail = np.fromiter(pingpong(decoded, decoded), dtype=np.int64, count=rest)
        else:
            tail = np.arange(rest) % decoded
        return np.concatenate([np.arange(decoded), tail])

    def _read_cached(self, index: int) -> np.ndarray:
        raw = os.pread(self._cache.fileno(), self.frame_bytes, index * self.frame_bytes)
        return np.frombuffer(raw, dtype=np.uint8).reshape(self.height, self.width, 3)


def cover_note(video_seconds: float, speech_seconds: float, how: str, fps: float, why: str = "") -> str | None:
    """What a clip says of a video `video_seconds` long made as long as longer speech, `speech_seconds`: `how` is
    "pingpong" or "loop" (`why` it loops, if it was not asked to). None when the lengths differ by two frames or less
    (at `fps`)."""
    if abs(video_seconds - speech_seconds) <= 2 / fps:
        return None
    shorter = f"the video ({video_seconds:.1f} s) is shorter than the speech ({speech_seconds:.1f} s)"
    if how == "pingpong":
        return f"{shorter}: it plays forward, then backward, to cover it"
    return f"{shorter}: it starts again from its first frame" + (f" ({why})" if why else "")


def _size(count: int) -> str:
    """A number of bytes in GB, or MB under one GB."""
    return f"{count / 1024**3:.3g} GB" if count >= 1024**3 else f"{count / 1024**2:.3g} MB"


def pingpong(count: int, start: int) -> Iterator[int]:
    """Source indices for output positions start, start+1, ... of a forward-backward play of `count` frames."""
    if count == 1:
        while True:
            yield 0
    period = 2 * (count - 1)
    position = start
    while True:
        q = position % period
        yield q if q < count else period - q
        position += 1
