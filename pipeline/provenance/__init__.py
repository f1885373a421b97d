"""Responsible use, built in: watermarks, visible label, C2PA content credentials, consent, provenance records.

Every output goes through the same three steps:

    statement = require_consent(consent)            # before using a reference voice or face
    wave = mark_audio(wave, sr)                     # every audio, and a video's audio track
    frames = protect_frames(frames)                 # every video: visible label + invisible mark
    ... write the WAV / MP4 ...
    finalize_output(path, "audio" | "video", components, inputs, consent, text)

and `detect(path)` finds all of it again.
"""

from .audio_watermark import AUDIO_MARK, AudioMarkConfig, AudioMarkResult, detect_audio_mark, ensure_audio_mark, mark_audio
from .consent import CONSENT_STATEMENT, ConsentError, require_consent
from .credentials import CredentialsReport, read_credentials, sign_file, signing_identity
from .detect import DetectionReport, detect
from .label import DEFAULT_LABEL, LabelConfig, draw_label, label_frames
from .outputs import finalize_output, protect_frames
from .record import Component, ProvenanceRecord, read_record, record_path
from .video_watermark import FRAME_MARK, FrameMarkConfig, FrameMarkResult, detect_frame_mark, mark_frame, mark_frames

__all__ = [
    "AUDIO_MARK", "AudioMarkConfig", "AudioMarkResult", "CONSENT_STATEMENT", "Component", "ConsentError",
    "CredentialsReport", "DEFAULT_LABEL", "DetectionReport", "FRAME_MARK", "FrameMarkConfig", "FrameMarkResult",
    "LabelConfig", "ProvenanceRecord", "detect", "detect_audio_mark", "detect_frame_mark", "draw_label", "ensure_audio_mark",
    "finalize_output", "label_frames", "mark_audio", "mark_frame", "mark_frames", "protect_frames",
    "read_credentials", "read_record", "record_path", "require_consent", "sign_file", "signing_identity",
]
