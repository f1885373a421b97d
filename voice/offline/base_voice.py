"""What a base voice sounds like before conversion: its pitch and mean spectral envelope over a fixed text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.cache import cached_arrays

from ..audio import load_audio
from ..piper import PiperVoice
from .config import OfflineConfig
from .conversion import speech_envelope
from .pitch import PitchStats, pitch_stats, praat_f0

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from ..encoder import SpeakerEncoder

PROFILE_TEXT = (
    "It was a bright cold day in April, and the clocks were striking thirteen. "
    "Fish swim quickly through the shallow water under the broken bridge. "
    "My sister keeps three cats, two parrots and a very lazy tortoise. "
    "Could you pass me the salt and pepper, please?"
)
"""About 12 s of varied English: enough of every common sound for a voice's mean envelope."""
PROFILE_SEED = 0
CALIBRATION_TEXTS = (
    "She sells fresh bread at the market every Sunday morning.",
    "My brother carried the heavy boxes up the stairs.",
)
"""What the base voice says, converted at each candidate formant ratio, when a reference is fitted (about 5 s).
Four sentences instead (two more of the same kind), chosen half of eval_offline_voice.py at similarity 1: GE2E 0.731,
d-vector 0.644, DistillMOS 3.84, WER 0.235 (two: 0.731, 0.643, 3.84, 0.254), for twice the fitting time."""


@dataclass(frozen=True, eq=False)
class BaseVoiceProfile:
    pitch: PitchStats
    envelope: np.ndarray = field(repr=False)


def base_voice_profile(voice: PiperVoice, config: OfflineConfig) -> BaseVoiceProfile:
    """The voice's profile, measured once per machine and kept in voxlip's cache (keyed by `voice.key`: its .onnx and
    .onnx.json and its speaker)."""
    key = f"{voice.key}|{PROFILE_TEXT}|{PROFILE_SEED}|".encode() + config.analysis_key()

    def measured() -> dict[str, np.ndarray]:
        profile = measure_profile(voice, config)
        return dict(
            median_hz=np.float64(profile.pitch.median_hz),
            log_std=np.float64(profile.pitch.log_std),
            envelope=profile.envelope,
        )

    data = cached_arrays("base-voices", key, ("median_hz", "log_std", "envelope"), measured)
    pitch = PitchStats(float(data["median_hz"]), float(data["log_std"]))
    return BaseVoiceProfile(pitch, data["envelope"])


def calibration_speech(voice: PiperVoice) -> list[np.ndarray]:
    """The voice saying each of CALIBRATION_TEXTS (seeded), at its own rate: every new reference's formant fit
    converts them, so they are made once per machine and kept in voxlip's cache (keyed by `voice.key`: its .onnx and
    .onnx.json and its speaker)."""
    names = tuple(f"sentence{i}" for i in range(len(CALIBRATION_TEXTS)))
    key = f"{voice.key}|{CALIBRATION_TEXTS}|calibration".encode()

    def spoken() -> dict[str, np.ndarray]:
        return {name: voice.speak(text, seed=i).wave for i, (name, text) in enumerate(zip(names, CALIBRATION_TEXTS))}

    data = cached_arrays("base-voices", key, names, spoken)
    return [data[name] for name in names]


def speaker_embeddings(voice: PiperVoice, judge: SpeakerEncoder) -> np.ndarray:
    """(speakers, embedding): every speaker of a multi-speaker voice saying the first calibration sentence, as
    `judge` hears it; made once per machine (each speaker costs about as much as one short sentence said and
    embedded) and kept in voxlip's cache."""
    key = f"{voice.key}|{CALIBRATION_TEXTS[0]}|speakers|{judge.checkpoint_sha256}|{judge.config}".encode()

    def embedded() -> dict[str, np.ndarray]:
        rate, batch = voice.config.sample_rate, 16
        embeddings = []
        for first in range(0, voice.config.num_speakers, batch):
            ids = range(first, min(first + batch, voice.config.num_speakers))
            spoken = [voice.speak(CALIBRATION_TEXTS[0], seed=0, speaker=i).wave for i in ids]
            embeddings.append(judge.embed_utterances(spoken, rate))
        return {"embeddings": np.concatenate(embeddings)}

    return cached_arrays("base-voices", key, ("embeddings",), embedded)["embeddings"]


def measure_profile(voice: PiperVoice, config: OfflineConfig) -> BaseVoiceProfile:
    speech = voice.speak(PROFILE_TEXT, seed=PROFILE_SEED)
    wave = load_audio(speech.wave, source_sr=speech.sample_rate, max_seconds=None)
    return BaseVoiceProfile(speech_pitch_of(wave, config), speech_envelope(wave, config))


def speech_pitch_of(wave: np.ndarray, config: OfflineConfig) -> PitchStats:
    """Median and log-spread of a base voice's F0 as Praat tracks it: Change gender scales that contour, so the
    spread it is given is relative to this one. (WORLD's DIO, which reads the shared recordings as Praat does, hears
    the bundled joe voice an octave up: median 162 Hz, against 92 Hz from Praat and 89 Hz from pYIN.)"""
    f0 = praat_f0(wave, config)
    return pitch_stats(f0) if (f0 > 0).sum() > 10 else PitchStats(120.0, 0.1)
