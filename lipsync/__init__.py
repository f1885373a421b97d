"""Lip-sync: face detection and tracking, a Wav2Lip-style generator, blending, MP4 output."""

from .engine import OFFLINE_LABEL, LipsyncOptions, LipsyncResult, check_face, run

__all__ = ["OFFLINE_LABEL", "LipsyncOptions", "LipsyncResult", "check_face", "run"]
