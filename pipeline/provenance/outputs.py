"""The one way voxlip finishes an output: check its marks, sign it (C2PA), write its provenance record."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from pipeline.errors import VoxlipError

from .audio_watermark import AUDIO_MARK
from .consent import require_consent
from .credentials import SigningIdentity, sign_file
from .label import DEFAULT_LABEL, LabelConfig, label_frames
from .record import Component, ProvenanceRecord, describe_inputs, record_path, sha256_file, write_record
from .video_watermark import FRAME_MARK, mark_frames

KINDS = ("audio", "video")
MIN_CHECKED_SECONDS = 2.0
"""Shorter audio carries the mark too, but too little of it for a check to be conclusive."""


def protect_frames(frames: Iterable[np.ndarray], label: LabelConfig = DEFAULT_LABEL, channels: str = "rgb") -> Iterator[np.ndarray]:
    """Every frame (RGB, or `channels="bgr"`) with the visible AI-generated label, then the invisible mark."""
    return mark_frames(label_frames(frames, label, channels), channels=channels)


def finalize_output(
    path: str | os.PathLike,
    kind: str,
    components: list[Component],
    inputs: dict[str, str | os.PathLike],
    consent: bool,
    text: str | None = None,
    label: LabelConfig | None = DEFAULT_LABEL,
    identity: SigningIdentity | None = None,
) -> ProvenanceRecord:
    """Finish a written output (WAV or MP4) whose audio was marked and whose frames were protected.

    Checks that the marks are there (refuses to finish an unmarked file), embeds signed content
    credentials naming the models, and writes `<output>.provenance.json`. `inputs` maps roles
    ("reference_voice", "face") to the files used; giving any requires `consent=True`.
    """
    from .detect import detect

    path = Path(path)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    statement = require_consent(consent) if inputs else None
    found = detect(path)
    if found.audio is not None and not found.audio.detected and found.audio_seconds >= MIN_CHECKED_SECONDS:
        raise VoxlipError(f"{path}: its audio does not carry voxlip's mark; pass the samples through mark_audio() before saving")
    if kind == "video" and not (found.frames and found.frames.detected):
        raise VoxlipError(f"{path}: its frames do not carry voxlip's mark; pass them through protect_frames() before encoding")
    watermarks: dict = {}
    if found.audio is not None:
        watermarks["audio"] = {"scheme": AUDIO_MARK.key, "payload": None, "strength_db": AUDIO_MARK.strength_db, "z_at_creation": round(found.audio.score, 2)}
    if found.frames is not None:
        watermarks["frames"] = {"scheme": FRAME_MARK.key, "payload": None, "strength": FRAME_MARK.strength, "z_at_creation": round(found.frames.score, 2)}
    if kind == "video" and label is not None:
        watermarks["visible_label"] = {"text": label.text, "corner": label.corner}
    models = [{"name": c.checkpoint, "role": c.role, "sha256": c.sha256} for c in components]
    details = {"voxlip_record": record_path(path).name, "watermarks": watermarks, "consent_stated": bool(statement)}
    sign_file(path, models, details, identity)
    record = ProvenanceRecord(
        output={"file": path.name, "kind": kind, "sha256": sha256_file(path)},
        inputs=describe_inputs(inputs, text),
        components=[asdict(c) for c in components],
        watermarks=watermarks,
        consent={"stated": bool(statement), "statement": statement},
        content_credentials={"embedded": True, "format": "C2PA", "generator": "voxlip"},
    )
    write_record(path, record)
    return record
