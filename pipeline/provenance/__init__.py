"""Responsible use, built in: watermarks, visible label, C2PA content credentials, consent, provenance records.

The marks are applied and the files signed and recorded by the output layer (`pipeline.outputs`);
`detect(path)` finds all of it again.
"""

from .audio_watermark import (
    AUDIO_MARK,
    AudioMarkConfig,
    AudioMarkResult,
    MarkedAudio,
    detect_audio_mark,
    ensure_audio_mark,
    find_audio_mark,
    mark_audio,
    marked_audio,
)
from .consent import CONSENT_STATEMENT, ConsentError, require_consent
from .credentials import CredentialsReport, read_credentials, sign_file, signing_identity
from .detect import DetectionReport, detect
from .label import DEFAULT_LABEL, LabelConfig, draw_label, label_frames
from .record import ProvenanceRecord, read_record, record_path
from .video_watermark import (
    FRAME_MARK,
    FrameMarkConfig,
    FrameMarkResult,
    detect_frame_mark,
    find_frame_mark,
    mark_frame,
    mark_frames,
)

__all__ = [
    "AUDIO_MARK",
    "AudioMarkConfig",
    "AudioMarkResult",
    "CONSENT_STATEMENT",
    "ConsentError",
    "CredentialsReport",
    "DEFAULT_LABEL",
    "DetectionReport",
    "FRAME_MARK",
    "FrameMarkConfig",
    "FrameMarkResult",
    "LabelConfig",
    "MarkedAudio",
    "ProvenanceRecord",
    "detect",
    "detect_audio_mark",
    "detect_frame_mark",
    "draw_label",
    "ensure_audio_mark",
    "find_audio_mark",
    "find_frame_mark",
    "label_frames",
    "mark_audio",
    "mark_frame",
    "mark_frames",
    "marked_audio",
    "read_credentials",
    "read_record",
    "record_path",
    "require_consent",
    "sign_file",
    "signing_identity",
]
