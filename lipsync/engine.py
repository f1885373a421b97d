"""The lip-sync engine: a face video or photo plus audio in, an MP4 of the face speaking it out.

Frames stream from ffmpeg in batches: tracked, given a new mouth (by a Wav2Lip-style generator when
one is given, else by the offline landmark animator), blended and written to ffmpeg as they go, so
memory stays flat however long the input. Decoding and face tracking run in a worker thread a few
batches ahead (they start while the audio is prepared); the generator, when there is one, gets the
cores to itself while it runs. The video is as long as the audio: a shorter video plays
forward and back (or loops), a longer one is cut.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import InputError
from pipeline.provenance import DEFAULT_LABEL, LabelConfig, ensure_audio_mark, protect_frames
from voice.audio import SAMPLE_RATE, load_audio, save_audio

from .animator import AnimatorConfig, MouthAnimator
from .audio_frames import frame_count, lipsync_mel, mel_windows, silent_frames
from .background import CoreTurns, in_background
from .blend import BlendConfig, first_masked_row, lower_face_mask, paste_face
from .face import Face, FaceOptions, FaceTracker, find_faces
from .video import EncoderOptions, MediaInfo, Mp4Writer, iter_frames, output_fps, probe, read_still
from .visemes import Phone, VisemeTrackConfig, shape_track

GENERATOR_SIZE = 96
OFFLINE_LABEL = "offline lip-sync"
AudioInput = str | os.PathLike | np.ndarray | tuple[np.ndarray, int]
Generator = Callable[..., Any]
"""`generator(mel, faces) -> mouths`, Wav2Lip's forward: mel (B, 1, 80, 16) and faces (B, 6, 96, 96)
(BGR / 255, the target with its lower half zeroed, then the reference) as torch tensors, returning
(B, 3, 96, 96) in [0, 1]."""
ProgressCallback = Callable[[int, int, float], None]
"""progress(frames done, frames in all, frames per second so far)."""


@dataclass(frozen=True)
class LipsyncOptions:
    fps: float | None = None
    """Output frame rate; default: the video's own (resampled to constant), 25 for a photo."""
    pads: tuple[int, int, int, int] = (0, 10, 0, 0)
    """Pixels added to the face box (top, bottom, left, right) for the generator's crop."""
    face_index: int | None = None
    """None: the largest face; k: the k-th face from the left."""
    loop: str = "pingpong"
    """How a video shorter than the audio is extended: "pingpong" (forward then back) or "loop"."""
    batch_size: int = 16
    precision: str = "float32"
    """The Wav2Lip generator's arithmetic: "float32" (exactly Wav2Lip's) or "bfloat16" (about 2x faster
    on CPUs with AVX512-BF16 or AMX; mouth pixels move by at most ~2/255)."""
    face: FaceOptions = FaceOptions()
    animator: AnimatorConfig = AnimatorConfig()
    visemes: VisemeTrackConfig = VisemeTrackConfig()
    blend: BlendConfig = BlendConfig()
    encoder: EncoderOptions = EncoderOptions()
    label: LabelConfig = DEFAULT_LABEL
    """The visible "AI-generated" label drawn on every frame: its corner and size (it is always drawn)."""
    replay_cache_bytes: int = 2 * 1024**3
    """Largest decoded video kept on disk to play it backwards (above: loop by decoding again)."""
    batch_bytes: int = 256 * 1024**2
    """Decoded frames held at once are capped to this, whatever `batch_size` says (4K input)."""
    lookahead_bytes: int = 128 * 1024**2
    """How far decoding and face tracking may run ahead of the generator (at least two batches):
    they start while the audio is prepared, and a head start there is time saved at the end."""
    opencv_threads: int | None = 1
    """OpenCV threads during the run (restored after): its per-frame work is small, and threads
    only fight over the cores with ffmpeg and torch. None leaves OpenCV's setting alone."""


@dataclass(frozen=True)
class LipsyncResult:
    path: Path
    mode: str
    """"wav2lip" (a generator was given) or "offline" (the landmark animator)."""
    label: str
    frames: int
    frames_without_face: int
    """Frames where the face was not found: passed through untouched."""
    fps: float
    duration: float
    width: int
    height: int
    phones_source: str | None = None
    """Where the offline animator's phones came from: "given" or "pocketsphinx"."""
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Busy time of each stage; decoding and face tracking overlap the others (a worker thread)."""
    wall_seconds: float = 0.0
    """The whole run, from reading the inputs to the finished MP4."""

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.wall_seconds if self.wall_seconds > 0 else 0.0


class StageTimer:
    """Seconds spent in each named stage, added up over calls (from any thread)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            with self._lock:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed


def run(
    face: str | os.PathLike,
    audio: AudioInput,
    out_path: str | os.PathLike,
    options: LipsyncOptions = LipsyncOptions(),
    *,
    generator: Generator | None = None,
    phones: list[Phone] | None = None,
    progress: ProgressCallback | None = None,
    audio_marked: bool = False,
) -> LipsyncResult:
    """Make `face` (video or photo) speak `audio`; write an H.264 + AAC MP4 to `out_path`.

    Every frame gets the visible AI-generated label and the invisible frame mark, and the audio track
    voxlip's audio mark (unless `audio_marked` says voxlip already marked it, or the mark is found).

    `audio` is a file path, a 16 kHz mono array, or (samples, sample_rate). With `generator`
    (e.g. `lipsync.wav2lip.load_wav2lip(...)`) the mouth is generated Wav2Lip's way; without, the
    offline animator moves the face's own lips, driven by `phones` [(phone, start s, end s)] when the
    audio comes from voxlip's TTS, else by pocketsphinx's phone recogniser.
    """
    import cv2

    previous_threads = cv2.getNumThreads()
    if options.opencv_threads is not None:
        cv2.setNumThreads(options.opencv_threads)
    try:
        return _run(face, audio, out_path, options, generator, phones, progress, audio_marked)
    finally:
        cv2.setNumThreads(previous_threads)


def _run(
    face: str | os.PathLike,
    audio: AudioInput,
    out_path: str | os.PathLike,
    options: LipsyncOptions,
    generator: Generator | None,
    phones: list[Phone] | None,
    progress: ProgressCallback | None,
    audio_marked: bool,
) -> LipsyncResult:
    started = time.perf_counter()
    timer = StageTimer()
    info = _probe_face(face)
    wav, audio_seconds = _read_audio(audio)
    fps = output_fps(info, options.fps)
    n_frames = frame_count(wav, fps)
    face_options = _face_options(options)
    if options.loop not in ("pingpong", "loop"):
        raise InputError(f"loop mode {options.loop!r} is unknown: use 'pingpong' or 'loop'")
    if options.precision not in ("float32", "bfloat16"):
        raise InputError(f"precision {options.precision!r} is unknown: use 'float32' or 'bfloat16'")
    if info.is_still:
        with timer("face check"):
            find_faces([read_still(info.path)], face_options, str(info.path))

    out_path = Path(out_path).expanduser()
    with ExitStack() as stack:
        with timer("setup"):
            source = stack.enter_context(_FrameSource(info, fps, n_frames, options))
        batch_size = max(1, min(options.batch_size, options.batch_bytes // max(1, source.frame_bytes)))
        # Decoding and tracking run a few batches ahead in a worker while this thread prepares the
        # audio, then makes the mouths, marks and encodes.
        turns = CoreTurns()
        depth = max(2, options.lookahead_bytes // (batch_size * source.frame_bytes))
        batches = stack.enter_context(
            in_background(_tracked_batches(source, face_options, fps, batch_size, timer, turns), depth)
        )
        mel = shapes = recognized = None
        phones_source = None
        if generator is None and phones is None:  # pocketsphinx releases the GIL: it runs beside the marking
            recognized = stack.enter_context(ThreadPoolExecutor(1, "voxlip-phones")).submit(_recognize_phones, wav, timer)
        with timer("audio"):
            marked = wav if audio_marked else ensure_audio_mark(wav, SAMPLE_RATE)
            if generator is not None:
                mel = lipsync_mel(wav)
        if generator is None:
            phones, phones_source = (recognized.result(), "pocketsphinx") if recognized is not None else (phones, "given")
            shapes = shape_track(phones, n_frames, fps, silent_frames(wav, fps, n_frames), options.visemes)
        audio_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="voxlip-audio-"))
        mux_audio = save_audio(Path(audio_dir) / "speech.wav", marked, SAMPLE_RATE)
        writer = stack.enter_context(
            Mp4Writer(out_path, source.width, source.height, fps, mux_audio, audio_seconds, options.encoder)
        )
        animator = MouthAnimator(options.animator)
        missing = done = 0
        for frames, tracked in batches:
            indices = range(done, done + len(frames))
            if generator is not None:
                frames = _generate(frames, tracked, mel_windows(mel, indices, fps), generator, options, timer, turns)
            else:
                with timer("generator"):
                    frames = [
                        f if t is None else animator.render(f, t.landmarks, shapes[i]) for f, t, i in zip(frames, tracked, indices)
                    ]
            with timer("marking"):
                frames = list(protect_frames(frames, options.label, channels="bgr"))
            with timer("encoding"):
                for frame in frames:
                    writer.write(frame)
            missing += sum(t is None for t in tracked)
            done += len(frames)
            if progress is not None:
                progress(done, n_frames, done / max(time.perf_counter() - started, 1e-9))
        if missing == done:
            which = "no face" if face_options.face_index is None else f"no face number {face_options.face_index} (from the left)"
            raise InputError(f"{which} found in any frame of {info.path}: give a photo or video of a person's face, seen from the front")
        with timer("encoding"):
            writer.close()

    if generator is None:
        mode, label = "offline", OFFLINE_LABEL
    else:
        sha = getattr(generator, "checkpoint_sha256", None)
        mode, label = "wav2lip", "Wav2Lip lip-sync" + (f" (checkpoint sha256 {sha[:12]})" if sha else "")
    return LipsyncResult(
        path=out_path, mode=mode, label=label, frames=n_frames, frames_without_face=missing, fps=fps,
        duration=len(wav) / SAMPLE_RATE, width=source.width, height=source.height,
        phones_source=phones_source, stage_seconds=dict(timer.seconds), wall_seconds=time.perf_counter() - started,
    )


def _recognize_phones(wav: np.ndarray, timer: StageTimer) -> list[Phone]:
    from .phones import recognize_phones

    with timer("phones"):
        return recognize_phones(wav)


def _probe_face(face: str | os.PathLike) -> MediaInfo:
    info = probe(face)
    if not info.has_video:
        kind = "an audio file" if info.has_audio else "a file without pictures"
        raise InputError(f"{info.path} has no picture ({kind}): give a face video or photo as the face, and the speech as the audio")
    return info


def _face_options(options: LipsyncOptions) -> FaceOptions:
    return replace(options.face, pads=options.pads, face_index=options.face_index)


def check_face(face: str | os.PathLike, options: LipsyncOptions = LipsyncOptions(), samples: int = 8) -> None:
    """Refuse early (before any speech is made) a face input without the face to animate.

    A photo is checked whole; a video at `samples` frames spread over its length.
    """
    info = _probe_face(face)
    if info.is_still:
        frames = [read_still(info.path)]
    else:
        rate = samples / max(info.duration, 1e-3)
        frames = list(iter_frames(info.path, rate, max_frames=samples))
        if not frames:
            raise InputError(f"{info.path} holds no decodable video frame: the file is corrupt or empty")
    find_faces(frames, _face_options(options), str(info.path))


def _read_audio(audio: AudioInput) -> tuple[np.ndarray, float]:
    """16 kHz samples and their duration in seconds."""
    if isinstance(audio, tuple):
        samples, sr = audio
        wav = load_audio(np.asarray(samples), source_sr=int(sr))
    elif isinstance(audio, np.ndarray):
        wav = load_audio(audio)
    else:
        path = Path(audio).expanduser()
        wav = load_audio(path)
        if len(wav) < SAMPLE_RATE // 50:
            raise InputError(f"{path} holds under 20 ms of audio: give a recording of speech")
    return wav, len(wav) / SAMPLE_RATE


def _tracked_batches(
    source: _FrameSource, face_options: FaceOptions, fps: float, batch_size: int, timer: StageTimer, turns: CoreTurns
) -> Iterator[tuple[list[np.ndarray], list[Face | None]]]:
    """(frames, the tracked face in each) batch by batch; a replayed source frame reuses its face."""
    with timer("tracker setup"):
        tracker = FaceTracker(face_options, fps)
    with tracker:
        faces: dict[int, Face | None] = {}
        for batch in _batches(source, batch_size, timer):
            with timer("face tracking"):
                tracked = []
                for source_index, frame in batch:
                    if source_index not in faces:
                        with turns.shared():
                            face = tracker.track(frame)
                    else:
                        face = faces[source_index]
                    if source.may_replay:
                        faces[source_index] = face
                    tracked.append(face)
            yield [frame for _, frame in batch], tracked


def _batches(source: _FrameSource, size: int, timer: StageTimer) -> Iterator[list[tuple[int, np.ndarray]]]:
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


def _generate(
    frames: list[np.ndarray],
    tracked: list[Face | None],
    mels: np.ndarray,
    generator: Generator,
    options: LipsyncOptions,
    timer: StageTimer,
    turns: CoreTurns,
) -> list[np.ndarray]:
    """Run the generator on every frame with a face and blend its mouth back.

    The masks are drawn first: rows of the crop above every mask's top are not generated.
    """
    import torch

    boxes = {i: t.crop_box(frames[i].shape, options.pads) for i, t in enumerate(tracked) if t is not None}
    with_face = [i for i, (x1, y1, x2, y2) in boxes.items() if x2 - x1 >= 8 and y2 - y1 >= 8]
    if not with_face:
        return frames
    with timer("blending"):
        masks = {i: lower_face_mask(tracked[i], boxes[i], options.blend) for i in with_face}
        first_row = min(first_masked_row(mask, GENERATOR_SIZE) for mask in masks.values())
    with timer("generator"):
        crops = np.stack([_generator_crop(frames[i], boxes[i]) for i in with_face])
        reference = crops.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
        masked = reference.copy()
        masked[:, :, GENERATOR_SIZE // 2 :] = 0.0
        faces = torch.from_numpy(np.concatenate([masked, reference], axis=1))
        mel = torch.from_numpy(np.ascontiguousarray(mels[with_face][:, None]))
        device = _device_of(generator)
        low_precision = options.precision == "bfloat16"
        from .wav2lip import Wav2Lip

        with turns.exclusive(), torch.inference_mode(), torch.autocast(torch.device(device).type, torch.bfloat16, enabled=low_precision):
            if isinstance(generator, Wav2Lip):
                mouths = generator.generate(mel.to(device), faces.to(device), first_row)
            else:
                mouths = generator(mel.to(device), faces.to(device))
        mouths = (mouths.float().cpu().numpy().transpose(0, 2, 3, 1) * 255.0).clip(0, 255).astype(np.uint8)
    with timer("blending"):
        out = list(frames)
        for k, i in enumerate(with_face):
            out[i] = paste_face(frames[i], mouths[k], tracked[i], boxes[i], options.blend, masks[i])
    return out


def _generator_crop(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    import cv2

    x1, y1, x2, y2 = box
    return cv2.resize(frame[y1:y2, x1:x2], (GENERATOR_SIZE, GENERATOR_SIZE))


def _device_of(generator: Generator) -> Any:
    parameters = getattr(generator, "parameters", None)
    if callable(parameters):
        first = next(iter(parameters()), None)
        if first is not None:
            return first.device
    return "cpu"


class _FrameSource:
    """(source frame index, frame) for each output frame: a still repeated, or a video played to length.

    A video shorter than the output is played forward then backward ("pingpong", from a raw copy on
    disk) or from the start again ("loop", decoding anew); a longer one is cut.
    """

    def __init__(self, info: MediaInfo, fps: float, n_frames: int, options: LipsyncOptions):
        self.info, self.fps, self.n_frames, self.options = info, fps, n_frames, options
        self._still = read_still(info.path) if info.is_still else None
        if self._still is not None:
            self.height, self.width = self._still.shape[:2]
        else:
            first = next(iter_frames(info.path, fps, max_frames=1), None)
            if first is None:
                raise InputError(f"{info.path} holds no decodable video frame: the file is corrupt or empty")
            self.height, self.width = first.shape[:2]
        self.frame_bytes = self.height * self.width * 3
        self.may_replay = info.is_still or info.frame_count_estimate < n_frames + fps
        """Whether source frames may be shown more than once (a still, or a video shorter than the audio)."""
        self._cache: tempfile._TemporaryFileWrapper | None = None

    def __enter__(self) -> _FrameSource:
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
        expected = self.info.frame_count_estimate
        if self.options.loop == "pingpong" and self.may_replay and expected * self.frame_bytes <= self.options.replay_cache_bytes:
            self._cache = tempfile.TemporaryFile(prefix="voxlip-frames-")
        for frame in iter_frames(self.info.path, self.fps):
            if produced == self.n_frames:
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
        if self._cache is not None:
            self._cache.flush()
            for index in _pingpong(decoded, produced):
                if produced == self.n_frames:
                    return
                yield index, self._read_cached(index)
                produced += 1
        while produced < self.n_frames:
            for index, frame in enumerate(iter_frames(self.info.path, self.fps, max_frames=decoded)):
                if produced == self.n_frames:
                    return
                yield index, frame
                produced += 1

    def _read_cached(self, index: int) -> np.ndarray:
        raw = os.pread(self._cache.fileno(), self.frame_bytes, index * self.frame_bytes)
        return np.frombuffer(raw, dtype=np.uint8).reshape(self.height, self.width, 3)


def _pingpong(count: int, start: int) -> Iterator[int]:
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
