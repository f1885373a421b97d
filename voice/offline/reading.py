"""The reference's own words read by the base voice: pseudo-parallel frames for a phone-by-phone conversion.

Without a second recording of the same sentence, the base voice is made to say what the reference
says (words recognised by pocketsphinx), the two are aligned frame by frame (DTW on normalised
envelopes), and pairs whose phones disagree are dropped. Each frame of new base speech then looks
up the nearest frames of the same phone in the base voice's reading, which is reliable because
both are the same synthetic voice, and takes the reference envelopes they were aligned to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import librosa
import numpy as np

from ..recognition import hear_phones
from .config import OfflineConfig
from .envelope import loudest_frames
from .flite import frame_labels
from .mapping import SpeakerTransform, squared_distances
from .pitch import PitchStats
from .rendering import BaseRendering, render_base


@dataclass(frozen=True, eq=False)
class ReadingTable:
    text: str
    """What pocketsphinx heard in the reference, which the base voice read."""
    phones: np.ndarray = field(repr=False)
    base_envelopes: np.ndarray = field(repr=False)
    """(pairs, n_mels) the base voice's envelopes in its reading."""
    reference_envelopes: np.ndarray = field(repr=False)
    """(pairs, n_mels) the reference's envelopes aligned to them."""

    def __len__(self) -> int:
        return len(self.phones)


def build_reading_table(
    wave: np.ndarray,
    envelopes: np.ndarray,
    voice: str,
    pitch: PitchStats | None,
    transform: SpeakerTransform,
    config: OfflineConfig,
) -> ReadingTable | None:
    """Pair the base voice's frames with the reference's over the reference's own words; None if none are heard."""
    limit = int(config.reading_max_seconds * config.sample_rate)
    heard = hear_phones(wave[:limit])
    if len(heard.text.split()) < config.reading_min_words or not heard.phones:
        return None
    envelopes = envelopes[: 1 + limit // config.hop_length]
    reading = render_base(heard.text, voice, pitch, config)
    base_frames = np.flatnonzero(reading.speech_frames)
    reference_frames = np.flatnonzero(loudest_frames(envelopes, config.reading_floor_db))
    if len(base_frames) < 2 or len(reference_frames) < 2:
        return None
    mapped = transform.map(reading.envelopes[base_frames], config)
    costs = np.sqrt(squared_distances(_normalised(mapped), _normalised(envelopes[reference_frames])))
    _, path = librosa.sequence.dtw(C=costs)
    base_index, reference_index = base_frames[path[::-1, 0]], reference_frames[path[::-1, 1]]
    hop_seconds = config.hop_length / config.sample_rate
    reference_phones = frame_labels(heard.phones, len(envelopes), hop_seconds)
    agree = reading.phones[base_index] == reference_phones[reference_index]
    if not agree.any():
        return None
    base_index, reference_index = base_index[agree], reference_index[agree]
    return ReadingTable(
        heard.text, reading.phones[base_index], reading.envelopes[base_index], envelopes[reference_index]
    )


def reading_targets(
    rendering: BaseRendering, table: ReadingTable, config: OfflineConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(targets, found): for each speech frame of `rendering` whose phone the reading has, the mean
    reference envelope of its k nearest same-phone frames there (found marks those frames)."""
    targets = np.zeros_like(rendering.envelopes)
    found = np.zeros(len(targets), dtype=bool)
    for phone in np.unique(rendering.phones[rendering.speech_frames]):
        candidates = np.flatnonzero(table.phones == phone)
        if len(candidates) == 0:
            continue
        frames = np.flatnonzero(rendering.speech_frames & (rendering.phones == phone))
        distances = squared_distances(rendering.envelopes[frames], table.base_envelopes[candidates])
        k = min(config.reading_neighbours, len(candidates))
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        targets[frames] = table.reference_envelopes[candidates][nearest].mean(axis=1)
        found[frames] = True
    return targets, found


def _normalised(frames: np.ndarray) -> np.ndarray:
    return (frames - frames.mean(0)) / (frames.std(0) + 1e-6)
