"""The audio mark's search of a copy played faster or slower: tempo changed (its pitch kept) or speed (pitch too).

A copy played r times as fast holds the mark's cell of frame f at frame f / r: its grid drifts a cell every
1 / |r - 1| cells, and the test in step finds nothing after 5% (one reader: z 2.6-3.2). The band levels of the
copy are read back onto the mark's time axis at a factor r (a speed change also scales their frequencies by r) and
tested as the mark in step is, at factors fine enough that the grid drifts less than `fine_step_cells` over the
whole audio.

The factors tested are a grid over 1 +/- `max_change`, as fine as the audio is long; to keep the cost down, the
grid is searched from coarse to fine: every coarse factor on the first windows of `first_seconds`, then the best
few on twice as much audio, and so on up to the whole. The verdict is on the whole audio's best factor, and its z
is held against all the grid's factors, searched or not (Bonferroni), as the parts' and channels' tests are.

The test whitens the band levels with 4 neighbouring bands and a slow mean over time, not the 4 neighbouring cells of
the test in step: tempo changes made by overlapping pieces of the audio (ffmpeg's atempo) shift the mark's cells by a
few ms, and the cells' time neighbours then hold some of each cell's own mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from voice import spectral

from .audio_mark_pattern import AudioMarkConfig, MarkLayout, best_phase_z

TEMPO = "tempo"
SPEED = "speed"


@dataclass(frozen=True)
class TimeScaleSearch:
    """How far and how finely `find_audio_mark` searches a copy played faster or slower (the numbers: shared
    LibriSpeech readers marked, then through ffmpeg's atempo or asetrate)."""

    max_change: float = 0.10
    """Factors 0.90-1.10: 5% faster or slower is the cheapest evasion; 10% still sounds like the speaker."""
    fine_step_cells: float = 0.5
    """The whole audio's factors lie half a cell of drift over its length apart: the best is at most a quarter cell
    out at either end (a 14 s reader at atempo 1.05 scored 13.7 at 1.050, 12.1 and 11.4 at 0.001 either side, under
    a cell's drift)."""
    first_seconds: float = 5.0
    first_step: float = 0.005
    """The coarse pass: every 0.005 on windows of 5 s (the same reader's first 5 s: 9.05 at 1.049, 8.4-8.9 within
    0.0025 of it)."""
    first_windows: int = 2
    """The coarse pass reads the first 2 windows of `first_seconds`: one reader's first 5 s at atempo 1.05 scored
    3.0 at the true factor, its first 10 s 5.1."""
    candidates: int = 2
    """The best factors kept at each step of the search."""
    frequency_step: float = 0.01
    """A speed change's frequency scale is read to the nearest 0.01: 5 kHz, the top band, is then at most 25 Hz out of
    its 167 Hz."""
    band_neighbours: int = 2
    time_mean_frames: int = 12
    """The whitening: each band minus the mean of the 2 bands either side, minus its mean over +/- 12 frames. At the
    true factor of atempo 1.05, the weakest readers scored 5.4, 5.7, 4.8 whitened as in step (a cell minus its 4
    neighbours) and 6.4, 6.3, 7.3 so; over 7 readers, +/- 6 frames did worse, +/- 24 about as well."""
    floor_db: float = 80.0
    """Levels are floored this far under the loudest (digital silence would read -100 dB): one reader at atempo
    1.05 scored 10.7 so, 13.1 without a floor, 7.1 with 60 dB (as the test in step leaves out cells 60 dB down)."""


TIME_SCALE_SEARCH = TimeScaleSearch()


@dataclass(frozen=True)
class ScaledMark:
    """The best test of the search, before its verdict (`find_audio_mark` makes it, with the other tests')."""

    score: float
    tests: int
    """The factors of the whole audio's grid, each a test."""
    kind: str
    """TEMPO (time alone scaled) or SPEED (time and pitch)."""
    factor: float
    """How many times as fast the copy plays."""


class _ScaledLevels:
    """A copy's band levels, read back onto the mark's time axis at a factor; the spectrum is computed once."""

    def __init__(
        self, analysis: np.ndarray, layout: MarkLayout, config: AudioMarkConfig, search: TimeScaleSearch
    ) -> None:
        self.layout, self.config, self.search = layout, config, search
        blocks = spectral.stft_blocks(analysis, config.n_fft, config.hop_length)
        # the bins the pattern's bands reach at any factor searched: a spectrum of 10 min is then 50 MB
        self.first_bin = math.floor((layout.first_bin - 0.5) * (1 - search.max_change) + 0.5)
        last_bin = math.ceil((layout.last_bin - 0.5) * (1 + search.max_change) + 0.5) + 1
        self.power = np.concatenate([(np.abs(block[self.first_bin : last_bin]) ** 2).T for block in blocks])
        self._cumulative: dict[float, np.ndarray] = {}
        window = round(search.first_seconds * config.sample_rate / config.hop_length)
        self.first_frames = min(self.frames, search.first_windows * window)

    @property
    def frames(self) -> int:
        return self.power.shape[0]

    def _band_levels(self, frequency: float, frames: int) -> np.ndarray:
        """(frames, bands) dB level of each band of the pattern where a copy `frequency` times as high holds it (its
        bins' power, the edge bins' in part), in the first `frames` frames."""
        width = self.config.cell_bins
        n_bands = self.layout.n_bins // width
        edges = (self.layout.first_bin + np.arange(n_bands + 1) * width - 0.5) * frequency + 0.5
        lower, upper = edges[:-1, None], edges[1:, None]
        bins = np.floor(lower).astype(int) + np.arange(math.ceil(width * frequency) + 1)  # (bands, bins each)
        weights = np.clip(np.minimum(upper, bins + 1) - np.maximum(lower, bins), 0, None).astype(np.float32)
        power = self.power[:frames, np.minimum(bins - self.first_bin, self.power.shape[1] - 1)]
        return 10 * np.log10(np.einsum("fbk,bk->fb", power, weights) + 1e-10)

    def _whitened(self, levels: np.ndarray) -> np.ndarray:
        """`levels` minus the mean of `band_neighbours` bands either side (the edge band standing in for those past
        it), minus their mean over +/- `time_mean_frames` frames (the first and last frames standing in likewise)."""
        near, slow = self.search.band_neighbours, self.search.time_mean_frames
        n_bands = levels.shape[1]
        shifts = [d for d in range(-near, near + 1) if d]
        neighbours = np.clip(np.arange(n_bands)[:, None] + shifts, 0, n_bands - 1)
        flat = levels - levels[:, neighbours].mean(axis=2)
        padded = np.concatenate([np.repeat(flat[:1], slow + 1, axis=0), flat, np.repeat(flat[-1:], slow, axis=0)])
        total = np.cumsum(padded, axis=0)
        return flat - (total[2 * slow + 1 :] - total[: -2 * slow - 1]) / (2 * slow + 1)

    def cumulative(self, frequency: float, frames: int) -> np.ndarray:
        """The running sum (one row more) of the whitened dB levels read at `frequency`, floored `floor_db` under the
        loudest: of the frames the coarse pass reads, or of all once more are asked for."""
        held = self._cumulative.get(frequency)
        if held is None or held.shape[0] <= frames:
            span = self.first_frames if frames <= self.first_frames else self.frames
            levels = self._band_levels(frequency, span)
            flat = self._whitened(np.maximum(levels, levels.max() - self.search.floor_db))
            zero = np.zeros((1, flat.shape[1]), np.float32)
            held = np.concatenate([zero, np.cumsum(flat, axis=0, dtype=np.float32)])  # whitened: sums stay small
            self._cumulative[frequency] = held
        return held

    def score(self, kind: str, factor: float, signs: np.ndarray, start: int, frames: int) -> float:
        """The best z over the offsets and phases of `frames` frames from the `start`th, read at `factor`."""
        frequency = 1.0 if kind == TEMPO else round(factor / self.search.frequency_step) * self.search.frequency_step
        running = self.cumulative(frequency, start + frames)
        cell = self.config.cell_frames
        edges = start + np.arange((frames - 1) * factor) / factor  # the mark's frame edges, in the copy's frames
        at = edges.astype(int)
        weight = (edges - at)[:, None]
        sums = running[at] * (1 - weight) + running[at + 1] * weight
        scores = (best_phase_z(sums[offset + cell :: cell] - sums[offset::cell][:-1], signs) for offset in range(cell))
        return max(scores, default=0.0)


def find_scaled_mark(
    analysis: np.ndarray, layout: MarkLayout, config: AudioMarkConfig, search: TimeScaleSearch = TIME_SCALE_SEARCH
) -> ScaledMark:
    """The best tempo or speed factor within 1 +/- `search.max_change` at which `analysis` (16 kHz samples) holds the
    mark throughout, with its z and the number of tests it is the best of (the whole audio's grid of factors)."""
    levels = _ScaledLevels(analysis, layout, config, search)
    signs, both_kinds = layout.signs, [(TEMPO, 1.0), (SPEED, 1.0)]
    fine_step = search.fine_step_cells / max(1, levels.frames // config.cell_frames)
    tests = 2 * (2 * math.floor(search.max_change / fine_step) + 1)
    window = round(search.first_seconds * config.sample_rate / config.hop_length)
    if levels.frames <= window:
        return _best(
            levels, signs, _on_grid(_around(both_kinds, fine_step, search.max_change), search), levels.frames, tests
        )
    step = max(search.first_step, fine_step)
    starts = range(0, min(levels.frames - window, (search.first_windows - 1) * window) + 1, window)
    scored = [
        (levels.score(kind, factor, signs, start, window), kind, factor)
        for kind, factor in _around(both_kinds, step, search.max_change)
        for start in starts
    ]
    frames = window
    while True:  # each time on twice as much audio, around the best factors, each within half a step of the truth
        candidates = list(dict.fromkeys((kind, factor) for _, kind, factor in sorted(scored, reverse=True)))
        frames = min(levels.frames, 2 * frames)
        finer = fine_step if frames == levels.frames else search.fine_step_cells * config.cell_frames / frames
        tried = _around(candidates[: search.candidates], finer, math.ceil(step / 2 / finer) * finer)
        if frames == levels.frames:
            return _best(levels, signs, _on_grid(tried, search), frames, tests)
        tried = [(kind, factor) for kind, factor in tried if abs(factor - 1) <= search.max_change + finer / 2]
        scored = [(levels.score(kind, factor, signs, 0, frames), kind, factor) for kind, factor in tried]
        step = finer


def _around(centres: list[tuple[str, float]], step: float, reach: float) -> list[tuple[str, float]]:
    """The factors of the grid of `step` (through 1) within `reach` of each of `centres`, with their kinds."""
    span = round(reach / step)
    return sorted(
        {
            (kind, 1 + (round((centre - 1) / step) + k) * step)
            for kind, centre in centres
            for k in range(-span, span + 1)
        }
    )


def _on_grid(tried: list[tuple[str, float]], search: TimeScaleSearch) -> list[tuple[str, float]]:
    """The factors of `tried` within 1 +/- `search.max_change`: those the verdict's tests are counted over."""
    return [(kind, factor) for kind, factor in tried if abs(factor - 1) <= search.max_change + 1e-9]


def _best(
    levels: _ScaledLevels, signs: np.ndarray, tried: list[tuple[str, float]], frames: int, tests: int
) -> ScaledMark:
    """The best of `tried` (kind, factor) on the first `frames` frames, as one of `tests` tests."""
    score, kind, factor = max((levels.score(kind, factor, signs, 0, frames), kind, factor) for kind, factor in tried)
    return ScaledMark(score, tests, kind, factor)
