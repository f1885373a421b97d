"""The lip-sync engine: a face video or photo plus speech in, an MP4 of the face speaking it out.

Frames stream from ffmpeg in batches: tracked, given a new mouth by the caller's `MouthRenderer`,
passed through the caller's per-frame hook (voxlip's output layer labels and marks them there) and
written to ffmpeg as they go, so memory stays flat however long the input. Decoding and face
tracking run in a worker thread a few batches ahead (they start while the audio is prepared); a
renderer that needs every core (torch) gets them to itself while it runs. A renderer that picks mouths
from the whole video has its frames indexed first, by trackers working on stretches of it at once.
The video is as long as the audio: a shorter video plays forward and back (or loops), a longer one is cut
(a note says how a shorter one was made to cover it).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.bars import picture_in
from core.components import Component
from core.errors import InputError
from core.ffmpeg import Mp4Writer, hdr_notes
from core.files import atomic_output, check_output_name
from core.memory import return_freed_memory
from voice.audio import SAMPLE_RATE, AudioSource, Decoded, load_audio, save_audio

from .audio_frames import video_frame_count
from .background import CoreTurns, StageTimer, in_background
from .face import (
    Detector,
    Face,
    FaceDetector,
    FaceOptions,
    FaceTracker,
    most_faces,
    tracking_components,
    upright_turns,
)
from .options import LipsyncOptions
from .renderer import MouthRenderer
from .video import FaceInput, FrameSource, face_path, open_face, output_fps, sample_frames, turned_box, upright

FrameHook = Callable[[np.ndarray], np.ndarray]
"""hook(BGR frame) -> the frame to write, same size."""
Soundtrack = Callable[[], tuple[np.ndarray, int]]
"""soundtrack() -> (samples, rate): the clip's audio track, made while the renderer prepares."""
ProgressCallback = Callable[[int, int, float], None]
"""progress(frames done, frames in all, frames per second so far)."""


@dataclass(frozen=True)
class LipsyncResult:
    path: Path
    frames: int
    frames_without_face: int
    """Frames where the face was not found: passed through untouched."""
    fps: float
    duration: float
    width: int
    height: int
    components: tuple[Component, ...]
    """The face tracker's and the renderer's."""
    scaled_from: tuple[int, int] | None = None
    """(width, height) of the input when its frames were scaled: down to `options.max_size`, or up to MIN_SIZE."""
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Busy time of each stage; decoding and face tracking overlap the others (a worker thread)."""
    wall_seconds: float = 0.0
    """The whole run, from reading the inputs to the finished MP4."""
    notes: tuple[str, ...] = ()
    """What the renderer says about how it made the mouths (e.g. frames it could not take from the video)."""

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.wall_seconds if self.wall_seconds > 0 else 0.0


def check_face(
    face: str | os.PathLike | FaceInput,
    options: LipsyncOptions = LipsyncOptions(),
    detector: Detector | None = None,
    samples: int = 8,
) -> tuple[FaceInput, int]:
    """Refuse early (before any speech is made) a face input without the face to animate; the input, opened, and the
    most faces it shows in one frame (when more than one, the largest speaks unless a face index is given).

    A photo is checked whole (and turned upright when its face lies on its side: open_face); a video at `samples`
    frames spread over its length, and turned upright too when they show its face on its side (UPRIGHT_SHARE: a
    video without a rotation tag, filmed with the phone turned and left so, has half its frames' faces missed).
    """
    face = open_face(face, options.max_size)
    frames = sample_frames(face, samples)
    own = detector is None
    detector = detector or FaceDetector(options.face_options.min_detection_confidence)
    try:
        found = [_face_boxes(detector, frame) for frame in frames]
        upright_found = sum(map(bool, found))
        if face.photo is None and upright_found < UPRIGHT_SHARE * len(frames):
            # the samples without an upright face say how they would turn (0: no face either way)
            turned = [upright_turns(frame, detector) for frame, boxes in zip(frames, found) if not boxes]
            votes = [turns for turns in turned if turns]
            turns = max(votes, key=votes.count, default=0)
            if turns and votes.count(turns) >= upright_found:
                face = replace(face, video_turns=turns)
                found = [_face_boxes(detector, upright(frame, turns)) for frame in frames]
    finally:
        if own:
            detector.close()
    # found in upright frames (a photo's image is upright already): where the clip, turned back, shows them; a
    # video's samples are read as the clip shows them
    picture = picture_in(frames)
    if picture is not None and face.photo is not None:
        picture = turned_box(picture, -face.turns)
    face = replace(
        face, face_boxes=tuple(turned_box(box, -face.turns) for boxes in found for box in boxes), picture=picture
    )
    counts = [len(boxes) for boxes in found]
    return face, most_faces(counts, options.face_options, str(face.info.path), "" if own else detector_hint(detector))


def _face_boxes(detector: Detector, frame: np.ndarray) -> list[tuple[float, float, float, float]]:
    """The boxes of the faces `detector` finds in `frame`, as fractions of its width and height."""
    height, width = frame.shape[:2]
    return [(x1 / width, y1 / height, x2 / width, y2 / height) for x1, y1, x2, y2, *_ in detector(frame)]


def detector_hint(detector: Detector | None) -> str:
    """What a refusal for a face not found says of a detector other than the default: its name, and the default."""
    if detector is None:
        return ""
    component = getattr(detector, "component", None)
    name = component.checkpoint if component is not None else "the face detector given"
    return f" by {name} (try the default detector: face_detector='blazeface')"


UPRIGHT_SHARE = 0.75
"""A video whose face is found upright in fewer of check_face's samples than this is asked whether it lies on its
side (the shared clips: 8 of 8; a clip turned a quarter without a rotation tag: about half): it is turned when at least
as many of the others show a face turned one way as show one upright."""


def run(
    face: str | os.PathLike | FaceInput,
    audio: AudioSource | Decoded,
    out_path: str | os.PathLike,
    renderer: MouthRenderer,
    options: LipsyncOptions = LipsyncOptions(),
    *,
    detector: Detector | None = None,
    frame_hook: FrameHook | None = None,
    soundtrack: Soundtrack | None = None,
    progress: ProgressCallback | None = None,
    source_sr: int | None = None,
) -> LipsyncResult:
    """Make `face` (video or photo, or either as open_face opened it) speak `audio` (an audio file, samples at
    `source_sr`, which an array needs: float or integer, mono or mixed to it, or a recording read already:
    voice.audio.read_already); write an H.264 + AAC MP4.

    `renderer` makes the mouths from `audio`; `frame_hook` is applied to every written frame (default: none) and
    `soundtrack` makes the audio track, at any rate and as long as `audio` (default: `audio`). `detector` finds
    the face (default: BlazeFace). `out_path` must end in .mp4 and be neither input (check_output_name, before any
    work); the MP4 appears there only when it is complete.
    """
    import cv2

    out_path = Path(out_path).expanduser()
    audio_path = None if isinstance(audio, (np.ndarray, Decoded)) else audio
    check_output_name(out_path, "video", (face_path(face), audio_path))
    audio = load_audio(audio, source_sr=source_sr)  # the edge: 16 kHz floats from here, integers scaled to [-1, 1]
    previous_threads = cv2.getNumThreads()
    if options.opencv_threads is not None:
        cv2.setNumThreads(options.opencv_threads)
    try:
        return _run(face, audio, out_path, renderer, options, detector, frame_hook, soundtrack, progress)
    finally:
        cv2.setNumThreads(previous_threads)
        return_freed_memory()  # a long-running process (the demo) would otherwise keep the run's peak


def _run(
    face: str | os.PathLike | FaceInput,
    audio: np.ndarray,
    out_path: Path,
    renderer: MouthRenderer,
    options: LipsyncOptions,
    detector: Detector | None,
    frame_hook: FrameHook | None,
    soundtrack: Soundtrack | None,
    progress: ProgressCallback | None,
) -> LipsyncResult:
    started = time.perf_counter()
    timer = StageTimer()
    face = open_face(face, options.max_size)
    info = face.info
    fps = output_fps(info, options.fps)
    n_frames = video_frame_count(audio, fps)
    face_options = options.face_options
    if progress is not None:  # at once: a video's mouths are indexed for seconds before the first frame is out
        progress(0, n_frames, 0.0)
    with ExitStack() as stack:
        with timer("setup"):
            source = stack.enter_context(FrameSource(face, fps, n_frames, options.loop, options.replay_cache_bytes))
        batch_size = max(1, min(options.batch_size, options.batch_bytes // max(1, source.frame_bytes)))
        turns = CoreTurns()
        depth = max(2, options.lookahead_bytes // (batch_size * source.frame_bytes))
        helpers = ThreadPoolExecutor(2, "voxlip-prepare")
        stack.callback(helpers.shutdown, cancel_futures=True)  # waits for the tasks running
        leaving = threading.Event()
        stack.callback(leaving.set)  # first: a run left early (an error, a stop) ends the indexing it would wait for
        observe = getattr(renderer, "observe", None)
        known: dict[int, Face | None] = {}
        indexing = None
        if observe is not None and not info.is_still:
            # A renderer that picks mouths from the whole video sees every source frame, tracked,
            # first; the frames are then decoded again but not tracked again.
            # At most the renderer's `index_seconds`: later frames are tracked as they are rendered.
            indexed = min(n_frames, max(1, int(getattr(renderer, "index_seconds", float("inf")) * fps)))
            indexing = helpers.submit(
                index_source, source, indexed, options, fps, timer, detector, observe, stop=leaving
            )
        else:  # decoding and tracking start now, a few batches ahead, while the audio is prepared
            batches = stack.enter_context(
                in_background(
                    _tracked_batches(source, face_options, fps, batch_size, timer, turns, detector, known), depth
                )
            )
        # The soundtrack is made beside the renderer's preparation (pocketsphinx releases the GIL).
        track = helpers.submit(_timed, soundtrack or (lambda: (audio, SAMPLE_RATE)), timer)
        renderer.prepare(audio, fps, n_frames, timer)
        if indexing is not None:
            known = indexing.result()
            arrange = getattr(renderer, "arrange", None)
            if arrange is not None:  # which source frame each output frame shows, hence its face
                if len(known) < indexed or indexed == n_frames:  # the whole video was indexed
                    order = [int(i) for i in source.output_order(n_frames, len(known))]
                else:  # only its start: the later frames' sources and faces are not known yet
                    order = list(range(indexed)) + [-1] * (n_frames - indexed)
                arrange([known.get(i) for i in order], order)
            batches = stack.enter_context(
                in_background(
                    _tracked_batches(source, face_options, fps, batch_size, timer, turns, detector, known), depth
                )
            )
        audio_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="voxlip-audio-"))
        mux_audio = save_audio(Path(audio_dir) / "speech.wav", *track.result())
        partial = stack.enter_context(atomic_output(out_path))
        width, height = (source.height, source.width) if face.turns % 2 else (source.width, source.height)
        writer = stack.enter_context(
            Mp4Writer(partial, width, height, fps, mux_audio, len(audio) / SAMPLE_RATE, options.encoder)
        )
        missing = done = 0
        for frames, faces in batches:
            frames = renderer.render(frames, faces, range(done, done + len(frames)), timer, turns)
            if face.turns:  # back as the input lies
                frames = [upright(frame, -face.turns) for frame in frames]
            if frame_hook is not None:
                with timer("marking"):  # two frames at once: OpenCV and NumPy release the GIL
                    frames = list(helpers.map(frame_hook, frames))
            with timer("encoding"):
                for frame in frames:
                    writer.write(frame)
            missing += sum(f is None for f in faces)
            done += len(frames)
            if progress is not None:
                progress(done, n_frames, done / max(time.perf_counter() - started, 1e-9))
        if missing == done:
            which = (
                "no face"
                if face_options.face_index is None
                else f"no face number {face_options.face_index} (from the left)"
            )
            raise InputError(
                f"{which} found in any frame of {info.path}{detector_hint(detector)}: give a photo or video of a "
                "person's face, seen from the front"
            )
        with timer("encoding"):
            writer.close()

    source.animated_as_photo = bool(getattr(renderer, "video_as_photo", False))
    return LipsyncResult(
        path=out_path,
        frames=n_frames,
        frames_without_face=missing,
        fps=fps,
        duration=len(audio) / SAMPLE_RATE,
        width=width,
        height=height,
        components=tracking_components(detector) + tuple(renderer.components),
        scaled_from=source.scaled_from,
        stage_seconds=dict(timer.seconds),
        wall_seconds=time.perf_counter() - started,
        notes=tuple(getattr(renderer, "notes", ())) + hdr_notes(info) + source.notes,
    )


def _timed(soundtrack: Soundtrack, timer: StageTimer) -> tuple[np.ndarray, int]:
    with timer("audio"):
        return soundtrack()


def _tracked_batches(
    source: FrameSource,
    face_options: FaceOptions,
    fps: float,
    batch_size: int,
    timer: StageTimer,
    turns: CoreTurns,
    detector: Detector | None,
    known: dict[int, Face | None],
) -> Iterator[tuple[list[np.ndarray], list[Face | None]]]:
    """(frames, the tracked face in each) batch by batch; a replayed source frame reuses its face, and a
    frame in `known` (indexed before) is not tracked again."""
    with ExitStack() as stack:
        tracker: FaceTracker | None = None
        faces = dict(known)
        for batch in _batches(source, batch_size, timer):
            with timer("face tracking"):
                tracked = []
                for source_index, frame in batch:
                    if source_index not in faces:
                        if tracker is None:
                            with timer("tracker setup"):
                                tracker = stack.enter_context(FaceTracker(face_options, fps, detector))
                        with turns.shared():
                            face = tracker.track(frame)
                    else:
                        face = faces[source_index]
                    if source.may_replay:
                        faces[source_index] = face
                    tracked.append(face)
            yield [frame for _, frame in batch], tracked


def index_source(
    source: FrameSource,
    n_frames: int,
    options: LipsyncOptions,
    fps: float,
    timer: StageTimer,
    detector: Detector | None,
    observe: Callable[[int, np.ndarray, Face | None], None],
    stop: threading.Event | None = None,
) -> dict[int, Face | None]:
    """Track each source frame the output will show, once, and show it to `observe`: {source index: face}.

    The frames are split into stretches tracked at once, each by its own tracker (a caller's detector serves
    one tracker only); `observe` sees one frame at a time, in no particular order. Once `stop` is set, each stretch
    ends after the frame it is on (what was tracked is returned: the caller, leaving, does not use it).
    """
    parts = index_parts(
        n_frames,
        round(options.index_warm_up_seconds * fps),
        options.index_threads if detector is None else 1,
        round(source.info.duration * fps),
    )
    observing = threading.Lock()

    def observed(index: int, frame: np.ndarray, face: Face | None) -> None:
        with observing:
            observe(index, frame, face)

    faces: dict[int, Face | None] = {}
    with ThreadPoolExecutor(len(parts), "voxlip-index") as pool:
        stretches = [
            pool.submit(_index_stretch, source, part, options.face_options, fps, timer, detector, observed, stop)
            for part in parts
        ]
        for stretch in stretches:
            faces.update(stretch.result())
    return faces


def index_parts(n_frames: int, warm_up: int, threads: int, expected: int | None = None) -> list[tuple[int, int, int]]:
    """(first tracked, first kept, end) source frames of each tracker's stretch of the first `n_frames`.

    Each tracker does the same work over the `expected` frames (a video shorter than the output has fewer; the
    header's count is an estimate, so the last stretch runs to `n_frames` whatever the file holds), every one
    but the first tracking `warm_up` frames before its first kept one. One stretch when more would not pay.
    """
    frames = min(n_frames, expected if expected is not None else n_frames)
    count = max(1, min(threads, frames // max(3 * warm_up, 1)))
    if count == 1:
        return [(0, 0, n_frames)]
    work = (frames + (count - 1) * warm_up) / count
    starts = [0] + [round(k * (work - warm_up) + warm_up) for k in range(1, count)]
    ends = starts[1:] + [n_frames]
    return [(max(0, start - (warm_up if k else 0)), start, end) for k, (start, end) in enumerate(zip(starts, ends))]


def _index_stretch(
    source: FrameSource,
    part: tuple[int, int, int],
    face_options: FaceOptions,
    fps: float,
    timer: StageTimer,
    detector: Detector | None,
    observe: Callable[[int, np.ndarray, Face | None], None],
    stop: threading.Event | None = None,
) -> dict[int, Face | None]:
    """Track source frames part[0] to part[2] - 1 with a tracker of its own; keep and observe those from part[1];
    end early once `stop` is set."""
    first_tracked, first_kept, end = part
    faces: dict[int, Face | None] = {}
    with timer("tracker setup"):
        tracker = FaceTracker(face_options, fps, detector)
    # Frames are read ahead in a thread of their own: ffmpeg decodes and the pipe is emptied while the
    # mesh measures the frame before.
    frames = source.distinct_frames(end, timer, start=first_tracked)
    with tracker, in_background(frames, depth=4, name="voxlip-decode") as decoded:
        for index, frame in decoded:
            if stop is not None and stop.is_set():
                break
            with timer("face tracking"):
                face = tracker.track(frame)
            if index >= first_kept:
                faces[index] = face
                with timer("indexing"):
                    observe(index, frame, face)
    return faces


def _batches(source: FrameSource, size: int, timer: StageTimer) -> Iterator[list[tuple[int, np.ndarray]]]:
    frames = iter(source)
    while True:
        with timer("decoding"):
            batch = []
            for item in frames:
                batch.append(item)
                if len(batch) == size:
                    break
        if not batch:
            return
        yield batch
