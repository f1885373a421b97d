"""Which flite voice to start from: the one that, said at the reference's pitch, sounds nearest to it."""

from __future__ import annotations

import numpy as np

from ..encoder import SpeakerEncoder, similarity
from .config import OfflineConfig
from .pitch import PitchStats
from .rendering import render_base


def rank_base_voices(
    reference_embedding: np.ndarray, pitch: PitchStats | None, encoder: SpeakerEncoder, config: OfflineConfig
) -> list[tuple[str, float]]:
    """(voice, GE2E cosine of its unconverted speech with the reference), best first.

    Each voice says the probe text at the reference's pitch (its own when `pitch` is None), as the
    conversion will have it say everything, so that a male voice raised to a female reference's pitch
    competes with slt on timbre rather than losing on pitch. Only the base voices are compared with the
    reference embedding; the converted output never is.
    """
    scores = []
    for voice in config.voices:
        probe = render_base(config.probe_text, voice, pitch, config)
        scores.append((voice, similarity(encoder.embed_utterance(probe.wave), reference_embedding)))
    return sorted(scores, key=lambda pair: -pair[1])
