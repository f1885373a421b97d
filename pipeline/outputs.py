"""The one output layer: every audio and clip voxlip makes is marked, labelled, written, signed and recorded here.

    samples = mark_audio(samples, sr)                # every audio, and a video's soundtrack
    frame = FrameProtector(label, "bgr")(frame)      # every video frame: visible label, then invisible mark
    ... the WAV / MP4 is written ...
    finish_output(path, "audio" | "video", components, inputs, consent, text)   # credentials + record

`Speech.save` and `Clip.save` write their files and finish them here; `detect(path)` finds it all again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np

from core.components import Component
from core.errors import VoxlipError
from core.files import sha256_file

from .provenance.audio_watermark import AUDIO_MARK, ensure_audio_mark, mark_audio
from .provenance.consent import ConsentError
from .provenance.credentials import SigningIdentity, sign_file
from .provenance.detect import detect
from .provenance.label import DEFAULT_LABEL, FrameLabeler, LabelConfig
from .provenance.record import ProvenanceRecord, describe_inputs, record_path, write_record
from .provenance.video_watermark import FRAME_MARK, FrameMarker

KINDS = ("audio", "video")
MIN_CHECKED_SECONDS = 2.0
"""Shorter audio carries the mark too, but too little of it for a check to be conclusive."""

__all__ = ["FrameProtector", "ensure_audio_mark", "finish_output", "mark_audio", "protect_frames"]


class FrameProtector:
    """The per-frame hook of every video: the visible AI-generated label, then the invisible mark.

    `channels` is "rgb", or "bgr" for OpenCV's frames (what the lip-sync engine hands over).
    """

    def __init__(self, label: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"):
        self.label = label
        self._labeler = FrameLabeler(label, channels)
        self._marker = FrameMarker(FRAME_MARK, channels)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        return self._marker(self._labeler(frame))


def protect_frames(
    frames: Iterable[np.ndarray], label: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"
) -> Iterator[np.ndarray]:
    """Every frame with the label and the mark, lazily."""
    protector = FrameProtector(label, channels)
    for frame in frames:
        yield protector(frame)


def finish_output(
    path: str | os.PathLike,
    kind: str,
    components: list[Component],
    inputs: dict[str, str | os.PathLike],
    consent: str | None,
    text: str | None = None,
    label: LabelConfig | None = DEFAULT_LABEL,
    identity: SigningIdentity | None = None,
) -> ProvenanceRecord:
    """Finish a written output (WAV or MP4) whose audio was marked and whose frames were protected.

    Checks that the marks are there (refuses to finish an unmarked file), embeds signed content
    credentials naming the models, and writes `<output>.provenance.json`. `inputs` maps roles
    ("reference_voice", "face") to the files used; they are recorded with `consent`, the statement
    `require_consent` gave when the request came in, without which they are refused.
    """
    path = Path(path)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if inputs and consent is None:
        raise ConsentError("a reference voice or face was used without a statement of consent: nothing is recorded")
    found = detect(path)
    if found.audio is not None and not found.audio.detected and found.audio_seconds >= MIN_CHECKED_SECONDS:
        raise VoxlipError(
            f"{path}: its audio does not carry voxlip's mark; pass the samples through mark_audio() before saving"
        )
    if kind == "video" and not (found.frames and found.frames.detected):
        raise VoxlipError(
            f"{path}: its frames do not carry voxlip's mark; pass them through protect_frames() before encoding"
        )
    watermarks: dict = {}
    if found.audio is not None:
        watermarks["audio"] = {
            "scheme": AUDIO_MARK.key,
            "payload": None,
            "strength_db": AUDIO_MARK.strength_db,
            "z_at_creation": round(found.audio.score, 2),
        }
    if found.frames is not None:
        watermarks["frames"] = {
            "scheme": FRAME_MARK.key,
            "payload": None,
            "strength": FRAME_MARK.strength,
            "z_at_creation": round(found.frames.score, 2),
        }
    if kind == "video" and label is not None:
        watermarks["visible_label"] = {"text": label.text, "corner": label.corner}
    models = [{"name": c.checkpoint, "role": c.role, "sha256": c.sha256} for c in components]
    details = {"voxlip_record": record_path(path).name, "watermarks": watermarks, "consent_stated": consent is not None}
    sign_file(path, models, details, identity)
    record = ProvenanceRecord(
        output={"file": path.name, "kind": kind, "sha256": sha256_file(path)},
        inputs=describe_inputs(inputs, text),
        components=[asdict(c) for c in components],
        watermarks=watermarks,
        consent={"stated": consent is not None, "statement": consent},
        content_credentials={"embedded": True, "format": "C2PA", "generator": "voxlip"},
    )
    write_record(path, record)
    return record
