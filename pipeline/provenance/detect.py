"""`voxlip detect`: does a file carry voxlip's marks, content credentials and provenance record?"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from core.amounts import counted, seconds_in_words
from core.errors import InputError
from core.ffmpeg import MediaInfo, PictureTooLarge, damage_note, decode_audio, probe, read_frames
from core.files import check_not_stream, folder_lock, sha256_file
from core.printable import printable
from lipsync.video import scaled_size
from voice.audio import MAX_SECONDS, decode, is_silent, load_audio, recording_of

from .audio_time_scale import TIME_SCALE_SEARCH
from .audio_watermark import AUDIO_MARK, AudioMarkResult, detect_audio_mark, find_audio_mark
from .credentials import CONTAINER_MIME_TYPES, CredentialsReport, Ingredient, read_credentials
from .record import read_record, record_path
from .significance import needed_z
from .video_watermark import FRAME_MARK, FrameMarkResult, find_frame_mark

MAX_FRAMES = 250
"""Frames read from a video: all of one up to 10 s at 25 fps, spread over the first 10 min (MAX_SECONDS) of a longer
one."""
MAX_SIDE = 3840
"""Frames are read with at most this many pixels on their long side, scaled down (area-averaged) by ffmpeg as it
decodes larger ones: the frame mark is read at FRAME_MARK.canonical_height lines whatever the frame's size, and a
16000x16000 still (a 775 KB PNG of one colour) read at its own size had taken 3.8 GB of memory and 73 s."""
CHANNEL_NAMES = ("left", "right")


@dataclass(frozen=True)
class DetectionReport:
    path: Path
    kind: str
    """"audio", "video" or "image"."""
    audio: AudioMarkResult | None
    """The audio mark (of a video: of its audio track); None when there is no audio."""
    audio_seconds: float | None
    audio_track: int | None
    """Which of several audio tracks the audio mark is of (0: the first); None: the file has one."""
    frames: FrameMarkResult | None
    frame_rate: float | None
    """Frames per second read: fewer than the video's where it is long (MAX_FRAMES spread over its first
    MAX_SECONDS)."""
    credentials: CredentialsReport
    record: dict | None
    record_matches: bool | None
    """Whether the record's sha256 is this file's (None without a record)."""
    record_unreadable: bool = False
    """A record file is next to it, but it is not a voxlip record (broken, or other JSON)."""
    silent: bool = False
    """Its sound is silence (`is_silent`: no room for a mark) or no samples at all: there is no sound to check."""
    damage: str | None = None
    """ffmpeg's first error reading the frames of a damaged video (None: none met), whose frame mark is of the frames
    ffmpeg decoded."""

    @property
    def marked(self) -> bool:
        """voxlip's mark found in the audio or the frames (the marks outlive re-encoding; the rest does not)."""
        return bool((self.audio and self.audio.detected) or (self.frames and self.frames.detected))

    @property
    def too_short(self) -> bool:
        """Sound alone, without the mark, and shorter than the mark needs to be found (a word or two)."""
        return not self.marked and self.audio_seconds is not None and self.audio_seconds < AUDIO_MARK.checked_seconds

    @property
    def no_sound(self) -> bool:
        """Sound without the mark that is silence or no samples: nothing the mark could be found in."""
        return self.silent and not (self.audio and self.audio.detected)

    @property
    def anything_found(self) -> bool:
        return self.marked or self.credentials.found or self.record is not None

    def lines(self) -> list[str]:
        """A human summary, one finding per line; what the file, its name, its record and its credentials hold is
        shown with its control characters escaped (printable)."""
        verdict = "carries voxlip's watermark" if self.marked else "no voxlip watermark found"
        if self.no_sound and self.frames is None:
            verdict = f"cannot tell whether it carries voxlip's watermark: {self._silence()}"
        elif self.too_short and self.frames is None:
            # cut, not rounded, to the hundredth: 0.97 s had read "1.0 s of sound", and "1 s or more are needed"
            shown = math.floor(self.audio_seconds * 100 + 1e-6) / 100
            verdict = f"too short to tell whether it carries voxlip's watermark ({shown:.2f} s of sound)"
        out = [f"{self.path}: {verdict}"]
        if self.no_sound:
            out.append(f"  audio mark: nothing to check, {self._silence()}")
        elif self.audio is not None:
            track = "" if self.audio_track is None else f" (best of its audio tracks: track {self.audio_track + 1})"
            out.append(f"  audio mark{track}: {self._audio_finding()}")
        elif self.kind != "image":
            out.append("  audio mark: no audio to check")
        if self.frames is not None:
            out.append(f"  frame mark: {self._frame_finding()}")
        if self.damage is not None:
            read = "the frame mark was looked for in the frames it decoded"
            out.append(f"  damage: {damage_note(self.damage, read)}")
        c = self.credentials
        if not c.found:
            out.append("  content credentials (C2PA): none")
        else:
            validity = "valid" if c.valid else "INVALID (" + "; ".join(c.problems) + ")"
            models = ", ".join(m.get("name", "?") for m in c.models) or "none listed"
            out.append(
                f"  content credentials (C2PA): {validity}; {_signer_finding(c)}; generator {c.generator}; "
                f"models: {models}"
            )
            out.extend(f"    ingredient {i.title} ({i.relationship}): {_ingredient_finding(i)}" for i in c.ingredients)
        out.append(f"  provenance record: {self._record_finding()}")
        return [printable(line) for line in out]

    def _silence(self) -> str:
        if not self.audio_seconds:
            return "it holds no sound (no audio samples)"
        return "its sound is silence (no sample louder than 1e-4 of full scale)"

    def _record_finding(self) -> str:
        if self.record_unreadable:
            return f"{record_path(self.path).name} is next to the file but is no voxlip record (broken or other JSON)"
        if self.record is None:
            return "none next to the file"
        found = f"found ({self.record.get('created')})"
        if not self.record_matches:
            named = self.record.get("output", {}).get("file")
            return (
                f"{found}, but its sha256 is not this file's: the file was changed after it was made, or the record is "
                f"another file's{f' (it names {named})' if named else ''}"
            )
        backed = self.marked or (self.credentials.found and self.credentials.valid)
        return f"{found}, its sha256 is this file's" + (
            "" if backed else "; a record is not signed and no mark or credential here bears it out"
        )

    def _audio_finding(self) -> str:
        mark = self.audio
        if not mark.detected:
            if self.too_short:
                return f"not found, but {AUDIO_MARK.checked_seconds:g} s of sound or more are needed to find it"
            searched = ", nor in any part or channel alone" if self.audio_seconds > AUDIO_MARK.part_seconds else ""
            low, high = 1 - TIME_SCALE_SEARCH.max_change, 1 + TIME_SCALE_SEARCH.max_change
            return (
                f"not found (z = {mark.score:.1f}, {mark.needed:.1f} needed){searched}, nor played {low:g}-{high:g} "
                "times as fast"
            )
        where = [] if mark.part is None else [f"{mark.part[0]:.1f}-{mark.part[1]:.1f} s"]
        if mark.channel is not None:
            name = CHANNEL_NAMES[mark.channel] if mark.channel < len(CHANNEL_NAMES) else f"{mark.channel + 1}th"
            where.append(f"the {name} channel")
        found = f"found in {' of '.join(where)}" if where else "found"
        throughout = ", not throughout" if mark.part is not None else ""
        if mark.tempo is not None:
            throughout += f" in a copy played {mark.tempo:.3f} times as fast, its pitch kept (tempo changed)"
        if mark.speed is not None:
            throughout += f" in a copy played {mark.speed:.3f} times as fast, its pitch with it (speed changed)"
        return f"{found}{throughout} (z = {mark.score:.1f}, {mark.needed:.1f} needed; {_chance(mark.p_value)})"

    def _frame_finding(self) -> str:
        mark, rate = self.frames, self.frame_rate or 0.0
        read = counted(mark.frames, "frame") + (f" ({seconds_in_words(mark.frames / rate)})" if rate else "")
        evidence = (
            f"z = {mark.score:.1f}, {mark.needed:.1f} needed, over {read}; {mark.frames_detected} marked on their own"
        )
        if not mark.detected:
            runs = f" or in any run of {FRAME_MARK.part_frames} of them" if mark.frames > FRAME_MARK.part_frames else ""
            return f"not found ({evidence}), nor mirrored, inside bars, stretched to other proportions{runs}"
        where = ""
        if mark.part is not None and rate:
            where = f" in {mark.part[0] / rate:.1f}-{mark.part[1] / rate:.1f} s, not throughout"
        if mark.box is not None:
            top, bottom, left, right = mark.box
            where += (
                f" in the {right - left}x{bottom - top} picture inside bars (a video with bars, or a letterboxed copy)"
            )
        if mark.mirrored:
            where += " with the frames turned left to right (a mirrored copy)"
        if mark.proportions is not None:
            where += (
                f" with the frames stretched back to {mark.proportions:.2f}:1 (a copy cropped by a few pixels, or "
                "stretched to other proportions)"
            )
        return f"found{where} ({evidence}; {_chance(mark.p_value)})"


def _chance(p: float) -> str:
    """The false-positive bound, in words: how likely a file without the mark is to score as high."""
    return f"chance in an unmarked file {'< 1e-12' if p < 1e-12 else f'{p:.1e}'}"


def _kind(info: MediaInfo) -> str:
    """What the file holds, by its streams, not its name: a browser's recording is a .webm with sound alone."""
    return "audio" if not info.has_video else "image" if info.is_still else "video"


def detect(path: str | os.PathLike, max_frames: int = MAX_FRAMES, *, new_output: bool = False) -> DetectionReport:
    """Look for everything voxlip puts in and next to its outputs: audio mark, frame mark, C2PA, record.

    The marks are looked for throughout the file, then in its parts and channels (a file that is voxlip's only in
    part); a long video's frames are read spread over its first MAX_SECONDS. `new_output`: the check of a file
    voxlip has just made, which must carry its marks throughout: its first `max_frames` frames, all of its sound (an
    output is any length), and no search of parts."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(
            f"detect takes a file's path, not {type(path).__name__}: give the file a result was saved to "
            "(result.save(path)), or a Clip's own MP4 (clip.path)"
        )
    path = Path(path).expanduser()
    check_not_stream(path)
    if path.is_dir():
        raise InputError(f"{path} is a directory: give an audio or video file")
    if not path.is_file():
        raise InputError(f"{path} does not exist: give an audio or video file")
    try:
        info = probe(path)
    except PictureTooLarge:
        raise
    except InputError:
        raise InputError(
            f"could not read {path}: it is no audio, video or image file ffmpeg can decode, or it is corrupt; "
            "give the file to check (a voxlip output, or any recording, video or picture)"
        ) from None
    kind = _kind(info)
    has_audio = kind == "audio" or info.has_audio
    audio, seconds, track, silent = _audio_mark(info, new_output) if has_audio else (None, None, None, False)
    frames, rate, damage = _frame_mark(info, kind, max_frames, new_output) if kind != "audio" else (None, None, None)
    with folder_lock(path.parent, shared=True):  # a writer moves a file and its record as a pair under it
        record = read_record(path)
        matches = None if record is None else record.get("output", {}).get("sha256") == sha256_file(path)
        unreadable = record is None and record_path(path).is_file()
    mime_type = CONTAINER_MIME_TYPES.get(info.demuxer.split(",")[0])
    credentials = read_credentials(path, mime_type=mime_type)
    return DetectionReport(
        path, kind, audio, seconds, track, frames, rate, credentials, record, matches, unreadable, silent, damage
    )


def _signer_finding(credentials: CredentialsReport) -> str:
    """Who signed the credentials, and how far that may be trusted, in words: this machine's own key is trusted by
    this machine alone, so it is not called trusted."""
    if credentials.own_key:
        return f"signed by this machine's own voxlip key ({credentials.signer}), which no public trust list knows"
    if credentials.trusted:
        return f"signed by {credentials.signer}, whose certificate chains to your VOXLIP_C2PA_TRUST_ANCHORS"
    if credentials.valid:
        return f"signed by {credentials.signer}, a signer in no trust list known here"
    return f"signed by {credentials.signer}"


def _ingredient_finding(ingredient: Ingredient) -> str:
    """What the credentials an ingredient carries say, in words."""
    if ingredient.generator is None:
        return "it carried no content credentials of its own"
    validity = "valid" if ingredient.valid else "INVALID"
    return f"its own content credentials kept ({validity} when it was used; generator {ingredient.generator})"


def _audio_mark(info: MediaInfo, new_output: bool) -> tuple[AudioMarkResult | None, float, int | None, bool]:
    """The audio mark found in the file (its first MAX_SECONDS; a new output's whole sound, tested throughout only;
    None where it holds no samples), the seconds of sound tested, which audio track held it when there are several,
    and whether its sound is silence or none."""
    if new_output:
        wave = load_audio(info.path, AUDIO_MARK.sample_rate, max_seconds=None)
        mark = detect_audio_mark(wave, AUDIO_MARK.sample_rate)
        return mark, len(wave) / AUDIO_MARK.sample_rate, None, is_silent(wave)
    if info.audio_tracks > 1:
        return _best_track(info)
    decoded = decode(info.path, max_seconds=MAX_SECONDS, decode_rate=None)
    if decoded.samples.size == 0:  # a valid file with no sound: nothing to check, not a file to refuse
        return None, 0.0, None, True
    wave, sample_rate, _ = recording_of(decoded)
    return find_audio_mark(wave, sample_rate), len(wave) / sample_rate, None, is_silent(wave)


def _frame_mark(
    info: MediaInfo, kind: str, max_frames: int, new_output: bool
) -> tuple[FrameMarkResult, float | None, str | None]:
    """The frame mark found in up to `max_frames` frames (the first, or spread over a longer video's first MAX_SECONDS;
    at most MAX_SIDE pixels wide and high), the rate they were read at (None for a picture), and ffmpeg's first error
    when the video is damaged (the mark is then of the frames it decoded)."""
    spread = not new_output and info.fps > 0 and info.duration * info.fps > max_frames
    span = min(info.duration, MAX_SECONDS)  # decoding is the cost: its first 10 min, as of its sound
    rate = max_frames / span if spread else None if kind == "image" else info.fps or None
    size = scaled_size(info.width, info.height, MAX_SIDE, min_size=1)
    damage: list[str] = []
    read = read_frames(
        info.path,
        rate if spread else None,
        max_frames=max_frames,
        pixel_format="rgb24",
        size=size,
        on_damage=damage.append,
    )
    mark = find_frame_mark(read, FRAME_MARK, search=not new_output)
    return mark, rate, damage[0] if damage else None


def _best_track(info: MediaInfo) -> tuple[AudioMarkResult, float, int, bool]:
    """The mark found in the best of a file's audio tracks (its first MAX_SECONDS each), its length, which it is, and
    whether all of them are silent: as each track is a test more, the z needed rises with their number."""
    found, silent = [], True
    for track in range(info.audio_tracks):
        wave = decode_audio(
            info.path, AUDIO_MARK.sample_rate, MAX_SECONDS, channels=2, track=track, on_timeline=info.has_video
        )
        wave = wave[: int(MAX_SECONDS * AUDIO_MARK.sample_rate)]
        found.append((find_audio_mark(wave, AUDIO_MARK.sample_rate), len(wave) / AUDIO_MARK.sample_rate, track))
        silent = silent and is_silent(wave)
    mark, seconds, track = max(found, key=lambda finding: finding[0].score)
    needed = needed_z(mark.needed, info.audio_tracks)
    mark = replace(
        mark, detected=mark.score >= needed, needed=needed, p_value=min(1.0, mark.p_value * info.audio_tracks)
    )
    return mark, seconds, track, silent
