"""The base voices: Debian's flite, run as a program, with its phone timings."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import VoxlipError

from ..audio import load_audio
from ..phones import Phone

PITCH_CONTROLLED = frozenset({"slt", "awb", "kal16"})
"""Voices that follow `int_f0_target_mean/stddev`; rms keeps its own pitch."""

VOICED_PHONES = frozenset("AA AE AH AO AW AXR AY EH ER EY IH IY OW OY UH UW B D DH G JH L M N NG R V W Y Z ZH".split())
"""Voiced phones in the CMU names frame_phones gives (flite's names upper-cased, its schwa "ax" as AH)."""
SILENCE_PHONE = "pau"


@dataclass(frozen=True)
class BaseSpeech:
    wave: np.ndarray
    sample_rate: int
    voice: str
    phones: tuple[Phone, ...]
    """flite's phones (CMU names, "pau" a pause), timed from the start of `wave`."""


def flite_executable() -> str | None:
    return shutil.which("flite")


def require_flite() -> str:
    path = flite_executable()
    if path is None:
        raise VoxlipError(
            "flite is not installed, and the offline voice needs it: run `apt-get install flite` "
            "(Debian/Ubuntu; scripts/setup.sh does it), or fetch the SV2TTS checkpoints for neural cloning"
        )
    return path


def synthesize_base(
    text: str, voice: str, *, sample_rate: int = 16_000, f0_mean_hz: float | None = None, f0_std_hz: float | None = None
) -> BaseSpeech:
    """flite's speech for `text`, optionally at a target pitch, with the phone timings it used."""
    command = [require_flite(), "-voice", voice, "-psdur"]
    if f0_mean_hz is not None and voice in PITCH_CONTROLLED:
        command += ["--setf", f"int_f0_target_mean={f0_mean_hz:.1f}"]
        if f0_std_hz is not None:
            command += ["--setf", f"int_f0_target_stddev={f0_std_hz:.1f}"]
    with tempfile.TemporaryDirectory(prefix="voxlip-flite-") as folder:
        text_file, wave_file = Path(folder) / "text.txt", Path(folder) / "speech.wav"
        text_file.write_text(text, encoding="utf-8")
        result = subprocess.run(command + ["-f", str(text_file), "-o", str(wave_file)], capture_output=True, text=True)
        if result.returncode != 0 or not wave_file.exists():
            raise VoxlipError(f"flite failed for voice {voice!r}: {result.stderr.strip() or 'no output'}")
        wave = load_audio(wave_file, sample_rate, max_seconds=None)
    seconds = len(wave) / sample_rate
    phones = tuple(
        Phone(p.phone, min(p.start, seconds), min(p.end, seconds)) for p in parse_phone_durations(result.stdout)
    )
    return BaseSpeech(wave, sample_rate, voice, phones)


def parse_phone_durations(printed: str) -> tuple[Phone, ...]:
    """flite `-psdur` prints one line per utterance of `phone:end` pairs, each line's times from 0."""
    phones, offset = [], 0.0
    for line in printed.splitlines():
        start = 0.0
        for token in line.split():
            name, _, end = token.rpartition(":")
            try:
                end_time = float(end)
            except ValueError:
                continue
            phones.append(Phone(name, offset + start, offset + end_time))
            start = end_time
        offset += start
    return tuple(phones)


def cmu_phone(name: str) -> str:
    """flite's phone name in the CMU set pocketsphinx uses: upper case, schwa as AH, pauses as SIL."""
    return {"ax": "AH", SILENCE_PHONE: "SIL"}.get(name, name.upper())


def frame_phones(phones: tuple[Phone, ...], n_frames: int, hop_seconds: float) -> np.ndarray:
    """The CMU phone said at each analysis frame ("SIL" outside every phone)."""
    return frame_labels([(cmu_phone(p.phone), p.start, p.end) for p in phones], n_frames, hop_seconds)


def frame_labels(spans: Iterable[tuple[str, float, float]], n_frames: int, hop_seconds: float) -> np.ndarray:
    """The name of the (name, start s, end s) span around each frame centre (frame i at i * hop); "SIL" elsewhere."""
    centres = np.arange(n_frames) * hop_seconds
    labels = np.full(n_frames, "SIL", dtype="<U4")
    for name, start, end in spans:
        labels[(centres >= start) & (centres < end)] = name
    return labels


def frame_classes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(voiced, speech) booleans per analysis frame from frame_phones' labels."""
    return np.isin(labels, list(VOICED_PHONES)), labels != "SIL"
