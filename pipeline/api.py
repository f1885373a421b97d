"""voxlip's Python API: load the best available components once, then make speech and talking clips.

    from pipeline import Pipeline
    voxlip = Pipeline()
    with voxlip.text_to_clip("voice.wav", "face.jpg", "Hello there!", consent=True) as clip:
        clip.save("clip.mp4")                     # its temporary MP4 removed when the block ends

Inputs are checked here, once, before any work; then the voice stage, then the lip-sync stage,
then the output layer (`outputs`), which marks everything made. Neural checkpoints are used when
they are on this machine (`voxlip fetch`), voxlip's offline defaults otherwise; every result says
which components made it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from core import checkpoints
from core.bars import picture_in
from core.cache import cache_path, note_unwritable_cache
from core.errors import CheckpointError, InputError, VoxlipError
from core.ffmpeg import AUDIO_HINT, MediaInfo, encoded_size, hdr_notes, probe, spread_frames
from core.files import InputData, InputFile, check_not_stream, sha256_file
from core.printable import valid_unicode
from core.seeds import checked_seed, seed_to_use
from lipsync.engine import check_face
from lipsync.engine import run as run_lipsync
from lipsync.face import Detector
from lipsync.options import LipsyncOptions
from lipsync.renderer import make_renderer
from lipsync.video import MIN_SIZE, FaceInput, scaled_size
from voice.audio import (
    MAX_SECONDS,
    SAMPLE_RATE,
    AudioSource,
    audio_of,
    check_audio_source,
    decode,
    is_silent,
    load_audio,
    load_recording,
    rate_not_taken,
    read_already,
    recording_of,
    source_rate,
    without_offset,
)
from voice.cloning import VoiceCloner
from voice.offline.config import DEFAULT as DEFAULT_OFFLINE
from voice.offline.config import OfflineConfig
from voice.speaker import PREPARATION, Speaker, no_voice_heard, prepare_speaker
from voice.synthesis import SpeechTooLong, Synthesis

from . import memory_inputs, moviepy_io, outputs
from .dub import dub
from .face_source import FaceFile, FaceSource, face_file
from .provenance.consent import require_consent
from .provenance.label import DEFAULT_LABEL, LabelConfig
from .provenance.record import recorded_settings
from .results import Clip, ClipFolder, Speech, clip_inputs, sealed, summary

if TYPE_CHECKING:  # torch, which a cold offline run with a prepared speaker does without; moviepy, an option
    import torch
    from moviepy import AudioClip

    from voice.encoder import SpeakerEncoder

LIPSYNC_CHECKPOINTS = ("wav2lip-gan", "wav2lip")
"""Tried in this order when lip-sync is "auto"."""
MIN_AUDIO_SECONDS = 0.02
MIN_REVOICED_SECONDS = 0.5
MAX_REVOICED_SECONDS = 3600.0
"""A recording to re-voice is converted in pieces (flat memory); an hour is the most taken at once."""
DUB_SAMPLES = 8
"""Frames of a video to dub looked at for the picture inside bars, spread over it, as many as check_face looks at for
a face (2.0 s more on a 2-minute 480x480 video, whose dub re-encodes every frame)."""

ProgressCallback = Callable[[int, int, float], None]
SPEECH_TAKEN = "voxlip's Speech itself (it carries its rate)"
"""What the API's audio arguments take besides files and samples: a Speech's samples alone lose its rate."""


def reference_key(recording: InputData | InputFile, source_sr: int | None, encoder: str) -> str:
    """sha256 of a recording's sha256 (a file's as it was read, or samples' data) and rate, and the encoder
    (Pipeline.encoder_identity)."""
    digest = hashlib.sha256(f"{encoder}|{source_sr}|{PREPARATION}|".encode())
    digest.update(recording.sha256.encode())
    return digest.hexdigest()[:40]


def checked_rate(given: object, source_sr: object, what: str) -> int | None:
    """The rate of samples given as an array: `source_sr`, which they need (voice.audio.source_rate, the stages' own
    rule). None for what knows its own rate (a file, a Speech, a prepared Speaker, a moviepy clip), which is refused
    another one; anything else is left to the caller's own check."""
    if isinstance(given, (np.ndarray, str, os.PathLike)):
        return source_rate(given, source_sr, what, also="give the Speech itself, which carries its rate")
    if source_sr is None:
        return None
    if isinstance(given, Speech):
        if source_sr == given.sample_rate:
            return None
        kind = f"a Speech at {given.sample_rate} Hz"
    elif isinstance(given, Speaker):
        kind = "a prepared Speaker"
    elif moviepy_io.is_audio_clip(given):
        kind = "a moviepy AudioClip"
    else:
        return None
    raise rate_not_taken(source_sr, what, kind)


def _as_recording(
    audio: AudioSource | Speech, source_sr: int | None
) -> tuple[AudioSource, int | None, InputData | None]:
    """Audio as the voice stage takes it, its rate checked (checked_rate): a Speech as its samples at its rate, samples
    at `source_sr`, each with what the record says of it; a file as its path ("~" expanded)."""
    if isinstance(audio, Speech):
        return (
            audio.samples,
            audio.sample_rate,
            memory_inputs.samples(audio.samples, audio.sample_rate, "voxlip Speech"),
        )
    if isinstance(audio, np.ndarray) and source_sr is not None:
        return audio, source_sr, memory_inputs.samples(audio, source_sr)
    return _home_expanded(audio), source_sr, None


def _recording(reference: AudioSource, given: InputData | None) -> InputData | InputFile | None:
    """A reference as the prepared speakers kept on disk know it: what its samples were (`given`), or its file as
    read (hashed once, for the key and the record); None for anything else, or a file that cannot be read."""
    if given is not None:
        return given
    if not isinstance(reference, (str, os.PathLike)):
        return None
    check_not_stream(Path(reference).expanduser())
    try:
        return InputFile.read(reference)
    except OSError:
        return None


def _check_config(name: str, value: object, kind: type, module: str, example: str) -> None:
    """Refuse a setting that is neither None (the default) nor an instance of `kind`, naming the class to pass."""
    if value is not None and not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise InputError(
            f"{name} must be {article} {kind.__name__} (from {module} import {kind.__name__}; e.g. {name}={example}) "
            f"or None for the default, not {type(value).__name__}"
        )


def _check_callback(value: object, name: str) -> None:
    """Refuse a progress argument that is neither None nor callable, before any work (it is called as the work goes)."""
    if value is not None and not callable(value):
        raise InputError(
            f"{name} must be a function called as {name}(done, total, rate), or None, not {value!r} "
            f"({type(value).__name__})"
        )


def resolve_device(device: str | torch.device) -> str:
    """ "auto" -> "cuda" when torch sees a GPU, else "cpu"; any other name (or a torch.device, by its name) as given, if
    torch finds that GPU.

    Without a GPU driver (NVIDIA's, or ROCm's /dev/kfd) the answer is "cpu" without asking torch, whose
    import a cold offline run does without.
    """
    if type(device).__module__ == "torch" and type(device).__name__ == "device":
        device = str(device)
    if not isinstance(device, str):
        raise InputError(f"device {device!r}: give its name, auto, cpu, cuda (or cuda:N) or mps")
    if device not in ("auto", "cpu") and not device.startswith(("cuda", "mps")):
        raise InputError(f"unknown device {device!r}: use auto, cpu, cuda (or cuda:N) or mps")
    if device == "cpu":
        return device
    if device == "auto" and not any(
        os.path.exists(p) for p in ("/proc/driver/nvidia/version", "/dev/nvidia0", "/dev/kfd")
    ):
        return "cpu"
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    gpu, found = (
        ("CUDA", torch.cuda.is_available())
        if device.startswith("cuda")
        else ("Apple (MPS)", torch.backends.mps.is_available())
    )
    if not found:
        raise InputError(
            f"device={device!r} (--device {device}): torch finds no {gpu} GPU on this machine; use device='cpu' or "
            "'auto' (--device cpu or auto)"
        )
    return device


@dataclasses.dataclass(frozen=True)
class VoiceSettings:
    """A Pipeline's voice components by name, with their settings: `with_voice`'s arguments, by the same names, and
    Pipeline's (`offline` is its `offline_voice`), so `pipeline.with_voice(**vars(settings))` makes them again."""

    synthesizer: str
    vocoder: str
    vocoder_checkpoint: str | None
    fast_vocoder: bool
    precision: str
    offline: OfflineConfig
    converter: str


class Pipeline:
    """The voice and lip-sync stages wired together; models load on first use and are reused.

    `precision` is that of the neural voice models ("float32", the published models' numbers, or
    "bfloat16", faster on CPUs with AVX512-BF16); Wav2Lip's is `lipsync_options.precision`.
    `face_detector` is "blazeface" (bundled), "s3fd" (Wav2Lip's detector, a checkpoint) or an S3FD
    file; `label` is the visible label every clip carries; `offline_voice` sets the voice made without
    SV2TTS (its Piper base voice and the `similarity` of the conversion, 0..1); `converter` what moves
    a base voice (or a recording, `convert_voice`) toward the reference: "auto" (OpenVoice V2 if
    fetched, else the offline conversion), "openvoice-v2", "offline" or "none".
    """

    def __init__(
        self,
        device: str = "auto",
        *,
        encoder: str = "resemblyzer",
        synthesizer: str = "auto",
        vocoder: str = "auto",
        vocoder_checkpoint: str | None = None,
        fast_vocoder: bool = False,
        precision: str = "float32",
        lipsync: str = "auto",
        lipsync_options: LipsyncOptions | None = None,
        face_detector: str = "blazeface",
        label: LabelConfig | None = None,
        offline_voice: OfflineConfig | None = None,
        converter: str = "auto",
    ):
        """None for `lipsync_options`, `label` or `offline_voice`: the defaults (LipsyncOptions(), DEFAULT_LABEL,
        voice.offline.config.DEFAULT)."""
        _check_config("lipsync_options", lipsync_options, LipsyncOptions, "lipsync.options", "LipsyncOptions(fps=30)")
        _check_config("label", label, LabelConfig, "pipeline.provenance.label", "LabelConfig(corner='top-left')")
        _check_config("offline_voice", offline_voice, OfflineConfig, "voice.offline.config", "OfflineConfig()")
        checkpoints.check_choice(encoder, "speaker encoder", (), "speaker-encoder")
        checkpoints.check_choice(lipsync, "lip-sync model", ("auto", "offline"), "lipsync")
        checkpoints.check_choice(face_detector, "face detector", ("blazeface",), "face-detector")
        self.device = resolve_device(device)
        self.encoder_name = encoder
        self._voice = VoiceCloner(
            self.device,
            synthesizer,
            vocoder,
            vocoder_checkpoint,
            fast_vocoder,
            precision,
            offline_voice or DEFAULT_OFFLINE,
            converter,
        )
        self.lipsync_name = lipsync
        self.lipsync_options = lipsync_options or LipsyncOptions()
        self.face_detector_name = face_detector
        self.label = label or DEFAULT_LABEL

    def __repr__(self) -> str:
        """Its device and components as chosen ("auto" where auto mode picks one as it loads): no model is loaded to
        say which."""
        voice = self.voice_settings
        return summary(
            self,
            device=self.device,
            encoder=self.encoder_name,
            synthesizer=voice.synthesizer,
            vocoder=voice.vocoder,
            converter=voice.converter,
            precision=voice.precision,
            lipsync=self.lipsync_name,
            face_detector=self.face_detector_name,
        )

    def with_voice(
        self,
        synthesizer: str | None = None,
        vocoder: str | None = None,
        fast_vocoder: bool | None = None,
        offline: OfflineConfig | None = None,
        converter: str | None = None,
        vocoder_checkpoint: str | None = None,
        precision: str | None = None,
    ) -> Pipeline:
        """This pipeline with other voice components: each one given replaces this pipeline's, each left None stays
        (`offline`: another offline voice setting, Pipeline's `offline_voice`). The arguments are VoiceSettings'
        fields, so `with_voice(**vars(pipeline.voice_settings))` takes another pipeline's. This pipeline's
        `vocoder_checkpoint` stays only with its vocoder: another `vocoder` without one takes its registry file.

        The speaker encoder and the lip-sync models loaded so far are shared.
        """
        _check_config("offline", offline, OfflineConfig, "voice.offline.config", "OfflineConfig()")
        self.encoder  # loaded here, so that every variant shares one copy
        other = copy.copy(self)
        voice = self._voice
        offline = offline or voice.offline_voice.config
        if vocoder_checkpoint is None and vocoder in (None, voice.vocoder_choice):
            vocoder_checkpoint = voice.vocoder_checkpoint
        other._voice = VoiceCloner(
            self.device,
            voice.synthesizer_choice if synthesizer is None else synthesizer,
            voice.vocoder_choice if vocoder is None else vocoder,
            vocoder_checkpoint,
            voice.fast_vocoder if fast_vocoder is None else fast_vocoder,
            voice.precision if precision is None else precision,
            offline,
            converter or voice.converter_choice,
        )
        if offline.base_voice == voice.offline_voice.config.base_voice:
            other._voice.offline_voice.share_base(voice.offline_voice)
        same_converter = (voice.converter_checkpoint, voice.precision) == (
            other._voice.converter_checkpoint,
            other._voice.precision,
        )
        if voice.converter is not None and same_converter:
            other._voice.__dict__["converter"] = voice.converter  # one loaded converter for every variant
        return other

    @property
    def voice_settings(self) -> VoiceSettings:
        """The voice components this pipeline was made with, as `with_voice` takes them (VoiceSettings): names and
        settings, not the voice stage itself, whose speech has no consent check and no mark (only this class's calls
        use it)."""
        voice = self._voice
        return VoiceSettings(
            voice.synthesizer_choice,
            voice.vocoder_choice,
            voice.vocoder_checkpoint,
            voice.fast_vocoder,
            voice.precision,
            voice.offline_voice.config,
            voice.converter_choice,
        )

    @property
    def unconverted_voice(self) -> str | None:
        """Why its speech from text is the Piper base voice as it is, not in the reference's voice ("converter none",
        "similarity 0"); None when it is in the reference's voice."""
        return self._voice.unconverted

    def load_base_voice(self) -> None:
        """Load the offline voice's Piper base voice now (a service's start-up): a bad file is refused here, not at
        the first request."""
        self._voice.offline_voice.profile  # noqa: B018

    @cached_property
    def encoder(self) -> SpeakerEncoder:
        from voice.encoder import load_encoder

        return load_encoder(self.encoder_name)

    @cached_property
    def encoder_identity(self) -> str:
        """The speaker encoder as this pipeline names it, which keys the prepared speakers kept on disk: its name (what
        a prepared speaker records as its encoder), sha256 (the published one, or its file's: a file of the same name
        with other weights gives other embeddings) and preprocessing (Resemblyzer's weights asked for as rtvc-encoder
        embed as RTVC does). Its name when it is not found (then loading it says why)."""
        from voice.encoder import config_for

        try:
            path, spec = checkpoints.resolve(self.encoder_name)
        except CheckpointError:
            return self.encoder_name
        sha256 = spec.sha256 if spec is not None and spec.sha256 else sha256_file(path)
        checkpoint = checkpoints.LoadedCheckpoint(path, sha256, None, spec)
        return f"{checkpoint.name}|{sha256}|{config_for(checkpoint)}"

    lipsync_passed_over: tuple[str, ...] = ()
    """Auto mode's notes on the Wav2Lip files in the cache it did not use (set as it loads): not the published file, or
    refused as it was loaded (another model's weights, truncated, corrupt)."""

    @cached_property
    def _lipsync_generator(self):
        """The Wav2Lip generator, or None for the offline animator; auto mode takes the first of LIPSYNC_CHECKPOINTS
        here that loads (`checkpoints.first_loaded`)."""
        if self.lipsync_name != "auto":
            return None if self.lipsync_name == "offline" else _wav2lip(self.lipsync_name, self.device)
        chosen = checkpoints.first_loaded(LIPSYNC_CHECKPOINTS, lambda name: _wav2lip(name, self.device))
        self.lipsync_passed_over = chosen.notes
        return chosen.loaded

    @cached_property
    def face_detector(self) -> Detector | None:
        """S3FD when chosen; None for BlazeFace, which each run makes for itself."""
        if self.face_detector_name == "blazeface":
            return None
        from lipsync.s3fd import S3FDDetector, load_s3fd

        return S3FDDetector(load_s3fd(self.face_detector_name, self.device))

    def speaker(self, reference: AudioSource | Speaker | Speech, source_sr: int | None = None) -> Speaker:
        """Prepare a reference voice once (its cleaned speech and embedding) to reuse for many texts.

        `reference` is a recording (a file), samples at `source_sr` (their rate, which samples need), or voxlip's
        Speech. Prepared voices are kept in voxlip's cache, keyed by the recording's sha256 and the encoder, so
        the same voice asked for again (in this process or the next) is not analysed again.

        The offline voice is fitted to a new voice at its first speech, not here (re-voicing and the embedding need
        no fit): 3-5 s on 2 cores, kept in voxlip's cache too. Before a stream whose first piece should come at once,
        warm a new voice up with one short `clone_voice(speaker, "Hi.", consent=True)`.
        """
        source_sr = checked_rate(reference, source_sr, "reference voice")
        if isinstance(reference, Speaker):
            return reference
        if not isinstance(reference, Speech):
            check_audio_source(reference, "reference voice", also="a Speech or a Speaker that voxlip made")
        audio, source_sr, given = _as_recording(reference, source_sr)
        recording = _recording(audio, given)
        if recording is None:  # not samples or a readable file: the encoder says what is wrong with it
            return prepare_speaker(self.encoder, audio, source_sr)
        cached = cache_path("speakers", reference_key(recording, source_sr, self.encoder_identity).encode(), ".npz")
        if cached.is_file():
            try:
                speaker = Speaker.load(cached)
                if isinstance(recording, InputData):
                    return dataclasses.replace(speaker, source=None, source_sha256=None, given=recording)
                return dataclasses.replace(speaker, source=recording.path, source_sha256=recording.sha256, given=None)
            except InputError:
                cached.unlink(missing_ok=True)
        speaker = dataclasses.replace(prepare_speaker(self.encoder, audio, source_sr), given=given)
        try:
            speaker.save(cached)
        except VoxlipError:  # a read-only cache only costs the analysis next time
            note_unwritable_cache()
        return speaker

    def clone_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        language: str | None = None,
    ) -> Speech:
        """The reference speaker saying `text`, watermarked. `reference` is a recording, samples at `source_sr`, a
        Speech or a `Speaker`; `language` (default: the voice's own) must be one the base voice speaks.
        `progress(sentences done, sentences, sentences per second)` is called as the sentences are made (docs/api.md,
        Progress)."""
        statement = require_consent(consent, "a reference voice")
        _check_callback(progress, "progress")
        text, notes = self._voice.checked_text(text, language)
        return self._speech(reference, text, notes, statement, seed, source_sr, progress, language)

    def stream_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        language: str | None = None,
    ) -> Iterator[Speech]:
        """`clone_voice` piece by piece, a short clause first: play each watermarked piece as it comes.

        The pieces, concatenated, are the whole text said piece by piece (each carries the pause that follows it), not
        the samples `clone_voice` makes of it: each piece is made on its own, so even with the same seed their length
        and samples differ from the whole speech's. What is wrong with the request (consent, text, seed, reference) is
        refused here, not at the first piece.
        """
        statement = require_consent(consent, "a reference voice")
        text, notes = self._voice.checked_text(text, language)
        seed = seed_to_use(seed)
        speaker = self.speaker(reference, source_sr)
        return self._streamed(speaker, text, statement, notes, seed, language)

    def _streamed(
        self,
        speaker: Speaker,
        text: str,
        statement: str,
        notes: tuple[str, ...],
        seed: int,
        language: str | None,
    ) -> Iterator[Speech]:
        """The pieces, each recording the stream's seed and its number (piece i is made with seed + 1000 i)."""
        played = 0.0
        for i, piece in enumerate(self._voice.stream(speaker, text, seed=seed, language=language)):
            settings = self._voice_settings(seed, self._voice.spoken_language(language), i)
            yield _marked(piece, speaker, statement, piece.timings, settings, notes, start_seconds=played)
            played += len(piece.samples) / piece.sample_rate
            notes = ()

    # What convert_voice returns, as far as its arguments decide it: samples or a Speech have no picture, and
    # keep_video=False keeps none, so those give a Speech; a file may be a video (a Clip) or not (a Speech).
    @overload
    def convert_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        source: np.ndarray | Speech,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        keep_video: bool = True,
        video_progress: ProgressCallback | None = None,
    ) -> Speech: ...

    @overload
    def convert_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        source: AudioSource | Speech,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        keep_video: Literal[False],
        video_progress: ProgressCallback | None = None,
    ) -> Speech: ...

    @overload
    def convert_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        source: AudioSource | Speech,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        keep_video: bool = True,
        video_progress: ProgressCallback | None = None,
    ) -> Speech | Clip: ...

    def convert_voice(
        self,
        reference: AudioSource | Speaker | Speech,
        source: AudioSource | Speech,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        keep_video: bool = True,
        video_progress: ProgressCallback | None = None,
    ) -> Speech | Clip:
        """A recording said in the reference's voice, timing kept, watermarked (speech-to-speech).

        `source` is an audio file, samples at `source_sr` (their rate, which samples need), voxlip's Speech (at its own
        rate), or a video: its audio track is converted and put back (a labelled, marked Clip; `keep_video=False` gives
        the Speech only). `reference` is a file, a Speech or a prepared Speaker (samples: `speaker(samples,
        source_sr=rate)` first, since `source_sr` is the source's).
        OpenVoice V2's converter does it when fetched, the offline conversion otherwise (labelled).
        `progress(pieces done, pieces, pieces per second)` follows the recording's conversion (pieces of up to 20 s),
        `video_progress(frames written, frames, frames per second)` a video's frames as they are written (most of a
        video's time).
        """
        statement = require_consent(consent, "a reference voice")
        seed = seed_to_use(seed)
        _check_callback(progress, "progress")
        _check_callback(video_progress, "video_progress")
        if isinstance(reference, np.ndarray):
            raise InputError(
                "the reference voice was given as samples, whose rate convert_voice is not told (its source_sr is the "
                "source's): give voxlip.speaker(samples, source_sr=rate), or a file or a Speech"
            )
        recording, source_sr, given = _as_recording(source, checked_rate(source, source_sr, "source recording"))
        self._voice.load_revoicing()
        video = _source_video(recording) if keep_video else None
        wave, rate, source_notes = _source_speech(recording, source_sr, self._voice.revoicing_rate)
        started = time.perf_counter()
        speaker = self.speaker(reference)
        prepared = time.perf_counter()
        synthesis = self._voice.revoice(speaker, wave, rate, seed=seed, progress=progress)
        read = given if isinstance(recording, np.ndarray) else InputFile.read(recording)
        timings = {"speaker": prepared - started, **synthesis.timings}
        speech = _marked(synthesis, speaker, statement, timings, self._voice_settings(seed), source=read)
        speech = dataclasses.replace(speech, notes=speech.notes + source_notes)
        if video is None:
            return speech
        return self._dubbed(video, speech, video_progress)

    def _dubbed(self, video: MediaInfo, speech: Speech, progress: ProgressCallback | None) -> Clip:
        """The source video with its frames labelled and marked and the converted speech as its track."""
        started = time.perf_counter()
        size = scaled_size(video.width, video.height, sys.maxsize)  # scaled up only: a dub keeps a large size
        scaled = (_scaled_up_note("video", (video.width, video.height), size),) if size else ()
        workdir = ClipFolder()
        picture = picture_in(spread_frames(video, DUB_SAMPLES))
        protector = outputs.FrameProtector(self.label, "bgr", picture=picture)
        try:
            path = workdir.path / "clip.mp4"
            frames, seconds, damage = dub(video, speech.samples, speech.sample_rate, path, protector, progress, size)
        except BaseException:
            workdir.remove()
            raise
        clip = Clip(
            path=path,
            duration=seconds,
            fps=video.fps,
            frames=frames,
            frames_without_face=None,  # a dub's frames are kept as they are: no face is looked for
            components=speech.components,
            **clip_inputs({outputs.REFERENCE_VOICE: speech.reference_input, outputs.SOURCE_VIDEO: speech.source_input}),
            timings={**speech.timings, "video": time.perf_counter() - started},
            notes=speech.notes + hdr_notes(video) + scaled + damage,
            consent=speech.consent,
            label=protector.label,
            picture=protector.picture,
            mark_strength_db=speech.mark_strength_db,
            settings=speech.settings,
            _workdir=workdir,
        )
        return sealed(clip)

    def text_to_clip(
        self,
        reference: AudioSource | Speaker | Speech,
        face: FaceSource,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        voice_progress: ProgressCallback | None = None,
        language: str | None = None,
    ) -> Clip:
        """Clone the voice saying `text`, then make the face speak it: one talking clip.

        `reference` is as clone_voice takes it (samples at `source_sr`); `voice_progress` follows the voice stage
        (sentences, as clone_voice's `progress`), `progress` the lip-sync stage (frames, as lipsync's). `seed` seeds
        the voice and the lip-sync's blinks and head motion, as `voxlip run --seed` does (None: one drawn at random
        seeds both, and the clip's record names it, so that `seed=` it makes the same clip again).
        """
        statement = require_consent(consent)
        seed = seed_to_use(seed)
        _check_callback(progress, "progress")
        _check_callback(voice_progress, "voice_progress")
        checked_rate(reference, source_sr, "reference voice")
        text, notes = self._voice.checked_text(text, language)
        face = _home_expanded(face)
        self._load_lipsync_models()  # a bad checkpoint is refused before the voice, not after it (a second or two)
        # The face is checked (a face found) while the voice is made: its failure stops the voice at the next
        # sentence, and its start-up time overlaps the voice's. When both fail, the face's error is the one raised,
        # whichever came first. The voice stops too once its speech passes what one clip takes.
        with (
            face_file(face, self.lipsync_options.max_size) as source,
            ThreadPoolExecutor(1, "voxlip-face-check") as pool,
        ):
            checked = pool.submit(self._checked_face, source.path)
            try:
                speech = self._speech(
                    reference,
                    text,
                    notes,
                    statement,
                    seed,
                    source_sr,
                    _raising(checked, voice_progress),
                    language,
                    MAX_SECONDS,
                )
            except Exception as e:  # a bad face is reported first, as when it was checked before the voice
                if checked.exception() is not None:
                    raise checked.exception() from None
                if isinstance(e, SpeechTooLong):
                    raise InputError(_too_long_message(f"; the {MAX_SECONDS:.0f} s run out at {e.place}")) from None
                raise
            _check_clip_length(speech)
            clip = self._seeded(seed)._clip(*checked.result(), speech, statement, progress, source)
        clip.timings = {**speech.timings, **clip.timings}
        return clip

    def lipsync(
        self,
        face: FaceSource,
        speech: Speech | AudioSource | AudioClip,
        *,
        consent: bool,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
        seed: int | None = None,
    ) -> Clip:
        """Make the face in a video or photo speak `speech` (voxlip's Speech, an audio file, samples at `source_sr`,
        their rate, which samples need, or a moviepy AudioClip); the face may be an RGB image array, a PIL image or a
        moviepy VideoClip too. Inputs given in memory are named in the clip's record by what they were and their
        data's sha256. `seed` seeds the offline lip-sync's blinks and head motion for this call (`voxlip lipsync
        --seed`; None: as `lipsync_options.seed` says, and where that is None too, one drawn at random); the clip's
        record names the seed used. `progress(frames done, frames, frames per second)` is called from (0, frames, 0.0),
        once the face is found, as the frames are made."""
        statement = require_consent(consent, "a face")
        seed = seed_to_use(self.lipsync_options.seed if seed is None else seed)
        _check_callback(progress, "progress")
        face = _home_expanded(face)
        heard = _lipsync_speech(_home_expanded(speech), source_sr)  # first: a face clip is written only as it lasts
        with face_file(face, self.lipsync_options.max_size, len(heard.samples) / heard.sample_rate) as source:
            opened, faces = self._checked_face(source.path)
            return self._seeded(seed)._clip(opened, faces, heard, statement, progress, source)

    def _seeded(self, seed: int) -> Pipeline:
        """This pipeline with its lip-sync's blinks and head motion seeded with `seed`, for one call. A shallow copy
        (where the seed is another): the models it has loaded are shared."""
        if seed == self.lipsync_options.seed:
            return self
        other = copy.copy(self)
        other.lipsync_options = dataclasses.replace(self.lipsync_options, seed=seed)
        return other

    def _checked_face(self, face: Path) -> tuple[FaceInput, int]:
        """The face input, opened (read once, a photo), and the most faces it shows in one frame, once the lip-sync
        models have loaded and the face to animate is found in it."""
        self._load_lipsync_models()
        check_not_stream(face)
        if not face.is_file():
            kind = "is a directory" if face.is_dir() else "does not exist"
            raise InputError(f"face file {face} {kind}: give a video or photo of a face")
        return check_face(face, self.lipsync_options, self.face_detector)

    def _load_lipsync_models(self) -> None:
        """Load the lip-sync generator and the face detector (cached properties) now: a checkpoint that is missing
        or of another model fails here, before any work."""
        self._lipsync_generator  # noqa: B018
        self.face_detector  # noqa: B018

    def _speech(
        self,
        reference: AudioSource | Speaker | Speech,
        text: str,
        notes: tuple[str, ...],
        consent: str,
        seed: int | None,
        source_sr: int | None,
        progress: ProgressCallback | None,
        language: str | None = None,
        max_seconds: float | None = None,
    ) -> Speech:
        """`seed`: None draws one (seed_to_use), which the speech records; `max_seconds`: the voice stops
        (SpeechTooLong) as soon as the speech made so far is longer."""
        seed = seed_to_use(seed)
        started = time.perf_counter()
        speaker = self.speaker(reference, source_sr)
        prepared = time.perf_counter()
        synthesis = self._voice.clone(
            speaker, text, seed=seed, progress=progress, language=language, max_seconds=max_seconds
        )
        timings = {"speaker": prepared - started, **synthesis.timings}
        settings = self._voice_settings(seed, self._voice.spoken_language(language))
        return _marked(synthesis, speaker, consent, timings, settings, notes)

    def _voice_settings(self, seed: int, language: str | None = None, piece: int | None = None) -> dict:
        """What the voice stage makes speech with, as its record names it (Speech.settings): the seed (a stream's, with
        the `piece`'s number), the device, the components asked for (a file by its name: the component made of it
        names its sha256), the `language` spoken (speech from text) and the offline voice's settings."""
        voice = self.voice_settings
        offline = dataclasses.asdict(voice.offline)
        offline["base_voice"] = _file_name(voice.offline.base_voice)
        settings = {
            "seed": seed,
            **({"stream_piece": piece} if piece is not None else {}),
            "device": self.device,
            "encoder": _file_name(self.encoder_name),
            "synthesizer": _file_name(voice.synthesizer),
            "vocoder": voice.vocoder,
            "vocoder_checkpoint": _file_name(voice.vocoder_checkpoint),
            "fast_vocoder": voice.fast_vocoder,
            "precision": voice.precision,
            "converter": _file_name(voice.converter),
            **({"language": language} if language is not None else {}),
            "offline": offline,
        }
        return {"voice": recorded_settings(settings)}

    def _lipsync_settings(self) -> dict:
        """What the lip-sync stage makes a clip with, as its record names it (Clip.settings): the seed of its blinks and
        head motion, the device, the model and face detector asked for (a file by its name) and the rest of its
        LipsyncOptions."""
        options = dataclasses.asdict(self.lipsync_options)
        settings = {
            "seed": options.pop("seed"),
            "device": self.device,
            "model": _file_name(self.lipsync_name),
            "face_detector": _file_name(self.face_detector_name),
            **options,
        }
        return {"lipsync": recorded_settings(settings)}

    def _clip(
        self,
        face: FaceInput,
        faces: int,
        speech: Speech | _Audio,
        consent: str,
        progress: ProgressCallback | None,
        source: FaceFile,
    ) -> Clip:
        """`face` (opened from `source`; showing at most `faces` faces in a frame) made to say `speech`."""
        started = time.perf_counter()
        face_read = InputFile.read(face.info.path) if source.recorded else source.given
        if isinstance(speech, Speech):  # the clip keeps its rate and its mark; the lip-sync reads 16 kHz
            kept = speech.samples[: int(MAX_SECONDS * speech.sample_rate)]
            audio = load_audio(kept, source_sr=speech.sample_rate)
            track = _MarkedTrack(kept, speech.sample_rate, speech.mark_strength_db)
            components, text, settings = speech.components, speech.text, speech.settings
            inputs = {outputs.REFERENCE_VOICE: speech.reference_input, outputs.SOURCE_SPEECH: speech.source_input}
            cut = (_cut_note("the speech", speech.duration),) if len(kept) < len(speech.samples) else ()
            notes = speech.notes + cut  # what was said of the voice holds for the clip
        else:
            audio, track = speech.samples, _MarkedTrack(*speech.track)
            components, text, settings = (), None, {}
            inputs = {outputs.AUDIO: speech.given}
            notes = speech.notes  # a cut recording's
        workdir = ClipFolder()  # the Clip keeps it until it is closed
        protector = outputs.FrameProtector(self.label, "bgr", face.face_boxes, face.picture)
        try:
            result = run_lipsync(
                face,
                read_already(audio, SAMPLE_RATE),  # load_audio's or _Audio's 16 kHz samples
                workdir.path / "clip.mp4",
                make_renderer(self.lipsync_options, self._lipsync_generator, speech.phones),
                self.lipsync_options,
                detector=self.face_detector,
                frame_hook=protector,
                soundtrack=track,
                progress=progress,
            )
        except BaseException:  # a failed or stopped run removes it now, not when the garbage collector runs
            workdir.remove()
            raise
        read_inputs = {role: read for role, read in {**inputs, outputs.FACE: face_read}.items() if read is not None}
        scaled_from = source.scaled_from or result.scaled_from  # the face's size as given
        if scaled_from and result.width > scaled_from[0]:
            notes += (_scaled_up_note("face input", scaled_from, (result.width, result.height)),)
        elif scaled_from:
            width, height = scaled_from
            made = "x".join(map(str, encoded_size(result.width, result.height)))
            notes += (
                f"the face input is {width}x{height}: its frames were scaled to {made} "
                f"(at most {self.lipsync_options.max_size} pixels; --max-size raises the limit)",
            )
        if faces > 1 and self.lipsync_options.face_index is None:
            notes += (
                f"the face input shows {faces} faces and the largest speaks: a face index (0 for the leftmost, up to "
                f"{faces - 1}; --face-index) makes another speak",
            )
        if result.frames_without_face:
            notes += (_faceless_note(result.frames_without_face, result.frames, self.lipsync_options.face_index),)
        notes += source.notes + result.notes
        notes += self.lipsync_passed_over  # auto mode's: the Wav2Lip files here it did not use, and why
        clip = Clip(
            path=result.path,
            duration=result.duration,
            fps=result.fps,
            frames=result.frames,
            frames_without_face=result.frames_without_face,
            components=tuple(components) + result.components,
            **clip_inputs(read_inputs),
            text=text,
            timings={"lipsync": time.perf_counter() - started},
            notes=notes,
            consent=consent,
            label=protector.label,
            picture=protector.picture,
            face_is_photo=face.info.is_still,
            mark_strength_db=track.strength_db,
            settings=settings | self._lipsync_settings(),
            _workdir=workdir,
        )
        return sealed(clip)


def _file_name(choice: str | None) -> str | None:
    """A component asked for as a record names it: a registry name as it is, a file given by its path by its name alone
    (as its component does: checkpoints.LoadedCheckpoint.name), not a folder of this machine."""
    return None if choice is None else valid_unicode(Path(choice).name)


def _wav2lip(name: str, device: str):
    """The Wav2Lip generator `name` (a registry name or a file); torch is imported only when one is loaded."""
    from lipsync.wav2lip import load_wav2lip

    return load_wav2lip(name, device)


def _faceless_note(missing: int, frames: int, face_index: int | None) -> str:
    """What a clip says of its `missing` frames (of `frames`) without the face that speaks, left as they were: with a
    `face_index`, that face is a place from the left, missing where fewer faces show, not that no face shows."""
    left = "was left as it was" if missing == 1 else "were left as they were"
    if face_index is None:
        return f"{missing} of {frames} frames had no face and {left}"
    return (
        f"face number {face_index} (from the left) is not in {missing} of {frames} frames (they show fewer faces, "
        f"or it was not found there): {'it' if missing == 1 else 'they'} {left}"
    )


def _scaled_up_note(what: str, given: tuple[int, int], made: tuple[int, int]) -> str:
    """What a clip says of frames under MIN_SIZE pixels scaled up to `made` (width, height) from `given`: the size
    they have in the MP4."""
    width, height = encoded_size(*made)
    return (
        f"the {what} is {given[0]}x{given[1]}: its frames were scaled up to {width}x{height} (at least {MIN_SIZE} "
        "pixels, so that the AI-generated label and the mark fit)"
    )


def _raising(check: Future, progress: ProgressCallback | None) -> ProgressCallback:
    """`progress`, raising the error of `check` (work running beside it) as soon as that has failed."""

    def report(done: int, total: int, rate: float) -> None:
        if check.done() and check.exception() is not None:
            raise check.exception()
        if progress is not None:
            progress(done, total, rate)

    return report


class _Audio:
    """Speech that voxlip did not make: a user's recording or samples, checked at the edge. `track` is (samples,
    rate) as given (voice.audio.load_recording), the clip's soundtrack; `samples` what the lip-sync hears (16 kHz);
    `given` the file as read, or what came in memory, for the record."""

    phones = None

    def __init__(
        self,
        track: np.ndarray,
        rate: int,
        given: InputFile | InputData,
        seconds: float,
        notes: tuple[str, ...] = (),
        name: str = "the audio",
    ):
        """`seconds`: the whole recording's length, of which `track` may be the first MAX_SECONDS; `notes`: the file's
        as read (voice.audio.Decoded.notes); `name`: what the notes call it (a file by the path it was given as)."""
        self.track, self.given = (track, rate), given
        self.samples, self.sample_rate = load_audio(read_already(track, rate)), SAMPLE_RATE
        self.notes = notes + ((_cut_note(name, seconds),) if seconds > MAX_SECONDS else ())


def _cut_note(name: str, seconds: float) -> str:
    """What a clip says of speech longer than one clip takes (MAX_SECONDS)."""
    return (
        f"{name} is {seconds:.0f} s long: the clip has its first {MAX_SECONDS:.0f} s ({MAX_SECONDS / 60:.0f} minutes, "
        "the most one clip takes); make what follows a clip of its own"
    )


def _check_clip_length(speech: Speech) -> None:
    """Refuse to lip-sync the speech of a text longer than one clip takes: its end would not be said."""
    if speech.duration > MAX_SECONDS:
        raise InputError(_too_long_message(f" (it makes {speech.duration:.0f} s)"))


def _too_long_message(where: str) -> str:
    """What text_to_clip says of a text whose speech is longer than one clip takes, `where` saying how far it got."""
    return (
        f"the text makes over {MAX_SECONDS:.0f} s of speech ({MAX_SECONDS / 60:.0f} minutes, the most one clip takes), "
        f"so its end would not be said{where}: make a clip of each part of the text, each under "
        f"{MAX_SECONDS / 60:.0f} minutes (`voxlip say` and clone_voice() make speech of any length)"
    )


def _lipsync_speech(speech: Speech | AudioSource | AudioClip, source_sr: int | None) -> Speech | _Audio:
    """The speech to lip-sync to, checked: voxlip's Speech as it is (one not as voxlip made it, its samples as any
    samples: what it claims to be made by is not recorded), a moviepy AudioClip's samples, or a recording (samples
    need `source_sr`, which nothing else takes but a Speech's own rate)."""
    source_sr = checked_rate(speech, source_sr, "speech")
    if isinstance(speech, Speech):
        return speech if speech.as_made else _audio(speech.samples, speech.sample_rate)
    if moviepy_io.is_audio_clip(speech):
        wave, rate, seconds, given = moviepy_io.audio_samples(speech)
        return _heard(_Audio(wave, rate, given, seconds), "the audio clip")
    return _audio(speech, source_sr)


def _audio(speech: AudioSource, source_sr: int | None) -> _Audio:
    """The speech to lip-sync to, checked (a file must hold some audio, and none of it may be silence only), its DC
    offset taken out (pauses are found by their loudness)."""
    check_audio_source(speech, "speech", also=f"{SPEECH_TAKEN}, or a moviepy AudioClip (e.g. clip.audio)")
    if isinstance(speech, np.ndarray):
        wave, rate, seconds = load_recording(speech, source_sr=source_sr, max_seconds=MAX_SECONDS)
        given = memory_inputs.samples(speech, source_sr)  # checked_rate's: samples come with theirs
        return _heard(_Audio(without_offset(wave), rate, given, seconds), "the audio array")
    path = Path(speech).expanduser()
    recording = decode(path, max_seconds=MAX_SECONDS, decode_rate=None, what="audio")  # load_recording's, and notes
    wave, rate, seconds = recording_of(recording)
    if len(wave) < MIN_AUDIO_SECONDS * rate:
        raise InputError(f"{path} holds under 20 ms of audio: give a recording of speech")
    audio = _Audio(without_offset(wave), rate, InputFile.read(path), seconds, recording.notes, str(path))
    return _heard(audio, str(path))


def _heard(audio: _Audio, name: str) -> _Audio:
    """`audio`, refused when silent, with a note when no voice's pitch is heard in it (noise, a whisper): the mouth
    follows its loudness, and barely moves to noise; music and singing, which may be meant, are pitched and pass
    without one."""
    if is_silent(audio.samples):
        raise InputError(f"{name} is silent: give a recording of speech for the face to say")
    if no_voice_heard(audio.samples):
        audio.notes += (
            f"{name} hardly has a voice's pitch anywhere (noise, or a whisper): the mouth follows its loudness, and "
            "barely moves to noise; for a clip that speaks, give a recording of someone speaking",
        )
    return audio


SOURCE_HINT = f"{AUDIO_HINT}, or a video in which someone speaks, to re-voice"


def _home_expanded(value):
    """A file's path with a leading "~" made the user's home folder, as a shell does (every later use of the path,
    down to the provenance record's read of it, then finds the file); anything else as it is."""
    if isinstance(value, (str, os.PathLike)) and os.fspath(value).startswith("~"):
        return Path(value).expanduser()
    return value


def _source_video(source: AudioSource) -> MediaInfo | None:
    """The source's picture when it is a video (not a still or an audio file's cover art)."""
    check_audio_source(source, "source recording", also=SPEECH_TAKEN)
    if isinstance(source, np.ndarray):
        return None
    info = probe(source, SOURCE_HINT)
    return info if info.has_video and not info.is_still and info.fps > 0 else None


def _source_speech(source: AudioSource, source_sr: int | None, rate: int) -> tuple[np.ndarray, int, tuple[str, ...]]:
    """The recording to re-voice, at `rate`, its DC offset taken out: checked for length and silence before any
    work; with a note naming the track re-voiced when the source has several."""
    notes: tuple[str, ...] = ()
    if isinstance(source, np.ndarray):
        wave = without_offset(load_audio(source, rate, source_sr=source_sr, max_seconds=None))  # checked_rate's
        name = "the source array"
    else:
        path = Path(source).expanduser()
        info = probe(path, SOURCE_HINT)
        if info.has_video and not info.has_audio:
            kind = "a picture" if info.is_still else "a video without sound"
            raise InputError(f"{path} is {kind}: give a recording, or a video in which someone speaks, to re-voice")
        seconds = info.duration
        if seconds > MAX_REVOICED_SECONDS:
            raise InputError(
                f"{path} is {seconds / 60:.0f} minutes long: voxlip re-voices at most {MAX_REVOICED_SECONDS / 60:.0f} "
                "minutes at a time; cut it into parts (e.g. ffmpeg -ss START -t 3600)"
            )
        recording = decode(path, max_seconds=None, decode_rate=rate, what="source recording")  # load_audio's, and notes
        wave, name = without_offset(audio_of(recording, rate)), str(path)
        notes = recording.notes
    if len(wave) > MAX_REVOICED_SECONDS * rate:
        raise InputError(f"{name} is over {MAX_REVOICED_SECONDS / 60:.0f} minutes long: give at most an hour at a time")
    if len(wave) < MIN_REVOICED_SECONDS * rate:
        raise InputError(
            f"{name} is {len(wave) / rate:.2f} s long: give at least {MIN_REVOICED_SECONDS} s of speech to re-voice"
        )
    if is_silent(wave):
        raise InputError(f"{name} is silent: give a recording of someone speaking")
    return wave, rate, notes


class _MarkedTrack:
    """A clip's soundtrack at its own rate, with voxlip's mark (added only where it is not there yet), made when the
    lip-sync asks for it (`run_lipsync`'s soundtrack); then `strength_db`, its mark's strength for the record: the one
    added, else `strength_db` as given (a Speech's own; None for audio that came marked)."""

    def __init__(self, samples: np.ndarray, rate: int, strength_db: float | None = None) -> None:
        self.samples, self.rate, self.strength_db = samples, rate, strength_db

    def __call__(self) -> tuple[np.ndarray, int]:
        marked = outputs.ensured_audio_mark(self.samples, self.rate)
        if marked.strength_db is not None:
            self.strength_db = marked.strength_db
        return marked.samples, self.rate


def _marked(
    synthesis: Synthesis,
    speaker: Speaker,
    consent: str,
    timings: dict[str, float],
    settings: dict,
    notes: tuple[str, ...] = (),
    start_seconds: float = 0.0,
    source: InputFile | InputData | None = None,
) -> Speech:
    """The voice stage's output as the API's Speech, watermarked (`start_seconds`: a stream's piece's place in it),
    with `consent`, the `settings` it was made with and the recording it re-voices (`source`, as it was read; None for
    speech made from text), and sealed (what Speech.save checks); `notes` (on the text) come first, then the reference
    recording's own."""
    marked = outputs.marked_audio(synthesis.samples, synthesis.sample_rate, start_seconds=start_seconds)
    speech = Speech(
        samples=marked.samples,
        sample_rate=synthesis.sample_rate,
        text=synthesis.text,
        components=(speaker.encoder, *synthesis.components),
        speaker=speaker,
        phones=synthesis.phones,
        timings=timings,
        notes=notes + speaker.notes + synthesis.notes,
        consent=consent,
        source=source.path if isinstance(source, InputFile) else None,
        source_sha256=source.sha256 if isinstance(source, InputFile) else None,
        source_given=source if isinstance(source, InputData) else None,
        mark_strength_db=marked.strength_db,
        settings=settings,
    )
    return sealed(speech)


def clone(
    reference: AudioSource | Speech,
    text: str,
    *,
    consent: bool,
    synthesizer: str = "auto",
    vocoder: str = "auto",
    seed: int | None = None,
    device: str = "auto",
    source_sr: int | None = None,
) -> Speech:
    """The speaker of `reference` (a recording, samples at `source_sr`, or a Speech) saying `text`, watermarked, in
    one call.

        wave, sr = clone("me.wav", "Hello there.", consent=True)

    Loads the best components on this machine for this one call; the result names them. To clone many
    texts, keep a `Pipeline` (models loaded once).
    """
    return Pipeline(device, synthesizer=synthesizer, vocoder=vocoder).clone_voice(
        reference, text, consent=consent, seed=seed, source_sr=source_sr
    )


def vocode(
    mel: np.ndarray, vocoder: str = "auto", *, seed: int | None = None, device: str = "auto"
) -> tuple[np.ndarray, int]:
    """One SV2TTS mel (80, frames) -> (watermarked samples, sample rate), with the best vocoder here (`device` as
    Pipeline's)."""
    seed = checked_seed(seed)
    samples, sample_rate = VoiceCloner(resolve_device(device), vocoder=vocoder).vocode(
        np.asarray(mel, np.float32), seed
    )
    return outputs.mark_audio(samples, sample_rate), sample_rate
