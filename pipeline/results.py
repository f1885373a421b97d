"""What the pipeline returns: speech and talking clips, already marked; each knows what made it and saves itself."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core.components import Component
from core.errors import InputError, VoxlipError
from core.files import InputData, InputFile, sha256_file
from voice.audio import encode_audio
from voice.speaker import Speaker
from voice.synthesis import Synthesis

from . import outputs
from .provenance.consent import CONSENT_STATEMENT, ConsentError
from .provenance.label import LabelConfig
from .provenance.seal import is_sealed, seal

if TYPE_CHECKING:  # moviepy is optional, imported only when a moviepy clip is asked for
    from moviepy import VideoFileClip


@dataclass(frozen=True, eq=False)
class Speech(Synthesis):
    """The voice stage's speech, watermarked, with the speaker it imitates; `wave, sr = speech` unpacks it.

    `components` name the speaker encoder too; `consent` is the statement made when it was asked
    for, recorded with it. Compared and hashed by identity: each is one thing made.
    """

    text: str | None = None
    """What is said; None for a re-voiced recording (voxlip does not know its words) or one built by hand."""
    components: tuple[Component, ...] = ()
    """The speaker encoder and the voice's models that made it; none named for one built by hand (which `save`
    refuses, saying what to do instead)."""
    speaker: Speaker | None = None
    consent: str | None = None
    source: Path | None = None
    """The recording it re-voices (`Pipeline.convert_voice`), None for speech made from text."""
    source_sha256: str | None = None
    """That recording's sha256 when it was read."""
    source_given: InputData | None = None
    """What it re-voices when that came in memory (samples, a Speech), for the record; None for a file."""
    mark_strength_db: float | None = None
    """The strength its audio mark was made at (outputs.marked_audio), for the record."""
    settings: dict = field(default_factory=dict)
    """What it was made with, as its record names it: {"voice": {"seed": ..., ...}} (`seed`)."""
    _seal: bytes | None = field(default=None, repr=False)
    """voxlip's proof that it made this speech, marked, as its record would name it (provenance.seal, over
    `_recorded_fields`); `save` needs it."""

    def __repr__(self) -> str:
        """What a notebook shows of it: its words, length, rate, seed, the components that made it by name, its notes
        and reference file; its settings, consent statement and the speaker's voice are its fields."""
        return summary(
            self,
            text=self.text,
            duration=round(self.duration, 2) if self.sample_rate else None,
            sample_rate=self.sample_rate,
            seed=self.seed,
            components=component_names(self.components),
            reference=self.reference_file.name if self.reference_file else None,
            notes=self.notes,
        )

    def __iter__(self) -> Iterator[Any]:
        """(samples, sample rate): `wave, sr = speech`."""
        return iter((self.samples, self.sample_rate))

    def __enter__(self) -> Speech:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to free: a Speech holds its samples in memory and no file (`convert_voice`'s Speech or Clip can be
        closed alike)."""

    @property
    def seed(self) -> int | None:
        """The seed it was made with (one drawn at random when none was given): the same call with `seed=` this makes
        it again. None for speech built by hand."""
        return self.settings.get("voice", {}).get("seed")

    @property
    def reference_file(self) -> Path | None:
        """The recording of the speaker it imitates (None when that came as samples)."""
        return self.speaker.source if self.speaker is not None else None

    @property
    def reference_input(self) -> InputFile | InputData | None:
        """That recording as it was read, or what it was when it came as samples (None without a speaker)."""
        if self.speaker is not None and self.speaker.given is not None:
            return self.speaker.given
        return _read_as(self.reference_file, self.speaker.source_sha256 if self.speaker is not None else None)

    @property
    def source_input(self) -> InputFile | InputData | None:
        """The recording it re-voices as it was read, or what it was when it came in memory; None for speech made from
        text."""
        return self.source_given or _read_as(self.source, self.source_sha256)

    @property
    def _recorded_fields(self) -> tuple:
        """What its provenance record and content credentials are made from, which its seal covers: its samples and
        rate, text, components, the recordings it names (the reference, by the fields its Speaker records; the
        recording re-voiced), consent, mark strength and settings."""
        speaker = self.speaker
        reference = None if speaker is None else (speaker.source, speaker.source_sha256, speaker.given)
        source = (self.source, self.source_sha256, self.source_given)
        return (
            self.samples,
            self.sample_rate,
            self.text,
            self.components,
            reference,
            source,
            self.consent,
            self.mark_strength_db,
            *((self.settings,) if self.settings else ()),
        )

    def __setstate__(self, state: dict) -> None:
        """A pickled Speech back as it was; one pickled by a voxlip that recorded no settings has none (its seal
        covers none: `_recorded_fields`)."""
        self.__dict__.update({"settings": {}, **state})

    @property
    def as_made(self) -> bool:
        """Whether this is speech voxlip made, with the consent it took, unchanged since (its seal matches)."""
        return self.consent == CONSENT_STATEMENT and is_sealed(self._recorded_fields, self._seal)

    def save(self, path: str | os.PathLike) -> Path:
        """Write a WAV, FLAC or MP3 (by `path`'s ending) with its content credentials, atomically, and its provenance
        record beside it. Only speech voxlip made with consent, as it made it, is saved: one built by hand, or changed
        since (anything its record names: its samples, rate, text, components, recordings, mark strength, settings or
        consent), is refused."""
        _check_as_made(self)
        inputs = _recorded({outputs.REFERENCE_VOICE: self.reference_input, outputs.SOURCE_SPEECH: self.source_input})
        path = outputs.check_output(path, "audio", _paths(inputs))
        with outputs.finished_output(
            path,
            "audio",
            list(self.components),
            inputs,
            self.consent,
            self.text,
            mark_strength_db=self.mark_strength_db,
            settings=self.settings,
        ) as partial:
            partial.write_bytes(encode_audio(self.samples, self.sample_rate, path.suffix[1:]))
        return path


Result = TypeVar("Result", "Speech", "Clip")


def sealed(result: Result) -> Result:
    """`result` with voxlip's seal over what its record is made from (provenance.seal): what the pipeline returns, and
    what `save` takes only unchanged."""
    return dataclasses.replace(result, _seal=seal(result._recorded_fields))


def _check_as_made(result: Speech | Clip) -> None:
    """Refuse (InputError) a Speech or Clip without the consent voxlip took, or not as voxlip made it: built by hand,
    or changed since in what its record and content credentials name."""
    name = type(result).__name__
    makers, own = (
        ("clone_voice, stream_voice or convert_voice", "audio of your own is marked with pipeline.outputs.mark_audio()")
        if isinstance(result, Speech)
        else (
            "lipsync, text_to_clip or convert_voice",
            "frames of your own are labelled and marked with pipeline.outputs.protect_frames()",
        )
    )
    if result.consent != CONSENT_STATEMENT:
        raise ConsentError(
            f"this {name} carries no statement of consent voxlip took (consent={result.consent!r}), so it is not saved "
            f"as voxlip's output: make it with {makers} and consent=True, and save the {name} they return"
        )
    if not result.as_made:
        recorded = (
            "samples, rate, text, components, speaker, source, mark_strength_db, settings"
            if isinstance(result, Speech)
            else "components, inputs, text, label, face_is_photo, mark_strength_db, settings"
        )
        raise InputError(
            f"this {name} is not as voxlip made it (built by hand, or changed since: its {recorded} or consent, which "
            f"its provenance record and content credentials name; only notes and timings may be replaced), so it is "
            f"not saved as voxlip's output: save the {name} {makers} returned, unchanged, and edit the saved file if "
            f"you must; {own} and signed with pipeline.outputs.finish_output()"
        )


class ClipFolder:
    """A temporary folder for one clip's MP4: removed by `remove()`, or when nothing refers to it or Python exits,
    quietly (a TemporaryDirectory left to the garbage collector warns "Implicitly cleaning up")."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="voxlip-clip-"))
        self._remove = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)
        self._readers: list[weakref.ref] = []

    def lend(self, reader: object) -> object:
        """`reader` (a moviepy clip of the MP4), detached when the folder is removed: it then says so when read."""
        self._readers.append(weakref.ref(reader))
        return reader

    def remove(self) -> None:
        """Remove the folder and what is in it (once; later calls do nothing), detaching the readers lent it."""
        from .moviepy_io import detach

        for reader in filter(None, (ref() for ref in self._readers)):
            detach(reader)
        self._readers.clear()
        self._remove()

    @property
    def removed(self) -> bool:
        return not self._remove.alive

    def __reduce__(self) -> tuple:
        raise TypeError(
            "a Clip is not pickled: its MP4 is a temporary file of this process, removed when the clip is closed or no "
            "longer referred to; save it (clip.save(path)) and pass the path instead"
        )

    def __deepcopy__(self, memo: dict) -> ClipFolder:
        """The folder itself: a deep copy of a Clip shares its MP4, as a copy does."""
        return self


@dataclass(eq=False)
class Clip:
    """A talking clip: an MP4 (H.264 + AAC) with the label and marks, kept in a temporary folder until it is closed.

    `close()` (or a `with` block) removes that folder once the clip is saved; a clip nothing refers to is removed
    too, when the garbage collector gets to it, or when Python exits. Compared and hashed by identity.
    """

    path: Path
    duration: float
    fps: float
    frames: int
    frames_without_face: int | None
    """Frames in which no face was found, left as they were; None for a dub (convert_voice), which looks for none."""
    components: tuple[Component, ...]
    inputs: dict[str, Path]
    input_sha256: dict[str, str | None] = field(default_factory=dict)
    """Each input's sha256 when it was read, for the record (an input without one is hashed when saved)."""
    given: dict[str, InputData] = field(default_factory=dict)
    """The inputs that came in memory (samples, a picture, a moviepy clip): what each was and its data's sha256, for
    the record."""
    text: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    consent: str | None = None
    label: LabelConfig | None = None
    """The visible label its frames were drawn with (the FrameProtector's); a clip without one is not saved."""
    picture: tuple[int, int, int, int] | None = None
    """(top, bottom, left, right) in pixels of the picture inside bars its label and mark were drawn in (the
    FrameProtector's); None: the whole frame."""
    face_is_photo: bool = False
    """Whether its face input was a photo it was made from (its content credentials: created from it), not a video
    whose frames it edits."""
    mark_strength_db: float | None = None
    """The strength its soundtrack's audio mark was made at, for the record; None where the audio given carried the
    mark already (a voxlip output lip-synced)."""
    settings: dict = field(default_factory=dict)
    """What it was made with, as its record names it: {"voice": {...}} for the speech voxlip made for it,
    {"lipsync": {"seed": ..., ...}} for the lip-sync (`seed`)."""
    _workdir: ClipFolder | None = field(default=None, repr=False, compare=False)
    _seal: bytes | None = field(default=None, repr=False, compare=False)
    """voxlip's proof that it made this clip as its record would name it (provenance.seal, over `_recorded_fields`);
    `save` needs it. Its MP4 is checked for voxlip's marks when it is saved."""
    _closed: bool = field(default=False, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        """What a notebook shows of it: its MP4, length, frames, seed, the components that made it by name and its
        notes, and whether it is closed; its settings, inputs, label and consent statement are its fields."""
        return summary(
            self,
            path=self.path,
            duration=round(self.duration, 2),
            fps=self.fps,
            frames=self.frames,
            frames_without_face=self.frames_without_face,
            seed=self.seed,
            components=component_names(self.components),
            notes=self.notes,
            closed=self.closed,
        )

    def __enter__(self) -> Clip:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the clip's temporary MP4 and its folder; `save` it first to keep it. Closing again does nothing."""
        self._closed = True
        if self._workdir is not None:
            self._workdir.remove()

    @property
    def closed(self) -> bool:
        return self._closed or (self._workdir is not None and self._workdir.removed)

    @property
    def neural(self) -> bool:
        return all(c.neural for c in self.components)

    @property
    def seed(self) -> int | None:
        """The seed it was made with (one drawn at random when none was given): its lip-sync's, which `text_to_clip`
        seeds as it seeds the voice; a dub's, its voice's. The same call with `seed=` this makes it again."""
        stage = self.settings.get("lipsync") or self.settings.get("voice") or {}
        return stage.get("seed")

    @property
    def _recorded_fields(self) -> tuple:
        """What its provenance record and content credentials are made from, besides its MP4, which its seal covers."""
        return (
            self.components,
            self.inputs,
            self.input_sha256,
            self.given,
            self.text,
            self.label,
            self.picture,
            self.face_is_photo,
            self.consent,
            self.mark_strength_db,
            self.settings,
        )

    @property
    def as_made(self) -> bool:
        """Whether this is a clip voxlip made, with the consent it took, unchanged since in what its record names (its
        seal matches)."""
        return self.consent == CONSENT_STATEMENT and is_sealed(self._recorded_fields, self._seal)

    def save(self, path: str | os.PathLike) -> Path:
        """Copy the MP4 to `path` with its content credentials, atomically, and its provenance record beside it. Only a
        clip voxlip made with consent, as it made it, is saved: one built by hand, or changed since (anything its record
        names: its components, inputs, text, label, face_is_photo, mark_strength_db, settings or consent), is
        refused."""
        self._check_open("saved")
        _check_as_made(self)
        files = {role: _read_as(p, self.input_sha256.get(role)) for role, p in self.inputs.items()}
        inputs = _recorded({**files, **self.given})
        path = outputs.check_output(path, "video", _paths(inputs))
        with outputs.finished_output(
            path,
            "video",
            list(self.components),
            inputs,
            self.consent,
            self.text,
            self.label,
            self.face_is_photo,
            self.picture,
            self.mark_strength_db,
            self.settings,
        ) as partial:
            shutil.copyfile(self.path, partial)
        return path

    @property
    def sha256(self) -> str:
        self._check_open("hashed")
        return sha256_file(self.path)

    def to_moviepy(self) -> VideoFileClip:
        """The clip as a moviepy VideoFileClip, with its audio (needs moviepy: pip install 'voxlip[moviepy]').

        It reads this clip's MP4, which it keeps alive until the clip is closed (then reading it raises); `save` the
        clip to keep a marked copy with its record.
        """
        from .moviepy_io import video_clip

        self._check_open("read")
        clip = video_clip(self.path, keep_alive=self)
        return clip if self._workdir is None else self._workdir.lend(clip)

    def _check_open(self, doing: str) -> None:
        """A VoxlipError saying the clip was closed, if it was: its MP4 is gone."""
        if self.closed:
            gone = (
                "this clip was closed, and its MP4 removed with it"
                if self._closed
                else "a copy of this clip, which shares its MP4, was closed, and the MP4 removed with it"
            )
            raise VoxlipError(
                f"{gone}, so it cannot be {doing}: save it "
                "(clip.save(path)) before closing it, or before the `with` block around it ends"
            )


def summary(instance: object, **fields: object) -> str:
    """`Name(field=value, ...)`: the short repr of a result or a Pipeline, naming the fields given."""
    return f"{type(instance).__name__}({', '.join(f'{name}={value!r}' for name, value in fields.items())})"


def component_names(components: tuple[Component, ...]) -> tuple[str, ...]:
    """Each component's checkpoint (or method) name, without its role and sha256: what a short repr names."""
    return tuple(component.checkpoint for component in components)


def _read_as(path: Path | None, sha256: str | None) -> InputFile | None:
    """An input as it was read, or as it is now when its sha256 was not kept; None for none."""
    if path is None:
        return None
    if sha256 is None:
        return InputFile.read(path) if Path(path).is_file() else None
    return InputFile(Path(path), sha256)


def _recorded(inputs: dict[str, InputFile | InputData | None]) -> dict[str, InputFile | InputData]:
    return {role: read for role, read in inputs.items() if read is not None}


def _paths(inputs: dict[str, InputFile | InputData]) -> list[Path]:
    """The files among the inputs, which an output may not overwrite."""
    return [read.path for read in inputs.values() if isinstance(read, InputFile)]


def clip_inputs(inputs: Mapping[str, InputFile | InputData | None]) -> dict:
    """A Clip's `inputs`, `input_sha256` and `given` (keyword arguments) from each role's input: a file as it was read,
    what came in memory, or None for none."""
    files = {role: read for role, read in inputs.items() if isinstance(read, InputFile)}
    return {
        "inputs": {role: read.path for role, read in files.items()},
        "input_sha256": {role: read.sha256 for role, read in files.items()},
        "given": {role: given for role, given in inputs.items() if isinstance(given, InputData)},
    }
