"""voxlip's Python API: load the best available components once, then make speech and talking clips.

    from pipeline import Pipeline
    voxlip = Pipeline()
    voxlip.text_to_clip("voice.wav", "face.jpg", "Hello there!", consent=True).save("clip.mp4")

Neural checkpoints are used when they are on this machine (`voxlip fetch`), voxlip's offline
defaults otherwise; every result says which components made it.
"""

from __future__ import annotations

import copy
import os
import tempfile
import time
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from lipsync import LipsyncOptions
from voice.audio import SAMPLE_RATE, AudioSource
from voice.cloning import VoiceCloner
from voice.encoder import SpeakerEncoder, load_encoder

from . import checkpoints
from .errors import InputError
from .provenance import Component, require_consent
from .results import Clip, Speaker, Speech

LIPSYNC_CHECKPOINTS = ("wav2lip-gan", "wav2lip")
"""Tried in this order when lip-sync is "auto"."""
FACE_TRACKER = Component("face tracking", "MediaPipe 0.10.21 BlazeFace + FaceMesh (bundled in its wheel)")
OFFLINE_LIPSYNC = Component.offline("lip-sync", "offline lip-sync: landmark mouth animator")
PHONE_RECOGNIZER = Component.offline("phone timing", "pocketsphinx en-us phone loop")

FaceSource = str | os.PathLike
ProgressCallback = Callable[[int, int, float], None]


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _speech(speaker: Speaker, cloned, text: str, timings: dict[str, float]) -> Speech:
    """A cloner's output as the API's Speech, watermarked."""
    from .provenance import mark_audio

    return Speech(
        samples=mark_audio(cloned.samples, cloned.sample_rate), sample_rate=cloned.sample_rate, text=text,
        components=(speaker.encoder, *cloned.components), speaker=speaker, phones=cloned.phones,
        timings=timings, notes=cloned.notes,
    )


class Pipeline:
    """The voice and lip-sync stages wired together; models load on first use and are reused.

    `precision` is that of the neural voice models ("float32", the published models' numbers, or
    "bfloat16", faster on CPUs with AVX512-BF16); Wav2Lip's is `lipsync_options.precision`.
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
        lipsync_options: LipsyncOptions = LipsyncOptions(),
    ):
        self.device = resolve_device(device)
        self.encoder_name = encoder
        self.voice = VoiceCloner(self.device, synthesizer, vocoder, vocoder_checkpoint, fast_vocoder, precision)
        self.lipsync_name = lipsync
        self.lipsync_options = lipsync_options

    def with_voice(self, synthesizer: str = "auto", vocoder: str = "auto", fast_vocoder: bool = False) -> "Pipeline":
        """This pipeline with other voice components; the speaker encoder and lip-sync models loaded so far are shared."""
        self.encoder  # loaded here, so that every variant shares one copy
        other = copy.copy(self)
        other.voice = VoiceCloner(self.device, synthesizer, vocoder, None, fast_vocoder, self.voice.precision)
        return other

    @cached_property
    def encoder(self) -> SpeakerEncoder:
        return load_encoder(self.encoder_name, self.device)

    @cached_property
    def lipsync_generator(self):
        """The Wav2Lip generator, or None for the offline animator."""
        name = self.lipsync_name
        if name == "offline":
            return None
        if name == "auto":
            name = next((n for n in LIPSYNC_CHECKPOINTS if checkpoints.is_present(n)), None)
            if name is None:
                return None
        from lipsync.wav2lip import load_wav2lip

        return load_wav2lip(name, self.device)

    def lipsync_components(self, phones_given: bool) -> tuple[Component, ...]:
        generator = self.lipsync_generator
        if generator is not None:
            return (FACE_TRACKER, Component.of("lip-sync", generator))
        return (FACE_TRACKER, OFFLINE_LIPSYNC) + (() if phones_given else (PHONE_RECOGNIZER,))

    def speaker(self, reference: AudioSource | Speaker, source_sr: int | None = None) -> Speaker:
        """Prepare a reference voice once (its cleaned speech and embedding) to reuse for many texts."""
        if isinstance(reference, Speaker):
            return reference
        wave = self.encoder.preprocess(reference, source_sr)
        embedding = self.encoder.embed_utterance(wave, preprocessed=True)
        source = None if isinstance(reference, np.ndarray) else Path(reference)
        return Speaker(wave, embedding, Component.of("speaker encoder", self.encoder), source)

    def clone_voice(
        self,
        reference: AudioSource | Speaker,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> Speech:
        """The reference speaker saying `text`, watermarked. `reference` is a recording or a `Speaker`."""
        from voice.text import check_text

        require_consent(consent, "a reference voice")
        text = check_text(text)  # before minutes of work on a reference
        started = time.perf_counter()
        speaker = self.speaker(reference, source_sr)
        prepared = time.perf_counter()
        cloned = self.voice.clone(speaker.wave, speaker.embedding, text, seed=seed, progress=progress, encoder=self.encoder)
        return _speech(speaker, cloned, text, {"speaker": prepared - started, **cloned.timings})

    def stream_voice(
        self,
        reference: AudioSource | Speaker,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        source_sr: int | None = None,
    ) -> Iterator[Speech]:
        """`clone_voice` piece by piece, a short clause first: play each watermarked piece as it comes.

        The pieces, concatenated, are the whole speech (each carries the pause that follows it).
        """
        from voice.text import check_text

        require_consent(consent, "a reference voice")
        text = check_text(text)
        speaker = self.speaker(reference, source_sr)
        for piece in self.voice.stream(speaker.wave, speaker.embedding, text, seed=seed, encoder=self.encoder):
            yield _speech(speaker, piece, piece.text, piece.timings)

    def text_to_clip(
        self,
        reference: AudioSource | Speaker,
        face: FaceSource,
        text: str,
        *,
        consent: bool,
        seed: int | None = None,
        progress: ProgressCallback | None = None,
        voice_progress: ProgressCallback | None = None,
    ) -> Clip:
        """Clone the voice saying `text`, then make the face speak it: one talking clip.

        `voice_progress` follows the voice stage (sentences), `progress` the lip-sync stage (frames).
        """
        import lipsync

        require_consent(consent)
        face = Path(face)
        lipsync.check_face(face, self.lipsync_options)  # a bad face fails before the voice is made
        speech = self.clone_voice(reference, text, consent=consent, seed=seed, progress=voice_progress)
        clip = self.lipsync(face, speech, consent=consent, progress=progress)
        clip.timings = {**speech.timings, **clip.timings}
        clip.notes = speech.notes + clip.notes
        return clip

    def lipsync(
        self,
        face: FaceSource,
        speech: Speech | AudioSource,
        *,
        consent: bool,
        source_sr: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        """Make the face in a video or photo speak `speech` (voxlip's Speech, an audio file or samples)."""
        import lipsync

        require_consent(consent, "a face")
        face = Path(face)
        if not face.is_file():
            raise InputError(f"face file {face} does not exist: give a video or photo of a face")
        started = time.perf_counter()
        if isinstance(speech, Speech):
            audio, phones, marked = (speech.samples, speech.sample_rate), speech.phones, True
            components, inputs, text = speech.components, {"reference_voice": speech.speaker.source}, speech.text
        else:
            audio = (speech, source_sr or SAMPLE_RATE) if isinstance(speech, np.ndarray) else speech
            phones, marked, components, text = None, False, (), None
            inputs = {"audio": None if isinstance(speech, np.ndarray) else Path(speech)}
        workdir = tempfile.TemporaryDirectory(prefix="voxlip-clip-")
        result = lipsync.run(
            face, audio, Path(workdir.name) / "clip.mp4", self.lipsync_options,
            generator=self.lipsync_generator, phones=phones, progress=progress, audio_marked=marked,
        )
        notes = ()
        if result.frames_without_face:
            notes = (f"{result.frames_without_face} of {result.frames} frames had no face and were left as they were",)
        inputs = {role: p for role, p in {**inputs, "face": face}.items() if p is not None and Path(p).is_file()}
        return Clip(
            path=result.path, duration=result.duration, fps=result.fps, frames=result.frames,
            frames_without_face=result.frames_without_face,
            components=tuple(components) + self.lipsync_components(phones is not None),
            inputs=inputs, text=text, timings={"lipsync": time.perf_counter() - started}, notes=notes, _workdir=workdir,
        )
