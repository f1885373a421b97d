"""The one output layer: every audio and clip voxlip makes is marked, labelled, written, signed and recorded here.

    path = check_output(path, "audio" | "video", inputs)    # before any work: a path voxlip may write
    marked = marked_audio(samples, sr)                       # every audio, and a video's soundtrack: .samples, and
                                                             # .strength_db, which its record names
    protector = FrameProtector(label, "bgr")
    frame = protector(frame)                                 # every video frame: visible label, then mark
    with finished_output(path, kind, components, inputs, consent, text, protector.label,
                         mark_strength_db=marked.strength_db) as partial:
        ... write the WAV / MP4 to partial ...               # checked and signed, then moved into place

`Speech.save` and `Clip.save` go through here; `detect(path)` finds it all again.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np

from core.bars import PictureBox, PictureFraction
from core.components import Component
from core.errors import InputError, VoxlipError
from core.ffmpeg import encoded_size
from core.files import (
    InputData,
    InputFile,
    atomic_pair,
    check_not_append_only,
    check_output_name,
    check_replaceable,
    sha256_file,
    temporary_name,
)
from core.output_kinds import OUTPUT_SUFFIXES
from core.printable import valid_unicode

from .provenance.audio_watermark import (
    AUDIO_MARK,
    MarkedAudio,
    ensure_audio_mark,
    ensured_audio_mark,
    mark_audio,
    marked_audio,
)
from .provenance.consent import ConsentError
from .provenance.credentials import (
    ANIMATED_PHOTO,
    CLONED,
    COMPONENT_OF,
    DUB,
    INPUT_TO,
    LIPSYNCED_VIDEO,
    PARENT_OF,
    REVOICED,
    REVOICED_AND_LIPSYNCED,
    Credit,
    SigningIdentity,
    Used,
    sign_file,
    signing_identity,
)
from .provenance.detect import detect
from .provenance.environment import current_environment
from .provenance.label import DEFAULT_LABEL, SMALLEST_FRAME, FaceBox, FrameLabeler, LabelConfig
from .provenance.record import ProvenanceRecord, describe_inputs, record_path, save_record, write_record
from .provenance.video_watermark import FRAME_MARK, FrameMarker

KINDS = ("audio", "video")
REFERENCE_VOICE = "reference_voice"
"""The input role of the recording of the voice an output speaks in: an input to the models (`inputTo`)."""
SOURCE_VIDEO = "source_video"
"""The input role of a video whose own frames an output keeps (a dub): the output is credited as an edit of it."""
SOURCE_SPEECH = "source_speech"
"""The input role of a recording whose speech an output says in another voice (`convert_voice`, and a clip lip-synced
to its Speech): the output is credited as an edit of it, or, in a clip that edits a face video, as made from it."""
FACE = "face"
"""The input role of the face a clip is made to say something: a video whose frames it edits (credited as an edit of
it), or a photo it is made from (`face_is_photo`)."""
AUDIO = "audio"
"""The input role of the audio a clip is lip-synced to, its soundtrack as given (credited as placed in it)."""
SAID = {
    AUDIO: "the audio given ({audio}), its soundtrack",
    SOURCE_SPEECH: "the recording ({source_speech}) re-voiced in the reference speaker's voice by voxlip's models",
}
"""What a clip's face was made to say, by the input it came from; speech voxlip made from text otherwise."""
SYNTHESISED_SPEECH = "speech synthesised from text by voxlip's voice models"
CHECKED_FRAMES = 16
"""Frames the check of a new video reads (its first 0.6 s): over 16 frames the mark's z-score is 9.5-12.4 on
the photos' clips of eval_lipsync_offline and 19-30 on its videos (threshold 5.0; over 50 frames 9.6-32),
and every frame read costs a cold `voxlip run` its decoding and measuring."""

__all__ = [
    "FrameProtector",
    "MarkedAudio",
    "check_output",
    "ensure_audio_mark",
    "ensured_audio_mark",
    "finish_output",
    "finished_output",
    "mark_audio",
    "marked_audio",
    "protect_frames",
]


class FrameProtector:
    """The per-frame hook of every video: the visible AI-generated label, clear of `faces` (the boxes of the faces the
    frames show, as fractions of a frame: FrameLabeler), then the invisible mark.

    Where the frames show their picture inside bars (`picture`: core.bars.picture_in of the frames they are made
    from, the same place in every frame), both go on the picture alone, as on a frame of its size: the label in one
    of its corners, the mark at its proportions, so that cropping the bars off, which costs no picture, keeps them both.
    Both go on the frame as its MP4 keeps it (core.ffmpeg.encoded_size): an odd last row or column, which the encoder
    crops, is left as it is, so that the mark is cut into the squares of the size it is read at (marked one pixel
    wider, a 465x480 frame had been cut into 31 columns of squares and read in 30: z 1.5).
    `channels` is "rgb", or "bgr" for OpenCV's frames (what the lip-sync engine hands over).
    """

    def __init__(
        self,
        label: LabelConfig = DEFAULT_LABEL,
        channels: str = "rgb",
        faces: Sequence[FaceBox] = (),
        picture: PictureFraction | None = None,
    ) -> None:
        self._picture = picture
        self._labeler = FrameLabeler(label, channels, [_within(face, picture) for face in faces] if picture else faces)
        self._marker = FrameMarker(FRAME_MARK, channels)
        self.picture: PictureBox | None = None
        """(top, bottom, left, right) in pixels of the picture inside bars the last frame was labelled and marked
        in (one for all of a clip's frames, which share a size); None: the whole frame as encoded (what the record
        names)."""

    @property
    def label(self) -> LabelConfig:
        """The label the frames carry, in the corner they show it in (what their record names)."""
        return self._labeler.drawn

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        height, width = frame.shape[:2]
        kept_width, kept_height = encoded_size(width, height)
        self.picture = _in_pixels(self._picture, height, width) if self._picture else None
        if self.picture is None and (kept_width, kept_height) == (width, height):
            return self._marker(self._labeler(frame))
        top, bottom, left, right = self.picture or (0, kept_height, 0, kept_width)
        protected = np.array(frame, copy=True)
        protected[top:bottom, left:right] = self._marker(self._labeler(frame[top:bottom, left:right]))
        return protected


def _within(face: FaceBox, picture: PictureFraction) -> FaceBox:
    """A face's box as fractions of the `picture` inside bars rather than of the frame."""
    left, top, right, bottom = picture
    width, height = right - left, bottom - top
    return ((face[0] - left) / width, (face[1] - top) / height, (face[2] - left) / width, (face[3] - top) / height)


def _in_pixels(picture: PictureFraction, height: int, width: int) -> PictureBox | None:
    """The picture inside bars in a `width` x `height` frame, its edge pixels rounded into the picture and an odd last
    row or column left out (encoded_size); None where it is the whole frame as encoded or too small to hold the label's
    whole text (SMALLEST_FRAME either way)."""
    left, top, right, bottom = picture
    kept_width, kept_height = encoded_size(width, height)
    box = (
        math.ceil(top * height - 1e-6),
        min(math.floor(bottom * height + 1e-6), kept_height),
        math.ceil(left * width - 1e-6),
        min(math.floor(right * width + 1e-6), kept_width),
    )
    if box == (0, kept_height, 0, kept_width) or min(box[1] - box[0], box[3] - box[2]) < SMALLEST_FRAME:
        return None
    return box


def protect_frames(
    frames: Iterable[np.ndarray], label: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"
) -> Iterator[np.ndarray]:
    """Every frame with the label and the mark, lazily."""
    protector = FrameProtector(label, channels)
    for frame in frames:
        yield protector(frame)


def check_output(
    path: str | os.PathLike, kind: str, inputs: Iterable[str | os.PathLike | None] = (), size_estimate: int = 0
) -> Path:
    """The output path, if an output of `kind` can be written there; else an InputError saying what to do.

    Checked before any work: a file name (not a folder), the ending of its format, a folder that exists
    or can be made and can be written to, room for about `size_estimate` bytes, that it is none of
    `inputs` (not even through a link): voxlip never overwrites what it reads, that a file already
    there, or its record, can be replaced, and that the certificate it is signed with is at hand (the local
    one made on first use: signing_identity).
    """
    suffixes = OUTPUT_SUFFIXES[kind]
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        hint = f" ({os.fsdecode(path)!r} as a str)" if isinstance(path, bytes) else ""
        raise InputError(
            f"the output path must be a str or os.PathLike (e.g. a pathlib.Path), not {type(path).__name__}{hint}"
        )
    if str(path).strip() in ("", "."):
        raise InputError(f"the output file name is empty: give one ending in {suffixes[0]}")
    path = Path(path).expanduser()
    try:
        return _checked_output(path, kind, inputs, size_estimate)
    except OSError as e:  # a folder's name too long, a loop of links: what the file system says of the path
        raise InputError(f"cannot write {path}: {e.strerror or e}; choose another name or folder") from None


def _checked_output(path: Path, kind: str, inputs: Iterable[str | os.PathLike | None], size_estimate: int) -> Path:
    """`path` if check_output_name (core.files, the stages' check too) and the folder it is to be in allow it."""
    folder = next((parent for parent in path.absolute().parents if parent.exists()), Path(path.absolute().anchor))
    _check_name_length(path, folder)
    check_output_name(path, kind, inputs, beside=(record_path(path),))
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: {folder} is a file, not a folder")
    _check_record_place(path)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise InputError(f"cannot write {path}: {_unwritable(folder, e)}; choose another folder") from None
    if folder == path.absolute().parent:  # a folder made for the output is not append-only
        check_not_append_only(folder, f"cannot write {path}: ")
    free = shutil.disk_usage(folder).free
    if free < size_estimate:
        free_words, needed_words = _sizes(free, size_estimate)
        raise InputError(
            f"cannot write {path}: {free_words} free in {folder}, and the output needs about {needed_words}; "
            "free some space or choose another folder"
        )
    signing_identity()
    return path


def _sizes(free: int, needed: int) -> tuple[str, str]:
    """`free` and `needed` bytes in words, in one unit (kB where both are under 1 MB, else MB), with as many decimals as
    tell them apart: rounded alike, "0.2 MB free, and the output needs about 0.2 MB" had read as a contradiction."""
    unit, name, fewest = (1e3, "kB", 0) if max(free, needed) < 1e6 else (1e6, "MB", 1)
    decimals = next((d for d in range(fewest, 7) if f"{free / unit:.{d}f}" != f"{needed / unit:.{d}f}"), 6)
    return f"{free / unit:.{decimals}f} {name}", f"{needed / unit:.{decimals}f} {name}"


def _unwritable(folder: Path, error: OSError) -> str:
    """Why no file could be made in `folder`, as its file system said (a folder of /proc answers "No such file")."""
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{folder} is not writable ({error.strerror})"
    return f"the file system of {folder} refused to make a file there ({error.strerror or error})"


def _check_name_length(path: Path, folder: Path) -> None:
    """That the file system of `folder` (the nearest that exists) takes the names written for `path`: its own, and
    longer ones on the way: its temporary copy's, which is finished under a temporary name of its own, and its
    record's beside it."""
    try:
        most = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255
    temporary = path.with_name(temporary_name(path))
    longest = max(len(os.fsencode(temporary_name(name))) for name in (temporary, record_path(path)))
    added = longest - len(os.fsencode(path.name))
    if longest > most:
        raise InputError(
            f"the output's file name is too long ({len(os.fsencode(path.name))} bytes): voxlip writes it, and its "
            f"record beside it, under longer names first; give a name of at most {most - added} bytes"
        )


def _check_record_place(path: Path) -> None:
    """That the provenance record of `path` can be written beside it: nothing but a file already has its name, and
    that file can be replaced."""
    record = record_path(path)
    if record.is_dir() or (record.exists() and not record.is_file()):
        raise InputError(
            f"cannot write {path}: its provenance record goes to {record}, which is a folder or a device, not a file; "
            "move that away or choose another name"
        )
    check_replaceable(record, f"cannot write {path}: its provenance record ")


@contextmanager
def finished_output(
    path: Path,
    kind: str,
    components: list[Component],
    inputs: dict[str, str | os.PathLike],
    consent: str | None,
    text: str | None = None,
    label: LabelConfig | None = None,
    face_is_photo: bool = False,
    picture: PictureBox | None = None,
    mark_strength_db: float | None = None,
    settings: dict | None = None,
) -> Iterator[Path]:
    """A temporary file beside `path` to write the output to; when the block ends it is checked for
    its marks and signed, its provenance record written, and the two are moved into place as a pair
    (core.files.atomic_pair). A video needs the `label` its frames were drawn with (the FrameProtector's),
    which its record names, with the `picture` inside bars they were drawn and marked in (the FrameProtector's; None:
    the whole frame); `face_is_photo` and `mark_strength_db` as finish_output's; `settings` what the output was made
    with (a Speech's or Clip's), which its record names.

    All or nothing: a failed check, signature or record, or a failure or stop (KeyboardInterrupt) at any
    point, leaves either the previous output and its record as they were (or none) or the new pair, so
    that `path` is never left half made, nor without its record, nor with another file's. Two writers of
    the same `path`, in threads or processes, leave one writer's file with that writer's record. Only a
    process killed outright between the two moves can leave the new record beside the old file (detect
    then says the record is not that file's).
    """
    with atomic_pair(path, record_path(path)) as (partial, partial_record):
        yield partial
        if not partial.is_file():  # removed under voxlip (most often with its folder): nothing to check or move
            gone = f"its folder {path.parent}" if not path.parent.is_dir() else f"the file {partial.name} beside it"
            raise VoxlipError(f"could not write {path}: {gone} was removed while it was written")
        record = _signed_record(
            partial,
            path.name,
            kind,
            components,
            inputs,
            consent,
            text,
            label,
            None,
            face_is_photo,
            picture,
            mark_strength_db,
            settings,
        )
        save_record(partial_record, record)


def finish_output(
    path: str | os.PathLike,
    kind: str,
    components: list[Component],
    inputs: dict[str, str | os.PathLike],
    consent: str | None,
    text: str | None = None,
    label: LabelConfig | None = None,
    identity: SigningIdentity | None = None,
    face_is_photo: bool = False,
    mark_strength_db: float | None = None,
) -> ProvenanceRecord:
    """Finish an output already written at `path` (WAV, FLAC, MP3 or MP4), in place: check, sign, record.

    `inputs` maps roles ("reference_voice", "face", "audio", ...) to the files used; they are recorded with
    `consent`, the statement `require_consent` gave when the request came in, without which they are
    refused, and its content credentials name them as `_credit` says (`face_is_photo`: a clip's "face" is a photo
    it was made from, not a video whose frames it edits). A video's `label` is the one its frames were drawn with
    (protect_frames' or a FrameProtector's), which its record names; a video without it is refused.
    `mark_strength_db`: the strength its audio was marked at (`marked_audio(...).strength_db`), which its record names;
    None where that is not known (the audio came marked). `finished_output` does the same for an output being written.
    """
    path = Path(path)
    _check_record_place(path)
    record = _signed_record(
        path,
        path.name,
        kind,
        components,
        inputs,
        consent,
        text,
        label,
        identity,
        face_is_photo,
        mark_strength_db=mark_strength_db,
    )
    write_record(path, record)
    return record


def _check_label(kind: str, label: LabelConfig | None) -> None:
    """A video is finished with the label drawn on its frames, which its record names; audio has none."""
    if kind == "video" and not isinstance(label, LabelConfig):
        raise VoxlipError(
            f"a video is signed with the visible label its frames carry, and none was given (label={label!r}), so "
            "nothing was written: draw it with protect_frames(frames, label) (or a FrameProtector) and pass the same "
            "label=..."
        )
    if kind == "audio" and label is not None:
        raise VoxlipError("audio carries no visible label: finish it without label=...")


def _credit(
    kind: str, inputs: dict[str, str | os.PathLike | InputFile | InputData], face_is_photo: bool
) -> Credit | None:
    """What an output is credited as, and the inputs it names as ingredients (as they were read): as `_edit` says, and
    its `REFERENCE_VOICE`, the recording of the voice it speaks in, an input to the models; speech made from text and
    that voice alone is `CLONED` from it. None (created from nothing named) where no input is named."""
    used = {
        role: _as_read(given)
        for role, given in inputs.items()
        if role in (FACE, AUDIO, SOURCE_SPEECH, SOURCE_VIDEO, REFERENCE_VOICE)
    }
    credit = _edit(kind, used, face_is_photo)
    if REFERENCE_VOICE not in used:
        return credit
    voice = Used(REFERENCE_VOICE, used[REFERENCE_VOICE], INPUT_TO)
    return Credit(CLONED, (voice,)) if credit is None else Credit(credit.edit, (*credit.used, voice))


def _edit(kind: str, used: dict[str, InputFile | InputData], face_is_photo: bool) -> Credit | None:
    """What an output is credited as by the inputs it was made from besides a reference voice:
    - speech re-voiced: an edit of its `SOURCE_SPEECH`; a dub: an edit of its `SOURCE_VIDEO`, whose frames it keeps;
    - a clip of a face video: an edit of it (its frames kept, the mouth redrawn), its `AUDIO` placed in it as the
      soundtrack, or its `SOURCE_SPEECH`, re-voiced, an input to the models;
    - a clip of a face photo: made from it by the models, its `AUDIO` placed in it; or, where it says a recording
      re-voiced, an edit of that recording, as its speech is;
    None for what voxlip made from text (and a voice) alone."""
    if kind == "audio" or FACE not in used:
        role, edit = (SOURCE_SPEECH, REVOICED) if kind == "audio" else (SOURCE_VIDEO, DUB)
        return Credit(edit, (Used(role, used[role], PARENT_OF),)) if role in used else None
    if face_is_photo and SOURCE_SPEECH in used:
        return Credit(
            REVOICED_AND_LIPSYNCED,
            (Used(SOURCE_SPEECH, used[SOURCE_SPEECH], PARENT_OF), Used(FACE, used[FACE], INPUT_TO)),
        )
    said = next((SAID[role] for role in SAID if role in used), SYNTHESISED_SPEECH)
    edit, face = (ANIMATED_PHOTO, INPUT_TO) if face_is_photo else (LIPSYNCED_VIDEO, PARENT_OF)
    relationships = {FACE: face, AUDIO: COMPONENT_OF, SOURCE_SPEECH: INPUT_TO}
    return Credit(
        edit.saying(said), tuple(Used(role, used[role], relationships[role]) for role in relationships if role in used)
    )


def _as_read(given: str | os.PathLike | InputFile | InputData) -> InputFile | InputData:
    """An input as it was read (a path as it is now)."""
    return given if isinstance(given, (InputFile, InputData)) else InputFile.read(given)


def _signed_record(
    path: Path,
    name: str,
    kind: str,
    components: list[Component],
    inputs: dict[str, str | os.PathLike],
    consent: str | None,
    text: str | None,
    label: LabelConfig | None,
    identity: SigningIdentity | None,
    face_is_photo: bool = False,
    picture: PictureBox | None = None,
    mark_strength_db: float | None = None,
    settings: dict | None = None,
) -> ProvenanceRecord:
    """Check that `path` carries the marks (refuse an unmarked file), sign it as `name`, and make its record (naming
    `settings`: None where what made the output is not known, and the software it is made with).

    The content credentials' voxlip assertion signs what the record says of the watermarks, consent, settings and
    software; the settings as their JSON text (`settings_json`), since c2pa reads a list of numbers back as bytes or
    nothing (c2pa-rs #2570: pads [0, 10, 0, 0] as "AAoAAA==", [1.0, 1.4] as "")."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    _check_label(kind, label)
    if inputs and consent is None:
        raise ConsentError("a reference voice or face was used without a statement of consent: nothing is recorded")
    found = detect(path, max_frames=CHECKED_FRAMES, new_output=True)
    if found.audio is not None and not found.audio.detected and found.audio_seconds >= AUDIO_MARK.checked_seconds:
        raise VoxlipError(
            f"the audio would not carry voxlip's watermark (z = {found.audio.score:.1f}, {AUDIO_MARK.threshold} "
            "needed), so nothing was written: sound made from tones or test signals can be too narrow to hold it; give "
            "a recording of speech (your own samples: pass them through mark_audio() first)"
        )
    if kind == "video" and not (found.frames and found.frames.detected):
        score = found.frames.score if found.frames else 0.0
        raise VoxlipError(
            f"the video's frames would not carry voxlip's watermark (z = {score:.1f}, {FRAME_MARK.threshold} needed), "
            "so nothing was written: flat or drawn pictures such as test patterns can be too plain to hold it; give "
            "a photo or video of a face (your own frames: pass them through protect_frames() first)"
        )
    watermarks: dict = {}
    if found.audio is not None:
        watermarks["audio"] = {
            "scheme": AUDIO_MARK.key,
            "payload": None,
            "strength_db": mark_strength_db,
            "z_at_creation": round(found.audio.score, 2),
        }
    if found.frames is not None:
        watermarks["frames"] = {
            "scheme": FRAME_MARK.key,
            "payload": None,
            "strength": FRAME_MARK.strength,
            "z_at_creation": round(found.frames.score, 2),
            "frames_checked": found.frames.frames,
        }
    if label is not None:
        watermarks["visible_label"] = {"text": label.text, "corner": label.corner}
    if picture is not None:  # the label in a corner of the picture inside bars, the mark over it alone
        top, bottom, left, right = picture
        inside = {"left": left, "top": top, "width": right - left, "height": bottom - top}
        watermarks["visible_label"]["picture_inside_bars"] = inside
        watermarks["frames"]["picture_inside_bars"] = inside
    models = [
        {"name": c.checkpoint, "role": c.role, "sha256": c.sha256}
        | ({"config_sha256": c.config_sha256} if c.config_sha256 else {})
        for c in components
    ]
    environment = current_environment()
    name = valid_unicode(name)  # a name that is not UTF-8 by its bytes escaped: c2pa and JSON readers take no other
    details = {"voxlip_record": record_path(name).name, "watermarks": watermarks, "consent_stated": consent is not None}
    if settings is not None:
        details["settings_json"] = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    details["environment"] = environment
    sign_file(path, models, details, identity, title=name, credit=_credit(kind, inputs, face_is_photo))
    return ProvenanceRecord(
        output={"file": name, "kind": kind, "sha256": sha256_file(path)},
        inputs=describe_inputs(inputs, text),
        components=[asdict(c) for c in components],
        watermarks=watermarks,
        consent={"stated": consent is not None, "statement": consent},
        content_credentials={"embedded": True, "format": "C2PA", "generator": "voxlip"},
        settings=settings,
        environment=environment,
    )
