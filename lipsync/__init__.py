"""Lip-sync: face detection and tracking, a Wav2Lip-style generator, blending, MP4 output."""
