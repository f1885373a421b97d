"""Audio aligned to video frames: Wav2Lip's mel windows and a loudness gate for silence."""

from __future__ import annotations

import numpy as np

from voice.audio import SAMPLE_RATE, WAV2LIP_MEL, log_mel

MEL_FRAMES_PER_SECOND = SAMPLE_RATE / WAV2LIP_MEL.hop_length
"""80 mel frames per second."""
MEL_WINDOW = 16
"""Mel frames the generator sees per video frame (0.2 s)."""


def lipsync_mel(wave: np.ndarray) -> np.ndarray:
    """(80, frames) Wav2Lip mel of 16 kHz audio, at least one window long."""
    mel = log_mel(wave, WAV2LIP_MEL)
    if mel.shape[1] < MEL_WINDOW:
        pad = np.full((mel.shape[0], MEL_WINDOW - mel.shape[1]), -WAV2LIP_MEL.max_abs_value, dtype=mel.dtype)
        mel = np.concatenate([mel, pad], axis=1)
    return mel


def mel_window_start(frame: int, fps: float, mel_frames: int) -> int:
    """Where frame `frame`'s 16-frame window starts: int(frame * 80 / fps), held at the end."""
    return min(int(frame * MEL_FRAMES_PER_SECOND / fps), mel_frames - MEL_WINDOW)


def mel_windows(mel: np.ndarray, frames: range | list[int], fps: float) -> np.ndarray:
    """(len(frames), 80, 16) windows for the given video frame indices."""
    starts = [mel_window_start(i, fps, mel.shape[1]) for i in frames]
    return np.stack([mel[:, s : s + MEL_WINDOW] for s in starts])


def video_frame_count(wave: np.ndarray, fps: float) -> int:
    """Video frames needed to cover the audio: its duration times fps, rounded."""
    return max(1, int(round(len(wave) / SAMPLE_RATE * fps)))


def frame_loudness(wave: np.ndarray, fps: float, n_frames: int) -> np.ndarray:
    """(n_frames,) RMS level in dBFS of the audio under each video frame."""
    hop = SAMPLE_RATE / fps
    levels = np.empty(n_frames, dtype=np.float32)
    for i in range(n_frames):
        chunk = wave[int(i * hop) : int((i + 1) * hop)]
        rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) if chunk.size else 0.0
        levels[i] = 20 * np.log10(max(rms, 1e-6))
    return levels


def silent_frames(
    wave: np.ndarray, fps: float, n_frames: int, floor_db: float = -50.0, below_peak_db: float = 32.0
) -> np.ndarray:
    """(n_frames,) bool: frames whose audio is quiet, absolutely or relative to the loud part.

    A frame is silent under `floor_db` dBFS, or `below_peak_db` under the 95th-percentile frame level.
    """
    levels = frame_loudness(wave, fps, n_frames)
    loud = float(np.percentile(levels, 95)) if levels.size else 0.0
    return (levels < floor_db) | (levels < loud - below_peak_db)
