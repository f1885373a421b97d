"""What each flite voice sounds like: its envelopes over a fixed text and its pitch."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .config import OfflineConfig
from .envelope import log_mel_envelope, stft
from .flite import frame_classes, frame_phones, synthesize_base
from .pitch import PitchStats, speech_pitch

PROFILE_TEXT = (
    "It was a bright cold day in April, and the clocks were striking thirteen. "
    "Nobody expected the small village choir to win the national prize that year. "
    "He opened the heavy wooden door and looked out over the frozen lake. "
    "Fish swim quickly through the shallow water under the broken bridge. "
    "My sister keeps three cats, two parrots and a very lazy tortoise. "
    "Thousands of people gathered in the square to watch the fireworks. "
    "The judge asked the witness to describe exactly what she had seen. "
    "Yellow leaves were drifting down from the maple trees along the avenue. "
    "Could you pass me the salt and pepper, please? "
    "They measured the length of the shadow at noon on the longest day."
)
"""About 30 s of varied English: enough frames of every common sound to fit a speaker transform."""


@dataclass(frozen=True, eq=False)
class BaseVoiceProfile:
    voice: str
    voiced_envelopes: np.ndarray = field(repr=False)
    pitch: PitchStats


@lru_cache(maxsize=8)
def base_voice_profile(voice: str, config: OfflineConfig) -> BaseVoiceProfile:
    """The voice's voiced log-mel envelopes and pitch over PROFILE_TEXT (computed once per process)."""
    speech = synthesize_base(PROFILE_TEXT, voice, sample_rate=config.sample_rate)
    envelopes = log_mel_envelope(stft(speech.wave, config), config)
    voiced, _ = frame_classes(frame_phones(speech.phones, len(envelopes), config.hop_length / config.sample_rate))
    pitch = speech_pitch(speech.wave, config)
    return BaseVoiceProfile(voice, envelopes[voiced], pitch or PitchStats(120.0, 0.12))
