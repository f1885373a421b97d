"""Every call to ffmpeg: the one imageio-ffmpeg bundles (no system ffmpeg needed), given argument lists.

Reading describes a file (`probe`), decodes its audio, or streams its frames at a constant rate
(variable-frame-rate phone clips included; rotation metadata applied). Writing pipes raw frames
into H.264 + AAC, tagged with their colours. When ffmpeg fails, its own message is part of the error.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import IO

import numpy as np

from .errors import InputError, VoxlipError
from .files import atomic_output, check_not_stream, write_error

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".avif", ".heic", ".heif"})
IMAGE_DEMUXERS = ("image2", "_pipe")
ANIMATED_PICTURE_DEMUXERS = frozenset({"webp_anim", "apng"})
"""ffmpeg's demuxers of animated WebP and PNG (APNG): their pictures are a video's frames, though the header states no
duration (a still WebP or PNG comes through "webp_pipe" or "png_pipe")."""
ANIMATION_DEMUXERS = frozenset({"gif", *ANIMATED_PICTURE_DEMUXERS})
"""ffmpeg's demuxers of pictures that may move: one that holds a single picture (a GIF of one picture, with a delay or
without) is a still, as a viewer shows it, not a video a delay long."""
MEDIA_HINT = "give a face video (mp4, mov, mkv, webm, avi) or a photo (jpg, png, webp, avif, heic)"
AUDIO_HINT = "give a wav, flac, mp3, ogg, m4a or webm recording"
TONE_MAPPING = (
    "zscale=t=linear:npl=203",
    "format=gbrpf32le",
    "zscale=p=bt709",
    "tonemap=mobius:param=0.8:desat=0",
    "zscale=t=bt709:m=bt709:r=tv",
    "format=yuv420p",
)
"""ffmpeg filters that bring an HDR video's frames (HLG or PQ, BT.2020) to SDR BT.709: light at HDR's reference white
(203 cd/m2, ITU-R BT.2408) becomes nearly SDR's white, BT.2020's colours are mapped to BT.709's, and what is brighter
rolls off (Mobius, linear up to 0.8) instead of clipping. HLG test patches at BT.2408's levels: 18% grey (38%) reads
108 of 255 (SDR's 18% grey lies between 104 and 118), reference white (75%) 244, 95% 253; decoded as they were, 95,
189 and 240. Mobius from 0.3 (its default) dimmed reference white to 215."""
DEINTERLACING = "bwdif=mode=send_frame:deint=interlaced"
"""An interlaced video's frames made whole (one picture per frame, as players show them), so that no field's comb
reaches the clip, whose frames are progressive: a moving test card's comb (a row against its neighbours' mean) 2.14
levels as read, 0.64 so; a progressive one 1.03 either way (only frames marked interlaced are touched)."""
HDR_NOTE = "the video is HDR (HLG or PQ): its frames were tone-mapped to SDR, which the clip is"
NO_TONE_MAPPING_NOTE = (
    "the video is HDR (HLG or PQ) and this ffmpeg has no zscale filter to tone-map it: its colours come out darker "
    "and duller; for a faithful clip give an SDR video (an iPhone records one with Settings > Camera > Record Video > "
    "HDR Video off)"
)


def executable() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(arguments: list[str], what: str, stdin: bytes | None = None) -> bytes:
    """Run ffmpeg with `arguments`; its stdout, or an InputError saying it could not `what`, with its message."""
    result = subprocess.run([executable(), "-nostdin", "-v", "error", *arguments], input=stdin, capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip() or f"exit code {result.returncode}"
        raise InputError(f"could not {what}: ffmpeg says: {message}")
    return result.stdout


def _path_argument(path: str | os.PathLike) -> str:
    """How ffmpeg is given the file at `path`: absolute, so that a name it would read as a protocol ("file:x.mp4",
    "concat:a.mp4", "take1:final.wav") or as an option ("-x.wav") is the file of that name in the working folder. The
    working folder is put before it as it is, not normalised: "link/../x.mp4" is x.mp4 beside the folder the link leads
    to, as the system finds it, not beside the link."""
    return os.path.join(os.getcwd(), path)


@dataclass(frozen=True)
class MediaInfo:
    """What ffmpeg says about a file: its picture stream (display size: after rotation, in square pixels) and audio."""

    path: Path
    has_video: bool
    has_audio: bool
    is_still: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    """The rate the video's frames were taken at: a variable-frame-rate video's nominal rate (a phone's clip filmed at
    30 fps whose camera dropped frames in dim light: 29.5 on average), which read_frames at this rate keeps every frame
    of, each at its time (a gap filled by repeating the frame before it); 0 when the header gives none."""
    duration: float = 0.0
    rotation: int = 0
    codec: str = ""
    demuxer: str = ""
    """ffmpeg's name for the container: "mov,mp4,m4a,3gp,3g2,mj2", "image2", "tty" (a text file drawn as a video)."""
    coded_size: tuple[int, int] | None = None
    """(width, height) of the pictures as stored (after rotation), when their pixels are not square (an anamorphic
    video, e.g. 720x480 shown at 640x480): decoding scales them to `width` x `height`."""
    audio_rate: int = 0
    """Samples per second of the audio stream voxlip reads (`audio_track`; 0: no audio, or its rate not stated)."""
    audio_channels: int = 0
    """Its channels as decode_audio is asked for them: 1 (mono), 2 (stereo, or more in a layout the file states, which
    ffmpeg's standard downmix mixes to two), all of them (more in no stated layout: a plain WAV's, where ffmpeg's guess
    from their number would leave one out as LFE), 0 (no audio)."""
    audio_layout: str = ""
    """The layout of its channels as the file states it and ffmpeg names it ("mono", "stereo", "5.1(side)", "3 channels
    (FL+FR+LFE)"); "N channels" alone when it states none."""
    matrix: str = ""
    """The YUV matrix of the picture as ffmpeg names it ("bt709", "smpte170m", "bt470bg"), when the file says."""
    interlaced: bool = False
    """Its pictures are pairs of fields taken at two instants (a camcorder's or a broadcast's 1080i or 576i)."""
    transfer: str = ""
    """The picture's transfer characteristic as ffmpeg names it ("bt709"; "arib-std-b67" for HLG, "smpte2084" for PQ),
    when the file says."""
    tile_grid_format: str = ""
    """For a HEIF picture stored as a grid of tiles (a phone's photo), which ffmpeg puts together itself: the pixel
    format of its tiles as ffmpeg names it ("yuvj420p"); "" for any other picture."""
    colour_range: str = ""
    """"pc" (full) or "tv" (limited) range of the picture's YUV values, when ffmpeg says."""
    audio_tracks: int = 0
    """Audio streams in the file: a video may carry several (languages, a commentary)."""
    audio_track: int = 0
    """The one voxlip reads (0: the first audio stream): the first marked default, as players pick, else the first.
    Its rate, channels and delay are the ones above, and it is the one decode_audio is given."""
    audio_delay: float = 0.0
    """Seconds from the first picture to the first sound as the file times them (positive: the sound starts later, as
    in a video whose track was put in at an offset)."""
    video_start: float = 0.0
    """Seconds from the file's start (its earliest stream's, where decode_audio's sound begins) to its first picture,
    where read_frames' first frame is: the sound before it has no picture (0 when the sound starts with or after it,
    which decode_audio gives after as much silence)."""
    alpha: bool = False
    """Its pictures may have transparent parts: their pixel format has an alpha channel (ProRes 4444's yuva444p12le, an
    animated PNG's rgba, a GIF's bgra, a palette's pal8) or a WebM says its VP8 or VP9 carries one (alpha_mode 1,
    which only libvpx decodes). read_frames gives them with it when asked for BGRA."""

    @property
    def audio_downmixed(self) -> bool:
        """Its audio track has more than two channels in a layout the file states, which decode_audio gives in ffmpeg's
        standard downmix to two (audio_channels)."""
        two = self.audio_layout in ("stereo", "downmix") or self.audio_layout.startswith("2 channels")
        return self.audio_channels == 2 and not two

    @property
    def is_hdr(self) -> bool:
        """An HDR video (HLG or PQ): read_frames tone-maps it to SDR (as it is, it reads darker and duller)."""
        return self.transfer in ("arib-std-b67", "smpte2084")

    def frames_at(self, fps: float) -> int:
        """About how many frames decoding it at `fps` gives (its duration at that rate; 0 when unknown)."""
        return int(round(self.duration * fps)) if fps > 0 else 0


def probe(path: str | os.PathLike, hint: str = MEDIA_HINT) -> MediaInfo:
    """Read the header of a media file with `ffmpeg -i` (imageio-ffmpeg ships no ffprobe). `hint` ends the message of
    a file that is none: what to give instead (by default a face video or photo)."""
    path = Path(path).expanduser()
    check_not_stream(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory: {hint}")
    # a layout ffmpeg would guess is shown as "N channels": not one the file states; ffmpeg -i with no output fails
    header = _look_at(path, ["-hide_banner", "-nostdin", "-guess_layout_max", "0", "-i", _path_argument(path)])
    info = parse_header(path, header.stderr.decode(errors="replace"), hint)
    if info.demuxer not in ANIMATION_DEMUXERS:
        return info
    timed = info.demuxer in ANIMATED_PICTURE_DEMUXERS and info.duration <= 0
    pictures, seconds = _decoded(path, None if timed else 2, hint)
    if pictures == 1:
        return replace(info, is_still=True)
    return replace(info, duration=seconds) if timed else info


LOOK_SECONDS = 60
"""How long ffmpeg may take to read a file's header, or to count an animation's pictures: a local file takes well
under a second, so one that takes longer lies on a network folder or a disk that does not answer."""


def _look_at(path: Path, arguments: list[str]) -> subprocess.CompletedProcess[bytes]:
    """ffmpeg run with `arguments` to look at `path` (its header, or its pictures counted), its output captured; an
    InputError naming the file when ffmpeg has not finished in LOOK_SECONDS."""
    try:
        return subprocess.run([executable(), *arguments], capture_output=True, timeout=LOOK_SECONDS)
    except subprocess.TimeoutExpired:
        raise InputError(
            f"could not read {path}: ffmpeg got nothing from it in {LOOK_SECONDS} s (is it on a network folder or a "
            "disk that does not answer?); copy it to a local disk and give the copy"
        ) from None


def _decoded(path: Path, max_frames: int | None, hint: str = MEDIA_HINT) -> tuple[int, float]:
    """How many frames ffmpeg decodes of a video (at most `max_frames`), and the seconds they last (for files whose
    header does not say: an animated WebP or PNG, small enough to decode twice); an InputError, ending with `hint`,
    when ffmpeg fails before it has decoded any (one damaged after its first frames is counted as far as ffmpeg goes:
    reading it says it is damaged)."""
    limit = [] if max_frames is None else ["-frames:v", str(max_frames)]
    result = _look_at(
        path, ["-hide_banner", "-nostdin", "-i", _path_argument(path), "-map", "0:v:0", *limit, "-f", "null", "-"]
    )
    said = result.stderr.decode(errors="replace")
    frames = re.findall(r"frame=\s*(\d+)", said)
    pictures = int(frames[-1]) if frames else 0
    if result.returncode != 0 and pictures == 0:
        raise _undecodable(path, said, hint)
    times = re.findall(r"time=(\d+):(\d\d):(\d\d(?:\.\d+)?)", said)
    seconds = 0.0
    if times:
        hours, minutes, rest = times[-1]
        seconds = 3600 * int(hours) + 60 * int(minutes) + float(rest)
    return pictures, seconds


class PictureTooLarge(InputError):
    """A picture of more pixels than ffmpeg decodes: its message says so to whoever reads the file."""


def _undecodable(path: Path, text: str, hint: str) -> InputError:
    """The refusal of a file ffmpeg finds no media in (what it printed, `text`, is its detail), or whose picture it
    finds too large to decode (ffmpeg's limit: (width + 128) x (height + 128) under 2^28, as 16000x16000 is)."""
    size = re.search(r"Picture size (\d+)x(\d+) is invalid", text)
    if size and int(size[1]) > 0 and int(size[2]) > 0:
        return PictureTooLarge(
            f"{path} is a {size[1]}x{size[2]} picture, too large for ffmpeg to decode (at most about 268 million "
            "pixels, such as 16000x16000): give a copy scaled down",
            detail=_last_lines(text),
        )
    return InputError(
        f"could not read {path}: not a media file ffmpeg can decode, or it is corrupt; {hint}", detail=_last_lines(text)
    )


def parse_header(path: Path, text: str, hint: str = MEDIA_HINT) -> MediaInfo:
    """The MediaInfo in what `ffmpeg -i` printed about `path`."""
    if "Invalid data found" in text or "Input #0" not in text:
        raise _undecodable(path, text, hint)
    demuxer = re.search(r"Input #0, ([^ ]+?), from", text)
    demuxer_name = demuxer.group(1) if demuxer else ""
    if demuxer_name == "tty":  # ffmpeg draws a text file's characters as a video
        raise InputError(f"{path} is a text file, not audio, a video or a photo: {hint}")
    video_lines = [  # a phone's photo (HEIF) is a grid of tiles: the grid, which ffmpeg puts together, first
        line
        for line in text.splitlines()
        if re.search(r"Stream (?:#\S+.*: Video|group #\S+: Tile Grid): ", line) and "attached pic" not in line
    ]
    video_lines.sort(key=lambda line: "Tile Grid: " not in line)
    audio_lines = re.findall(r"Stream #\S+.*: Audio: (.*)", text)
    audio_track = next((i for i, line in enumerate(audio_lines) if "(default)" in line), 0)
    audio = audio_lines[audio_track] if audio_lines else None
    has_audio = audio is not None
    audio_tracks = len(audio_lines)
    rate = re.search(r", (\d+) Hz", audio) if audio else None
    audio_rate = int(rate.group(1)) if rate else 0
    audio_channels = 0 if audio is None else _decoded_channels(audio)
    audio_layout = "" if audio is None else _channel_layout(audio)
    if not video_lines:
        return MediaInfo(
            path=path,
            has_video=False,
            has_audio=has_audio,
            is_still=False,
            duration=_duration(text),
            demuxer=demuxer_name,
            audio_rate=audio_rate,
            audio_channels=audio_channels,
            audio_layout=audio_layout,
            audio_tracks=audio_tracks,
            audio_track=audio_track,
        )
    line = video_lines[0]
    codec = re.split(r"(?:Video|Tile Grid): ", line, maxsplit=1)[1].split()[0].rstrip(",")
    size = re.search(r", (\d{1,5})x(\d{1,5})[ ,\[]", line)
    if size is None:  # a text file named .jpg: ffmpeg's image reader finds "no JPEG data", a picture of no size
        raise _undecodable(path, text, hint)
    width, height = int(size.group(1)), int(size.group(2))
    coded = (width, height)
    aspect = re.search(r"\[SAR (\d+):(\d+) DAR", line)
    if aspect and int(aspect.group(1)) > 0 and int(aspect.group(2)) > 0 and aspect.group(1) != aspect.group(2):
        width = max(2, round(width * int(aspect.group(1)) / int(aspect.group(2))))
    rotation = _rotation(text)
    if rotation in (90, 270):
        width, height = height, width
        coded = coded[::-1]
    average, nominal = _rate(line, "fps"), _rate(line, "tbr")
    interlaced = re.search(r"\((?:[^()]*, )?(?:top|bottom) (?:coded )?first", line) is not None
    dropped_frames = average < nominal <= HIGHEST_FILMING_RATE and not interlaced  # (whose "tbr" may count fields)
    fps = nominal if dropped_frames or not average else average
    duration = _duration(text)
    colours = re.search(r"\((?:tv|pc), (?!progressive)([\w-]+(?:/[\w-]+){0,2})[,)]", line)  # matrix/primaries/transfer
    names = [name if name != "unknown" else "" for name in colours.group(1).split("/")] if colours else [""]
    matrix, transfer = names[0], names[-1]
    colour_range = re.search(r"\((tv|pc)[,)]", line)
    tiles = re.search(r"Tile Grid: .*?\), (\w+)\(", line)
    # An AVIF picture comes in a video's container (ISOBMFF), one AV1 frame long.
    is_still = any(d in demuxer_name for d in IMAGE_DEMUXERS) or (
        (codec in ("mjpeg", "png", "bmp", "webp", "tiff") or path.suffix.lower() in IMAGE_SUFFIXES)
        and duration <= 0.05
        and demuxer_name not in ANIMATED_PICTURE_DEMUXERS
    )
    return MediaInfo(
        path=path,
        has_video=True,
        has_audio=has_audio,
        is_still=is_still,
        width=width,
        height=height,
        fps=fps,
        duration=duration,
        rotation=rotation,
        codec=codec,
        demuxer=demuxer_name,
        coded_size=coded if coded != (width, height) else None,
        audio_rate=audio_rate,
        audio_channels=audio_channels,
        audio_layout=audio_layout,
        audio_tracks=audio_tracks,
        audio_track=audio_track,
        matrix=matrix,
        interlaced=interlaced,
        transfer=transfer,
        tile_grid_format=tiles.group(1) if tiles else "",
        colour_range=colour_range.group(1) if colour_range else "",
        audio_delay=_stream_start(audio) - _stream_start(line) if audio else 0.0,
        video_start=max(0.0, _stream_start(line) - _file_start(text)),
        alpha=_has_alpha(text, line),
    )


ALPHA_PIXEL_FORMATS = re.compile(r", (?:yuva|gbrap|rgba|bgra|argb|abgr|ya\d|pal8)\w*[(,\s]")
"""ffmpeg's pixel formats with an alpha channel, as a stream's line in its header names them."""
ALPHA_DECODERS = {"vp9": "libvpx-vp9", "vp8": "libvpx"}
"""The decoders of a WebM's VP9 or VP8 that read the alpha it keeps beside the picture (ffmpeg's own ignore it)."""


def _has_alpha(text: str, line: str) -> bool:
    """Whether the video stream of `line` in ffmpeg's header `text` has an alpha channel (MediaInfo.alpha)."""
    if ALPHA_PIXEL_FORMATS.search(line):
        return True
    after = text.split(line, 1)[1].splitlines()[1:]
    block = next((i for i, rest in enumerate(after) if "Stream #" in rest), len(after))
    return any(re.fullmatch(r"\s*alpha_mode\s*:\s*1\s*", rest) for rest in after[:block])


HIGHEST_FILMING_RATE = 120.0
"""The highest frame rate a camera films at as video, not slow motion: a header's nominal rate (ffmpeg's "tbr")
above it is a time base (a WebM's "1k"), not a rate frames were taken at."""


def _rate(line: str, field: str) -> float:
    """The frame rate ffmpeg's header gives a video stream's `line` in `field`: "fps" (the average: its frames over its
    duration) or "tbr" (the nominal: the rate its frames were taken at, which every frame's time is a step of); 0 when
    it gives none. ffmpeg prints it to two decimals: one that is a rate of NTSC's family, rounded, is that rate."""
    match = re.search(rf", ([\d.]+)(k?) {field}\b", line)
    if not match:
        return 0.0
    rate = float(match.group(1)) * (1000 if match.group(2) else 1)
    exact = round(rate * 1001 / 1000) * 1000 / 1001
    return exact if "." in match.group(1) and abs(rate - exact) <= NTSC_ROUNDING else rate


NTSC_ROUNDING = 0.005
"""How far ffmpeg's header, which prints a frame rate to two decimals, puts one of NTSC's family (N x 1000/1001:
24000/1001 as "23.98", 30000/1001 as "29.97", 15000/1001 as "14.99") from the rate itself. Taken as printed, a 23.976
fps video would be made at 23.98 (175 ppm fast: one frame shown twice every 5,714), a rate editors do not take for
23.976."""


def rate_argument(fps: float) -> str:
    """A frame rate as ffmpeg is given it (-r, the fps filter): one of NTSC's family as its exact fraction
    ("24000/1001"), any other as its digits (--fps 23.976 is 2997/125)."""
    ticks = round(fps * 1001)
    if not float(fps).is_integer() and ticks % 1000 == 0 and abs(fps - ticks / 1001) < 1e-9:
        return str(Fraction(ticks, 1001))
    return f"{fps:g}"


def _channel_layout(audio: str) -> str:
    """MediaInfo.audio_layout of an audio stream's line in ffmpeg's header (read with -guess_layout_max 0)."""
    layout = re.search(r" Hz, ([^,]+)", audio)
    return layout.group(1).strip() if layout else ""


def _decoded_channels(audio: str) -> int:
    """MediaInfo.audio_channels of an audio stream's line in ffmpeg's header (read with -guess_layout_max 0)."""
    name = _channel_layout(audio)
    unstated = re.fullmatch(r"(\d+) channels", name)
    if name == "mono" or (unstated and int(unstated.group(1)) == 1):
        return 1
    return int(unstated.group(1)) if unstated and int(unstated.group(1)) > 2 else 2


def _stream_start(line: str) -> float:
    """The start time of a stream's line in ffmpeg's header (ffmpeg leaves it out when it is 0)."""
    start = re.search(r", start (-?[\d.]+)", line)
    return float(start.group(1)) if start else 0.0


def _file_start(text: str) -> float:
    """The start time of the file in ffmpeg's header: its earliest stream's, which ffmpeg's timeline counts from."""
    start = re.search(r"Duration: [^\n]*?, start: (-?[\d.]+)", text)
    return float(start.group(1)) if start else 0.0


_MESSAGE_SOURCE = re.compile(r"^(?:\[[^\]]* @ 0x[0-9a-f]+\] )+")
"""What starts an ffmpeg message that names the part that printed it ("[h264 @ 0x5589...] ", nested for threads)."""


def _last_lines(text: str, count: int = 3) -> str:
    """The last `count` messages in what ffmpeg printed, `text`, on one line (its last alone may be only "Terminating
    thread", after the error that made it stop)."""
    lines = [_MESSAGE_SOURCE.sub("", line).strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:]) if lines else "no output from ffmpeg"


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


UNTAGGED_BT601_CODECS = frozenset({"vp9", "av1"})
"""Codecs whose videos, when they do not say their YUV matrix, Chromium shows with BT.601's whatever their height, as
ffmpeg reads them (a 1280x720 card); H.264's and VP8's it shows with the matrix yuv_matrix guesses."""


def scale_filter(info: MediaInfo, size: tuple[int, int] | None, alpha: bool = False) -> list[str]:
    """The filters that turn `info`'s frames into RGB exactly (EXACT_DECODING; with their `alpha`, into RGBA), at
    their `size` (None: as they are), and, for a video whose YUV matrix the file does not say, with the matrix players
    guess for its height (yuv_matrix), as the person sees the video: ffmpeg alone would take BT.601, and the colours of
    an untagged HD H.264 video would change."""
    options = [f"{size[0]}:{size[1]}:flags=area+{EXACT_SCALING}"] if size else [f"flags={EXACT_SCALING}"]
    if not info.matrix and not info.is_still and not info.is_hdr and info.codec not in UNTAGGED_BT601_CODECS:
        stored_height = info.width if info.rotation in (90, 270) else info.height
        options.append(f"in_color_matrix={yuv_matrix(stored_height)}")
    return [f"scale={':'.join(options)}", EXACT_DECODING_ALPHA if alpha else EXACT_DECODING]


def tone_mapping(info: MediaInfo) -> list[str]:
    """The filters that make `info`'s frames SDR: TONE_MAPPING for an HDR video if this ffmpeg has zscale, else none."""
    if not info.is_hdr:
        return []
    return list(TONE_MAPPING) if "zscale" in filter_names(executable()) else []


@lru_cache(maxsize=2)
def filter_names(ffmpeg: str) -> frozenset[str]:
    """The filters the ffmpeg at `ffmpeg` has; asked once per binary (an HDR video's every decode needs to know)."""
    listing = subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-filters"], capture_output=True)
    if listing.returncode != 0:
        raise VoxlipError(
            f"the ffmpeg at {ffmpeg} could not list its filters (exit code {listing.returncode}): it is damaged or "
            "not for this machine; reinstall it with `pip install --force-reinstall imageio-ffmpeg`",
            detail=_last_lines(listing.stderr.decode(errors="replace")),
        )
    rows = (line.split() for line in listing.stdout.decode(errors="replace").splitlines())
    return frozenset(row[1] for row in rows if len(row) > 2 and "->" in row[2])


def hdr_notes(info: MediaInfo) -> tuple[str, ...]:
    """What a result made from `info`'s frames says about its dynamic range (nothing for SDR)."""
    if not info.is_hdr:
        return ()
    return (HDR_NOTE,) if tone_mapping(info) else (NO_TONE_MAPPING_NOTE,)


DAMAGE_IN_CLIP = "its frames there may look broken in the clip; give an undamaged copy"


def damage_note(error: str, effect: str = DAMAGE_IN_CLIP) -> str:
    """What a result says of a video ffmpeg met damaged data in: ffmpeg's first `error` (read_frames' on_damage), and
    its `effect` on the result."""
    return f"the video is damaged (ffmpeg: {error}): {effect}"


def spread_frames(info: MediaInfo, count: int, pixel_format: str = "bgr24") -> list[np.ndarray]:
    """Up to `count` frames spread over a video's length (a look at it before any work), BGR or read_frames'
    `pixel_format`; damage is the work's read's to report."""
    rate = count / max(info.duration, 1e-3)
    return list(read_frames(info.path, rate, max_frames=count, pixel_format=pixel_format, on_damage=lambda _: None))


def read_frames(
    path: str | os.PathLike,
    fps: float | None = None,
    *,
    max_frames: int | None = None,
    skip: int = 0,
    pixel_format: str = "bgr24",
    size: tuple[int, int] | None = None,
    on_damage: Callable[[str], None] | None = None,
) -> Iterator[np.ndarray]:
    """(H, W, 3) uint8 frames, BGR (OpenCV's order) or `pixel_format="rgb24"`, decoded lazily; (H, W, 4) with their
    alpha channel for "bgra" or "rgba" (opaque unless the video has one, MediaInfo.alpha).

    At a constant `fps` (None: the file's own frames), scaled to `size` (width, height) when given.
    The first `skip` frames are decoded but not returned: unlike a seek to a time, frame i after them
    is the very frame i + skip of a read from the start. Each frame is read straight into its own
    array, so 720p and larger inputs decode at ffmpeg's speed. `on_damage(ffmpeg's first error)` is called
    when the decoder met damaged data (a video damaged in the middle decodes, its frames broken there); without it,
    a video ffmpeg stops decoding with an error (most of its frames damaged) ends the frames in an InputError.
    """
    if pixel_format not in ("bgr24", "rgb24", "bgra", "rgba"):
        raise ValueError(f"pixel_format must be 'bgr24', 'rgb24', 'bgra' or 'rgba', not {pixel_format!r}")
    channels = 4 if pixel_format.endswith("a") else 3
    info = probe(path)
    if not info.has_video:
        raise InputError(f"{info.path} has no video stream; {MEDIA_HINT}")
    if size is None and info.coded_size is not None:  # pixels that are not square: shown at the display size
        size = (info.width, info.height)
    decoder = ALPHA_DECODERS.get(info.codec) if channels == 4 and info.alpha else None
    command = [executable(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    command += [*(["-c:v", decoder] if decoder else []), "-i", _path_argument(info.path), "-map", "0:v:0", "-an", "-sn"]
    filters = (
        ([DEINTERLACING] if info.interlaced else [])
        + ([f"fps={rate_argument(fps)}"] if fps is not None else [])
        + ([f"select=gte(n\\,{int(skip)})", "setpts=PTS-STARTPTS"] if skip > 0 else [])
        + tone_mapping(info)
        + scale_filter(info, size, alpha=channels == 4)
    )
    if filters:
        command += ["-vf", ",".join(filters)]
    if fps is not None:  # frame 0 is the first picture: a video starting after its sound is not padded by repeats
        command += ["-fps_mode", "passthrough"]  # (ffmpeg did so in MP4 and MKV, not in MPEG-TS)
    if max_frames is not None:
        command += ["-frames:v", str(max_frames)]
    command += ["-f", "rawvideo", "-pix_fmt", pixel_format, "-"]
    width, height = size or (info.width, info.height)
    frame_bytes = width * height * channels
    process, messages = _started(command, stdout=subprocess.PIPE, bufsize=0)
    count, ended = 0, False
    try:
        while True:
            frame = np.empty((height, width, channels), dtype=np.uint8)
            if not _read_exactly(process.stdout, memoryview(frame).cast("B"), frame_bytes):
                ended = True
                break
            count += 1
            yield frame
    finally:
        process.stdout.close()
        if not ended and process.poll() is None:  # a read closed early: ffmpeg, maybe mid-frame, is stopped
            process.kill()
        code = process.wait()
    errors = messages.text()  # read to its end (a read closed early stops before this)
    if code != 0 and count == 0:
        raise InputError(
            f"could not decode the video in {info.path}: the file is corrupt or truncated",
            detail=_last_lines(errors),
        )
    if code != 0 and on_damage is None:
        frames = f"{count} frame{'s' * (count > 1)}"
        raise InputError(
            f"could not decode all of the video in {info.path}: ffmpeg stopped after {frames}, the file is damaged; "
            "give an undamaged copy",
            detail=_last_lines(errors),
        )
    if errors and on_damage is not None:
        on_damage(_MESSAGE_SOURCE.sub("", errors.splitlines()[0]).rstrip("."))


def read_picture(info: MediaInfo, upright: bool = True) -> np.ndarray:
    """The (H, W, 3) uint8 BGR picture of a still that OpenCV cannot read (a phone's HEIC), decoded with ffmpeg's own
    choice of stream: a HEIF photo's grid of tiles put together and, when `upright`, turned as ffmpeg reads its
    orientation (a HEIF's irot and imir, a TIFF's tag; not always in the header `info` holds), else as stored. Its size
    is the one the decoder gave, as the picture's PAM header states it. Converted to planar RGB exactly, as
    EXACT_DECODING: a grid, which ffmpeg puts together in a graph of its own whose conversion is the fast one (0.4-1
    level dark), is first read as its tiles' YUV, then converted in a second pass."""
    arguments = ([] if upright else ["-noautorotate"]) + ["-i", _path_argument(info.path), "-frames:v", "1"]
    exact = ["-f", "image2pipe", "-c:v", "pam", "-pix_fmt", "rgb24", "-"]
    if info.tile_grid_format:
        grid = [*arguments, "-f", "nut", "-c:v", "rawvideo", "-pix_fmt", info.tile_grid_format, "-"]
        tiles = run(grid, f"decode {info.path}")
        arguments = ["-colorspace", info.matrix] if info.matrix else []
        arguments += ["-color_range", info.colour_range] if info.colour_range else []
        arguments += ["-f", "nut", "-i", "-", "-vf", ",".join(scale_filter(info, None))]
        picture = run([*arguments, *exact], f"decode {info.path}", tiles)
    else:
        arguments += ["-sws_flags", EXACT_SCALING, "-vf", EXACT_DECODING, *exact]
        picture = run(arguments, f"decode the picture in {info.path}")
    return _pam_picture(picture, info.path)


def _pam_picture(data: bytes, path: Path) -> np.ndarray:
    """The BGR picture in one RGB PAM image `data` (ffmpeg's output), at the size its header states; an InputError
    when it holds less."""
    header, _, pixels = data.partition(b"\nENDHDR\n")
    fields = dict(line.split(b" ", 1) for line in header.splitlines()[1:] if b" " in line)
    try:
        width, height = int(fields[b"WIDTH"]), int(fields[b"HEIGHT"])
    except (KeyError, ValueError):
        width = height = 0
    if not data.startswith(b"P7\n") or width * height == 0 or len(pixels) < width * height * 3:
        raise InputError(f"could not decode the picture in {path}: the file is corrupt; {MEDIA_HINT}")
    rgb = np.frombuffer(pixels, np.uint8, width * height * 3).reshape(height, width, 3)
    return np.ascontiguousarray(rgb[..., ::-1])


def _read_exactly(stream, buffer: memoryview, size: int) -> bool:
    """Fill `buffer` from `stream`; False at the end of the stream (a partial last frame is dropped)."""
    filled = 0
    while filled < size:
        got = stream.readinto(buffer[filled:])
        if not got:
            return False
        filled += got
    return True


AUDIO_TIMELINE = "aresample=async=1:min_hard_comp=0.01:first_pts=0"
"""ffmpeg's filter that lays a video's decoded sound on its file's timeline, from the file's start (its earliest
stream's), so that it stays in step with the pictures: a soundtrack put in at an offset comes after as much silence, as
a player plays it, and a jump in its timestamps (a video joined from pieces) is filled with silence instead of closing
up, which would bring the speech early against the lips (145 ms after a minute of a clip looped four times). Gaps and
overlaps under 10 ms are evened out by at most one sample a second; a soundtrack that starts the file and has no gaps
decodes to the very same samples. A file of sound alone has no pictures to keep in step with and is decoded without it,
sample for sample (with it, an Opus WebM, whose header starts at 13 ms, would lose its first 13 ms)."""


def decode_audio(
    path: Path,
    sample_rate: int,
    max_seconds: float | None,
    channels: int = 1,
    track: int | None = None,
    *,
    on_timeline: bool,
) -> np.ndarray:
    """Float32 samples at `sample_rate` of any file ffmpeg decodes (its first `max_seconds` + 1 s): mono, or
    (samples, channels) with ffmpeg's mix down to `channels`; of its audio stream `track` (0: the first), or of
    ffmpeg's pick (None). `on_timeline`: laid on the file's timeline (AUDIO_TIMELINE), as a video's sound is, to keep
    in step with its pictures (MediaInfo.has_video); else, for a file of sound alone, as it is."""
    arguments = ["-t", str(max_seconds + 1)] if max_seconds is not None else []
    arguments += ["-i", _path_argument(path), "-vn"] + (["-map", f"0:a:{track}"] if track is not None else [])
    arguments += ["-af", AUDIO_TIMELINE] if on_timeline else []
    arguments += ["-ac", str(channels), "-ar", str(sample_rate), "-f", "f32le", "-"]
    result = subprocess.run([executable(), "-nostdin", "-v", "error", *arguments], capture_output=True)
    if result.returncode != 0 or not result.stdout:
        stderr = result.stderr.decode(errors="replace")
        if "does not contain any stream" in stderr or "matches no streams" in stderr or not stderr.strip():
            reason = "it contains no audio stream"
        elif "Invalid data found" in stderr:
            reason = "it is not a media file ffmpeg can decode, or it is corrupt"
        else:
            reason = "ffmpeg: " + stderr.strip().splitlines()[0]
        raise InputError(f"could not read {path} as audio: {reason}; {AUDIO_HINT}")
    samples = np.frombuffer(result.stdout, dtype=np.float32).copy()
    return samples if channels == 1 else samples[: len(samples) // channels * channels].reshape(-1, channels)


EXACT_SCALING = "accurate_rnd"
"""ffmpeg's scaler flag for rounding exactly, as frames are encoded and decoded. Encoding, its fast default darkens:
frames of a talking face written and then decoded exactly (as browsers do) came back 1.6 levels darker in red and 1.5
in blue (mean |error| 1.6; rounded exactly 1.2 and no bias, at no cost in speed)."""
EXACT_DECODING = "format=gbrp"
"""What follows the scale filter (flags=accurate_rnd) so that decoded YUV becomes RGB exactly: planar RGB, which
ffmpeg then packs as asked. Against a conversion in floating point (BT.709, a 1280x720 talking face, chroma repeated),
straight to bgr24 its fast default is 1.0, 1.4 and 0.9 levels dark in blue, green and red (mean |error| 1.1), with
accurate_rnd 0.4, -1.2 and 0.3 (0.67), with accurate_rnd+full_chroma_int 0.00-0.01 (0.14, the chroma's
interpolation) for 4.4 ms of CPU a frame more than the fast default; through planar RGB the same 0.00-0.01 (0.14) for
2.3 ms (ffmpeg alone, one thread). A lip-sync pasting the person's own mouths then matches their colours."""
EXACT_DECODING_ALPHA = "format=gbrap"
"""EXACT_DECODING for frames decoded with their alpha channel (MediaInfo.alpha), which packs as BGRA."""
HD_HEIGHT = 720
"""From this many lines a player that finds no colour tags in a video decodes it with BT.709's matrix, below with
BT.601's (Chromium does, whatever the width)."""
SRGB_TAGS = "setparams=color_primaries=bt709:color_trc=bt709"
"""The stream's primaries and transfer: BT.709's, which sRGB pictures share, so players show them as they are."""


def yuv_matrix(height: int) -> str:
    """The YUV matrix a player guesses for a video of `height` lines that does not say its own: frames are encoded with
    it, so that players that read the stream's tags and players that guess both show the colours the frames had
    (untagged BT.601, a 1280x720 test card showed in Chromium up to 22 levels off), and untagged videos read with it."""
    return "bt709" if height >= HD_HEIGHT else "smpte170m"


def encoded_size(width: int, height: int) -> tuple[int, int]:
    """The size frames of `width` x `height` have in Mp4Writer's MP4: H.264's 4:2:0 needs even sides, so an odd last
    column or row is cropped."""
    return width - width % 2, height - height % 2


@dataclass(frozen=True)
class EncoderOptions:
    """H.264 (yuv420p) + AAC: plays everywhere; `preset` trades file size for speed."""

    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "160k"
    threads: int = 0
    """0 lets x264 choose; benchmarks pin it to the cores they are given."""


MESSAGE_BYTES = 8192
"""Bytes of an ffmpeg's messages kept from each end: its first error (what `read_frames` calls damage) and its last
600 characters (what an error quotes) are within them, and a damaged video's error per frame for hours is not kept."""


class Messages:
    """What an ffmpeg process writes to its stderr (its first and last MESSAGE_BYTES), read on a thread of its own as
    it comes: a pipe nobody reads fills and stops ffmpeg, and a temporary file, the other way, loses it all when the
    temporary folder is full (where ffmpeg then says "No space left on device" to nobody)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._first, self._last, self._dropped = bytearray(), bytearray(), False
        self._reader = threading.Thread(target=self._read, args=(stream,), name="voxlip-ffmpeg-messages", daemon=True)
        self._reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        with stream:
            while chunk := os.read(stream.fileno(), 1 << 16):
                room = MESSAGE_BYTES - len(self._first)
                self._first += chunk[:room]
                last = self._last + chunk[room:]
                self._dropped |= len(last) > MESSAGE_BYTES
                self._last = last[-MESSAGE_BYTES:]

    def text(self) -> str:
        """All ffmpeg said (its middle left out past 2 x MESSAGE_BYTES), once it has closed its stderr (ended)."""
        self._reader.join()
        gap = b"\n...\n" if self._dropped else b""
        return (self._first + gap + self._last).decode(errors="replace").strip()


def _started(command: list[str], **pipes) -> tuple[subprocess.Popen, Messages]:
    """ffmpeg started with `command` (its stderr read by Messages; `pipes`: its other streams), and its Messages.
    Whatever stops this between the two (Ctrl-C, a thread that cannot start) kills ffmpeg and waits for it first: the
    caller, which stops and waits for ffmpeg once it has both, would otherwise leave it running, then unreaped."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, **pipes)
    try:
        return process, Messages(process.stderr)
    except BaseException:
        process.kill()
        process.wait()
        raise


class Mp4Writer:
    """Streams frames into an H.264 MP4 at `path`, with an audio file as its AAC track.

    Use as a context manager: on success ffmpeg is waited for, on any error it is stopped. Write to
    a path from `core.files.atomic_output` so that a failed run leaves nothing behind.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        width: int,
        height: int,
        fps: float,
        audio_path: str | os.PathLike | None = None,
        audio_seconds: float | None = None,
        options: EncoderOptions = EncoderOptions(),
        pixel_format: str = "bgr24",
    ):
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, fps
        self.frames_written = 0
        self._finished = False
        audio: list[str] = []
        if audio_path is not None:
            limit = ["-t", f"{audio_seconds:.6f}"] if audio_seconds else []
            audio = [*limit, "-i", _path_argument(audio_path)]
        command = [
            executable(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            pixel_format,
            "-s",
            f"{width}x{height}",
            "-r",
            rate_argument(fps),
            "-i",
            "-",
            *audio,
            "-map",
            "0:v:0",
            *(["-map", "1:a:0"] if audio else []),
            "-vf",
            f"crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0,{SRGB_TAGS}",
            "-c:v",
            "libx264",
            "-preset",
            options.preset,
            "-crf",
            str(options.crf),
            "-pix_fmt",
            "yuv420p",
            "-colorspace",
            yuv_matrix(encoded_size(width, height)[1]),
            "-sws_flags",
            EXACT_SCALING,
            "-threads",
            str(options.threads),
        ]
        if audio:
            command += ["-c:a", "aac", "-b:a", options.audio_bitrate, *([] if audio_seconds else ["-shortest"])]
        command += ["-movflags", "+faststart", "-f", "mp4", _path_argument(self.path)]
        self._process, self._messages = _started(command, stdin=subprocess.PIPE)

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"frame of shape {frame.shape} {frame.dtype}, expected ({self.height}, {self.width}, 3) uint8"
            )
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).data)
        except BrokenPipeError:
            self._process.wait()
            raise self._failure(f"ffmpeg stopped while encoding {self.path}") from None
        self.frames_written += 1

    def close(self) -> Path:
        """Finish encoding (once; later calls do nothing)."""
        if self._finished:
            return self.path
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        code = self._process.wait()
        if code != 0 or self.frames_written == 0:
            raise self._failure(f"ffmpeg could not write {self.path} (exit code {code})")
        self._finished = True
        return self.path

    def abort(self) -> None:
        if self._finished:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._finished = True

    def _failure(self, what: str) -> VoxlipError:
        """The error of ffmpeg's failure to encode, `what` and its last message; a full disk told as voxlip tells it
        (ffmpeg says only "No space left on device")."""
        said = self._messages.text()
        if "No space left on device" in said:
            error = write_error(self.path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
            error.detail = said
            return error
        return VoxlipError(f"{what}: {said[-600:] or 'no message'}")

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


def write_video(
    path: str | os.PathLike,
    frames: Iterable[np.ndarray],
    fps: float,
    audio: str | os.PathLike | None = None,
    options: EncoderOptions = EncoderOptions(crf=18, preset="medium"),
) -> Path:
    """Encode RGB frames (all one size) as an MP4, with `audio` (a file) as AAC cut to the video's length."""
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise InputError("no frames to write")
    height, width = first.shape[:2]
    with (
        atomic_output(path) as partial,
        Mp4Writer(partial, width, height, fps, audio, None, options, "rgb24") as writer,
    ):
        writer.write(first)
        for frame in frames:
            writer.write(frame)
    return Path(path)
