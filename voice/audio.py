"""Audio in and out: decoding any file ffmpeg reads, resampling, loudness, and the two mel front-ends."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import soundfile
from scipy.signal import lfilter

from pipeline.errors import InputError

SAMPLE_RATE = 16_000
MAX_SECONDS = 600.0
"""Longer input is cut to this many seconds: a few minutes say all there is about a voice."""

INT16_MAX = 2**15 - 1

AudioSource = str | os.PathLike | np.ndarray


@dataclass(frozen=True)
class MelSpec:
    """The 80-band log-mel of SV2TTS and Wav2Lip: scaled dB, symmetric in [-max_abs_value, max_abs_value]."""

    sample_rate: int = SAMPLE_RATE
    n_fft: int = 800
    hop_length: int = 200
    win_length: int = 800
    n_mels: int = 80
    fmin: float = 55.0
    fmax: float = 7600.0
    preemphasis: float = 0.97
    ref_level_db: float = 20.0
    min_level_db: float = -100.0
    max_abs_value: float = 4.0
    pad_mode: str = "constant"
    """STFT edge padding: RTVC's librosa (>= 0.9) pads with zeros, Wav2Lip's librosa 0.7 reflected."""


SV2TTS_MEL = MelSpec()
WAV2LIP_MEL = MelSpec(pad_mode="reflect")


@dataclass(frozen=True)
class EncoderMelSpec:
    """The speaker encoder's 40-band power mel (not log): 25 ms windows every 10 ms."""

    sample_rate: int = SAMPLE_RATE
    window_ms: int = 25
    hop_ms: int = 10
    n_mels: int = 40

    @property
    def n_fft(self) -> int:
        return self.sample_rate * self.window_ms // 1000

    @property
    def hop_length(self) -> int:
        return self.sample_rate * self.hop_ms // 1000


ENCODER_MEL = EncoderMelSpec()


def load_audio(
    source: AudioSource,
    sr: int = SAMPLE_RATE,
    *,
    source_sr: int | None = None,
    max_seconds: float | None = MAX_SECONDS,
    normalize_dbfs: float | None = None,
    trim_silence: bool = False,
) -> np.ndarray:
    """Mono float32 samples at `sr` from a file (anything ffmpeg decodes) or an array.

    Arrays are taken at `source_sr` (default: already at `sr`); (channels, n) or (n, channels) are
    averaged to mono. Optionally raise quiet audio to `normalize_dbfs` and shorten long silences.
    """
    if isinstance(source, np.ndarray):
        wav = _array_to_mono(source)
        native_sr = source_sr or sr
        name = "the audio array"
    else:
        path = Path(source).expanduser()
        wav, native_sr = _read_file(path, max_seconds)
        name = str(path)
    if wav.size == 0:
        raise InputError(f"{name} contains no audio samples: give a recording of speech")
    if not np.all(np.isfinite(wav)):
        raise InputError(f"{name} contains NaN or infinite samples: give real audio")
    if max_seconds is not None and wav.size > max_seconds * native_sr:
        logging.getLogger(__name__).warning(
            "%s is %.0f s long: using only its first %.0f s", name, wav.size / native_sr, max_seconds
        )
        wav = wav[: int(max_seconds * native_sr)]
    if native_sr != sr:
        wav = librosa.resample(wav, orig_sr=native_sr, target_sr=sr)
    wav = wav.astype(np.float32, copy=False)
    if normalize_dbfs is not None:
        wav = normalize_volume(wav, normalize_dbfs)
    if trim_silence:
        from .vad import VadConfig, trim_long_silences

        wav = trim_long_silences(wav, VadConfig(sample_rate=sr))
    return wav


def _array_to_mono(array: np.ndarray) -> np.ndarray:
    wav = np.asarray(array)
    if wav.dtype.kind in "iu":
        wav = wav / float(np.iinfo(wav.dtype).max)
    elif wav.dtype.kind != "f":
        raise InputError(f"audio arrays must hold numbers, not {wav.dtype}")
    if wav.ndim == 2:
        channel_axis = 0 if wav.shape[0] < wav.shape[1] else 1
        wav = wav.mean(axis=channel_axis)
    elif wav.ndim != 1:
        raise InputError(f"audio arrays must be 1-D (samples) or 2-D (channels x samples), not {wav.shape}")
    return wav.astype(np.float32, copy=False)


def _read_file(path: Path, max_seconds: float | None) -> tuple[np.ndarray, int]:
    if not path.exists():
        raise InputError(f"audio file {path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory: give an audio file")
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return _decode_with_ffmpeg(path, max_seconds), SAMPLE_RATE
    frames = info.frames
    if max_seconds is not None:
        frames = min(frames, int((max_seconds + 1) * info.samplerate))
    try:
        wav, native_sr = soundfile.read(str(path), frames=frames, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise InputError(f"could not decode {path} ({e}): the file is corrupt or truncated; give a complete recording") from None
    return wav.mean(axis=1), native_sr


def _decode_with_ffmpeg(path: Path, max_seconds: float | None) -> np.ndarray:
    """Decode with imageio-ffmpeg's bundled ffmpeg to mono float32 at SAMPLE_RATE."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error"]
    if max_seconds is not None:
        command += ["-t", str(max_seconds + 1)]
    command += ["-i", str(path), "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True)
    if result.returncode != 0 or not result.stdout:
        stderr = result.stderr.decode(errors="replace")
        if "does not contain any stream" in stderr or not stderr.strip():
            reason = "it contains no audio stream"
        elif "Invalid data found" in stderr:
            reason = "it is not a media file ffmpeg can decode, or it is corrupt"
        else:
            reason = "ffmpeg: " + stderr.strip().splitlines()[0]
        raise InputError(f"could not read {path} as audio: {reason}; give a wav, flac, mp3, ogg, m4a or webm recording")
    return np.frombuffer(result.stdout, dtype=np.float32).copy()


def save_audio(path: str | os.PathLike, wav: np.ndarray, sr: int) -> Path:
    """Write a 16-bit WAV (or any format soundfile knows by extension) atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".wav", dir=path.parent)
    os.close(fd)
    try:
        soundfile.write(tmp, np.clip(wav, -1.0, 1.0), sr, subtype="PCM_16" if path.suffix.lower() in ("", ".wav") else None)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def dbfs(wav: np.ndarray) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    rms = np.sqrt(np.mean((wav * INT16_MAX) ** 2))
    return float(20 * np.log10(rms / INT16_MAX)) if rms > 0 else float("-inf")


def normalize_volume(wav: np.ndarray, target_dbfs: float, increase_only: bool = True) -> np.ndarray:
    """Scale to an RMS of `target_dbfs`; with `increase_only`, loud audio is left as it is."""
    rms = np.sqrt(np.mean((wav * INT16_MAX) ** 2))
    if rms == 0:
        return wav
    change = target_dbfs - 20 * np.log10(rms / INT16_MAX)
    if change < 0 and increase_only:
        return wav
    return wav * (10 ** (change / 20))


def encoder_mel(wav: np.ndarray, spec: EncoderMelSpec = ENCODER_MEL) -> np.ndarray:
    """(frames, n_mels) float32 power mel of a 16 kHz waveform, as the GE2E encoder was trained on."""
    mel = librosa.feature.melspectrogram(
        y=wav, sr=spec.sample_rate, n_fft=spec.n_fft, hop_length=spec.hop_length, n_mels=spec.n_mels
    )
    return mel.astype(np.float32).T


def log_mel(wav: np.ndarray, spec: MelSpec = SV2TTS_MEL) -> np.ndarray:
    """(n_mels, frames) float32 SV2TTS/Wav2Lip mel: pre-emphasis, |STFT|, Slaney mel, scaled dB."""
    mel = librosa.feature.melspectrogram(
        y=lfilter([1, -spec.preemphasis], [1], wav),
        sr=spec.sample_rate,
        n_fft=spec.n_fft,
        hop_length=spec.hop_length,
        win_length=spec.win_length,
        pad_mode=spec.pad_mode,
        power=1.0,
        n_mels=spec.n_mels,
        fmin=spec.fmin,
        fmax=spec.fmax,
    )
    floor = 10 ** (spec.min_level_db / 20)
    db = 20 * np.log10(np.maximum(floor, mel)) - spec.ref_level_db
    scaled = 2 * spec.max_abs_value * (db - spec.min_level_db) / -spec.min_level_db - spec.max_abs_value
    return np.clip(scaled, -spec.max_abs_value, spec.max_abs_value).astype(np.float32)
