"""The audio mark's pattern: its settings, where it lies in the spectrum with its keyed signs, and the test of cells
against the signs (a self-normalised correlation at the best phase of the period); shared by the mark, its detector
and the search of copies played faster or slower."""

from __future__ import annotations

import hashlib
import math
import numbers
from dataclasses import dataclass

import numpy as np

from core.errors import InputError

STRENGTHS_DB = (0.75, 6.0)
"""The strengths a mark may be made at: 5 s of each of six shared readers' speech marked at 0.75 dB scores z 7.4-12.0
(0.5 dB: 5.2-8.7, one missed at the threshold 5.5); above 6 dB the score no longer grows (33-34 at 6 and at 10 dB),
only the change to the sound does. A strength under it, or of the opposite sign, would leave no mark (minus the
strength takes the mark out)."""


@dataclass(frozen=True)
class AudioMarkConfig:
    """The audio mark's pattern and strengths; refused at creation if it would leave no mark the detector finds."""

    key: str = "voxlip-audio-mark-v1"
    sample_rate: int = 16_000
    n_fft: int = 192
    hop_length: int = 48
    cell_frames: int = 4
    cell_bins: int = 2
    min_hz: float = 150.0
    max_hz: float = 5_000.0
    """Where speech has its energy: the band survives MP3/AAC, resampling to 22.05 kHz and noise."""
    period_cells: int = 64
    strength_db: float = 1.0
    stronger_db: tuple[float, ...] = (2.0, 3.0)
    """Tried in turn where the mark at `strength_db` would not be found: speech with its energy in few bands (a voice
    cloned from a tone sweep: z 4.2 at 1 dB, where speech scores about 8), a word or two (0.9 s: z 4.7-5.3)."""
    checked_seconds: float = 1.0
    """Shorter audio carries the mark too, but may hold too little of it to be found even at the strongest (every
    1 s piece of the shared readers' speech is found, 0.3 s pieces with z 6.7-10.5); longer audio without it is
    refused."""
    threshold: float = 5.5
    """Detection z-score; with the 256 tries of the search the false-positive bound is 7e-5 per file."""
    margin: float = 1.0
    """A mark is made stronger until it scores this much over the threshold, so that an MP3 of it is found too."""
    min_level_db: float = 60.0
    """Cells this far under the loudest one (digital silence, fades) are left out of the test."""
    part_seconds: float = 5.0
    """`find_audio_mark` searches parts this long, each overlapping the next by half: any stretch of marked speech
    1.5 times as long holds one whole part (5 s of the shared readers' marked speech score z 9-16)."""
    speech_db: float = 40.0
    over_noise_db: float = 10.0
    """Where a mark is found, a part's speech (`mark_extent`) is its cells within `speech_db` of the loudest one and
    `over_noise_db` over their band's noise (its 10th percentile): a pause of a voxlip output (silence, room noise 60-80
    dB under the speech) holds none, nor speech drowned in noise, so their low scores are no sign of unmarked sound."""

    def __post_init__(self) -> None:
        low, high = STRENGTHS_DB
        strengths = (self.strength_db, *self.stronger_db) if isinstance(self.stronger_db, tuple) else None
        if strengths is None or not all(
            isinstance(db, numbers.Real) and not isinstance(db, bool) and low <= db <= high for db in strengths
        ):
            raise InputError(
                f"audio mark strengths strength_db={self.strength_db!r}, stronger_db={self.stronger_db!r}: give dB "
                f"from {low:g} to {high:g} (stronger_db a tuple, maybe empty), or a mark too weak to find would be made"
            )
        if any(later <= earlier for earlier, later in zip(strengths, strengths[1:])):
            raise InputError(
                f"audio mark stronger_db={self.stronger_db!r}: give strengths each above the one before, from "
                f"strength_db={self.strength_db!r} up"
            )


AUDIO_MARK = AudioMarkConfig()


@dataclass(frozen=True)
class MarkLayout:
    first_bin: int
    n_bins: int
    signs: np.ndarray
    """(period_cells, n_bands) of +/-1."""

    @property
    def last_bin(self) -> int:
        return self.first_bin + self.n_bins


def mark_layout(config: AudioMarkConfig) -> MarkLayout:
    """Where the pattern lies in the spectrum (its first bin and width) and its signs, drawn from the key."""
    freqs = np.arange(config.n_fft // 2 + 1) * config.sample_rate / config.n_fft
    first = int(np.searchsorted(freqs, config.min_hz))
    n_bands = int((np.searchsorted(freqs, config.max_hz) - first) // config.cell_bins)
    seed = int.from_bytes(hashlib.sha256(config.key.encode()).digest()[:8], "little")
    signs = np.random.default_rng(seed).choice(np.array([-1.0, 1.0]), size=(config.period_cells, n_bands))
    return MarkLayout(first, n_bands * config.cell_bins, signs)


def best_phase_z(cells: np.ndarray, signs: np.ndarray) -> float:
    """The self-normalised correlation of `cells` (cells, bands) folded onto the period with the signs (period,
    bands), at its best phase."""
    period = signs.shape[0]
    cells = np.asarray(cells, dtype=np.float64)
    whole = cells.shape[0] // period * period
    folded = cells[:whole].reshape(-1, period, signs.shape[1]).sum(axis=0) if whole else np.zeros_like(signs)
    folded[: cells.shape[0] - whole] += cells[whole:]
    norm = math.sqrt(float((folded**2).sum()))
    if norm == 0:
        return 0.0
    # gram[r, k]: row r of the folded cells against row k of the signs; phase p pairs row r with row r + p.
    gram = folded @ signs.T
    rows = np.arange(period)[:, None]
    return float(gram[rows, (rows + np.arange(period)) % period].sum(axis=0).max()) / norm
