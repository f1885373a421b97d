"""voxlip's inaudible audio mark: a keyed pattern of +/- 1 dB level changes in the speech spectrum.

At 16 kHz, the STFT between `min_hz` and `max_hz` is cut into cells of `cell_frames` frames by
`cell_bins` bins (12 ms by 167 Hz); each cell is made louder or quieter by `strength_db` following
signs drawn from a key. The signs repeat every `period_cells` cells so that the detector can
re-synchronise on any excerpt (a crop, a codec's delay): it tries each frame offset and each phase
of the period and keeps the best.

The test is a self-normalised correlation between the signs and each cell's level minus its
neighbours' (which removes most of the speech). For signs independent of the audio,
P(z >= t) <= exp(-t^2 / 2) (Hoeffding) whatever the audio is; times the number of tries of the
search, that is the false-positive bound reported as `p_value`.

`find_audio_mark` looks further where the whole does not hold the mark in step: in parts of the
audio (voxlip's speech joined out of step, or within other sound) and in each channel alone (a mix
cancels a channel turned over). Those extra tests share one more budget of false positives, the
whole test's, so each needs a higher z (`AudioMarkResult.needed`). Where none holds it either, the mix is searched
at other tempos and speeds (`audio_time_scale`: a copy played faster or slower), with a budget of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from core.errors import InputError
from voice import spectral

from .audio_mark_pattern import AUDIO_MARK, AudioMarkConfig, MarkLayout, best_phase_z, mark_layout
from .audio_time_scale import SPEED, TEMPO, ScaledMark, find_scaled_mark
from .mark_extent import Window, marked_extent
from .significance import false_positive_bound, needed_z


@dataclass(frozen=True)
class AudioMarkResult:
    detected: bool
    score: float
    """z-score of the test: about N(0, 1) on audio without the mark, 5.5 or more means marked."""
    p_value: float
    """Bound on the probability that audio without the mark scores this high."""
    needed: float = AUDIO_MARK.threshold
    """The z-score the test needed: higher than the threshold where more tests were made (parts, channels)."""
    part: tuple[float, float] | None = None
    """(start, end) in seconds where only a part of the audio holds the mark (parts of it carrying speech score as
    unmarked sound does); None: all of it that carries speech."""
    channel: int | None = None
    """The channel (0: the left) where one alone holds the mark; None: their mix."""
    tempo: float | None = None
    """How many times as fast a copy with its tempo changed (its pitch kept) plays; None: as the mark was made."""
    speed: float | None = None
    """How many times as fast a copy played faster or slower (its pitch with it) plays; None: as made."""

    @property
    def confidence(self) -> float:
        return 1.0 - self.p_value


def _channels_last(wave: np.ndarray) -> np.ndarray:
    """`wave` itself, refused if it is a 2-D array with more channels than samples (channels first)."""
    if wave.ndim == 2 and wave.shape[1] > wave.shape[0]:
        raise InputError(
            f"the audio watermark takes (samples, channels), not an array of shape {wave.shape}: transpose it"
        )
    return wave


def _to_analysis_rate(wave: np.ndarray, sr: int, config: AudioMarkConfig) -> np.ndarray:
    wave = _channels_last(np.asarray(wave, dtype=np.float32))
    if wave.ndim == 2:  # (samples, channels): the mix, which carries each channel's mark
        wave = wave.mean(axis=1)
    if wave.ndim != 1:
        raise InputError(
            f"the audio watermark takes samples (1-D) or (samples, channels), not an array of shape {wave.shape}"
        )
    if not np.all(np.isfinite(wave)):
        raise InputError("the audio holds NaN or infinite samples: it cannot be watermarked or checked")
    if sr != config.sample_rate:
        wave = spectral.resample(wave, sr, config.sample_rate)
    return wave


@dataclass(frozen=True)
class MarkedAudio:
    """Audio with voxlip's mark, and the strength the mark was added at (what its provenance record says)."""

    samples: np.ndarray
    strength_db: float | None
    """`config.strength_db`, or the first of `config.stronger_db` it took; None where the audio carried the mark
    already and none was added (`ensured_audio_mark`)."""


def mark_audio(
    wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK, *, start_seconds: float = 0.0
) -> np.ndarray:
    """`wave` (float, any sample rate; mono, or (samples, channels) each marked alike) with voxlip's mark; same
    length, rate and channels. At `config.strength_db`, or where that would not be found with `config.margin` to
    spare, at the first of `config.stronger_db` that is (if any is): `marked_audio` says which. `start_seconds`: where
    `wave` begins in a longer whole (a stream's piece), so that the pieces' marks, joined, keep one period in step."""
    return marked_audio(wave, sr, config, start_seconds=start_seconds).samples


def marked_audio(
    wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK, *, start_seconds: float = 0.0
) -> MarkedAudio:
    """`mark_audio`'s samples with the strength it marked them at."""
    if not (math.isfinite(start_seconds) and start_seconds >= 0):
        raise InputError(f"start_seconds {start_seconds!r}: give where the audio begins in the whole, 0 s or more")
    original = _channels_last(np.asarray(wave, dtype=np.float32))
    start_frame = round(start_seconds * config.sample_rate / config.hop_length)
    for strength_db in (config.strength_db, *config.stronger_db):
        marked = _marked(original, sr, config, strength_db, start_frame)
        if detect_audio_mark(marked, sr, config).score >= config.threshold + config.margin:
            break
    return MarkedAudio(_within_full_scale(marked, original), strength_db)


def _within_full_scale(marked: np.ndarray, original: np.ndarray) -> np.ndarray:
    """`marked`, where the mark took it past full scale (1.0), scaled as a whole to peak where `original` did (at most
    at full scale): the mark adds up to about 1 dB at a peak (speech limited to 0.99 reached 1.038), which a 16-bit
    file clips. One gain for all of it leaves each cell's level against its neighbours', so the mark's z, as it was."""
    peak = float(np.max(np.abs(marked), initial=0.0))
    if peak <= 1.0:
        return marked
    ceiling = min(1.0, float(np.max(np.abs(original), initial=0.0)))
    scaled = marked * np.float32(ceiling / peak)
    return np.clip(scaled, -ceiling, ceiling, out=scaled)  # float32's rounding of the peak, a last bit over


def _marked(original: np.ndarray, sr: int, config: AudioMarkConfig, strength_db: float, start_frame: int) -> np.ndarray:
    """mark_audio at `strength_db`, its first frame the `start_frame`th of the pattern."""
    if original.ndim == 2:  # the same change of level in every channel: their mix carries it too
        return np.stack([_marked(channel, sr, config, strength_db, start_frame) for channel in original.T], axis=1)
    analysis = _to_analysis_rate(original, sr, config)
    if analysis.size < config.n_fft:
        raise InputError(f"the audio is too short to carry a watermark ({analysis.size} samples at 16 kHz)")
    layout = mark_layout(config)
    cell_gain = 10 ** (strength_db * layout.signs / 20) - 1

    def changed(blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        """Each block of the spectrum turned into the change the mark makes to it (a block at a time: the
        whole spectrum of an hour's audio would take GBs)."""
        start = start_frame
        for change in blocks:
            rows = ((start + np.arange(change.shape[1])) // config.cell_frames) % config.period_cells
            change[: layout.first_bin] = 0
            change[layout.last_bin :] = 0
            change[layout.first_bin : layout.last_bin] *= np.repeat(cell_gain[rows], config.cell_bins, axis=1).T
            start += change.shape[1]
            yield change

    blocks = changed(spectral.stft_blocks(analysis, config.n_fft, config.hop_length))
    n_frames = spectral.stft_frame_count(analysis.size, config.hop_length)
    residual = spectral.istft_blocks(blocks, config.n_fft, n_frames, config.hop_length, analysis.size)
    if sr != config.sample_rate:
        residual = spectral.resample(residual, config.sample_rate, sr)
        residual = np.pad(residual, (0, max(0, original.size - residual.size)))[: original.size]
    return (original + residual).astype(np.float32)


def ensure_audio_mark(wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK) -> np.ndarray:
    """`wave` with voxlip's mark, added only if it is not there yet (a second mark would cost 6 dB of SNR)."""
    return ensured_audio_mark(wave, sr, config).samples


def ensured_audio_mark(wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK) -> MarkedAudio:
    """`ensure_audio_mark`'s samples with the strength of the mark it added (None: none added)."""
    if detect_audio_mark(wave, sr, config).detected:
        return MarkedAudio(np.asarray(wave, dtype=np.float32), None)
    return marked_audio(wave, sr, config)


def _band_levels(analysis: np.ndarray, layout: MarkLayout, config: AudioMarkConfig) -> np.ndarray:
    """(frames, bands) dB level of every frame in every band of the pattern."""
    levels = []
    for block in spectral.stft_blocks(analysis, config.n_fft, config.hop_length):
        power = np.abs(block[layout.first_bin : layout.last_bin]) ** 2
        bands = power.reshape(-1, config.cell_bins, power.shape[1]).sum(axis=1)
        levels.append(10 * np.log10(bands.T + 1e-10))
    return np.concatenate(levels)


def _whitened_cells(levels: np.ndarray, offset: int, config: AudioMarkConfig) -> np.ndarray:
    """Cell levels from frame `offset` on, minus the mean of their 4 neighbours; quiet cells zeroed."""
    n_cells = (levels.shape[0] - offset) // config.cell_frames
    cells = levels[offset : offset + n_cells * config.cell_frames].reshape(n_cells, config.cell_frames, -1).mean(axis=1)
    padded = np.pad(cells, 1, mode="edge")
    neighbours = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]) / 4
    whitened = cells - neighbours
    whitened[cells < cells.max() - config.min_level_db] = 0.0
    return whitened


def _levels(analysis: np.ndarray, config: AudioMarkConfig) -> np.ndarray | None:
    """(frames, bands) dB levels of the pattern's bands; None for audio too short to test."""
    if analysis.size < 4 * config.n_fft:
        return None
    return _band_levels(analysis, mark_layout(config), config)


def _cells_by_offset(levels: np.ndarray | None, config: AudioMarkConfig) -> list[np.ndarray]:
    """The whitened cells from each frame offset within a cell (a crop's or a codec's shift); none for audio too
    short to test."""
    if levels is None:
        return []
    return [_whitened_cells(levels, offset, config) for offset in range(config.cell_frames)]


def _parts(
    cells: list[np.ndarray], levels: np.ndarray | None, signs: np.ndarray, config: AudioMarkConfig
) -> list[Window]:
    """The parts of `config.part_seconds` the search scores (each overlapping the next by half, the last ending with
    the audio), with how much speech each carries (`config.over_noise_db`: a pause carries no mark, marked or not)."""
    part_cells = round(config.part_seconds * config.sample_rate / config.hop_length / config.cell_frames)
    n_cells = min((len(c) for c in cells), default=0)
    if levels is None or n_cells <= part_cells:
        return []
    cell_levels = levels[: n_cells * config.cell_frames].reshape(n_cells, config.cell_frames, -1).mean(axis=1)
    floor = np.percentile(cell_levels, 10, axis=0)  # each band's noise, where there is some
    loud = (cell_levels >= cell_levels.max() - config.speech_db) & (cell_levels >= floor + config.over_noise_db)
    speech = np.concatenate([[0], np.cumsum(loud.sum(axis=1))])
    cell_seconds = config.cell_frames * config.hop_length / config.sample_rate
    starts = sorted({*range(0, n_cells - part_cells, part_cells // 2), n_cells - part_cells})
    return [
        Window(
            start * cell_seconds,
            (start + part_cells) * cell_seconds,
            _score(cells, signs, start, part_cells),
            float(speech[start + part_cells] - speech[start]),
        )
        for start in starts
    ]


def _score(cells_by_offset: list[np.ndarray], signs: np.ndarray, first: int = 0, count: int | None = None) -> float:
    """The best z over the offsets and phases of cells [first, first + count) (all of them by default)."""
    end = None if count is None else first + count
    return max((best_phase_z(cells[first:end], signs) for cells in cells_by_offset), default=0.0)


def _result(
    score: float,
    tests: int,
    config: AudioMarkConfig,
    part: tuple[float, float] | None = None,
    channel: int | None = None,
    scaled: ScaledMark | None = None,
) -> AudioMarkResult:
    """The verdict on the best of `tests` tests, which share the false-positive budget of one test at the
    threshold: each of them needs a z that much higher."""
    needed = needed_z(config.threshold, tests)
    p_value = false_positive_bound(score, tests, tries=config.cell_frames * config.period_cells)
    tempo = scaled.factor if scaled is not None and scaled.kind == TEMPO else None
    speed = scaled.factor if scaled is not None and scaled.kind == SPEED else None
    return AudioMarkResult(score >= needed, score, p_value, needed, part, channel, tempo, speed)


def detect_audio_mark(wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK) -> AudioMarkResult:
    """Whether `wave` (float, any sample rate; channels mixed) carries voxlip's mark throughout, with its z-score and
    p-value."""
    cells = _cells_by_offset(_levels(_to_analysis_rate(wave, sr, config), config), config)
    return _result(_score(cells, mark_layout(config).signs), 1, config)


def find_audio_mark(wave: np.ndarray, sr: int, config: AudioMarkConfig = AUDIO_MARK) -> AudioMarkResult:
    """Whether `wave` carries voxlip's mark anywhere: throughout (`detect_audio_mark`), else in a part of it or in one
    channel (speech joined out of step, within other sound, in one channel of two), else throughout a copy played
    faster or slower (`audio_time_scale`); the best of those tests. Where it is found in the sound as it plays, and
    parts carrying speech score as unmarked sound does, `part` says where it lies (`mark_extent`)."""
    wave = _channels_last(np.asarray(wave, dtype=np.float32))
    layout = mark_layout(config)
    signs = layout.signs
    analysis = _to_analysis_rate(wave, sr, config)
    mixed_levels = _levels(analysis, config)
    mixed = _cells_by_offset(mixed_levels, config)
    whole = _result(_score(mixed, signs), 1, config)
    if whole.detected:
        return replace(whole, part=marked_extent(_parts(mixed, mixed_levels, signs, config)))
    signals: list[tuple[int | None, np.ndarray | None]] = [(None, None)]  # the mix, its cells made above
    if wave.ndim == 2 and wave.shape[1] > 1:
        signals += [(channel, wave[:, channel]) for channel in range(wave.shape[1])]
    found: list[tuple[float, tuple[float, float] | None, int | None]] = []
    parts_by_signal: dict[int | None, list[Window]] = {}
    for channel, signal in signals:
        levels = mixed_levels if signal is None else _levels(_to_analysis_rate(signal, sr, config), config)
        cells = mixed if signal is None else _cells_by_offset(levels, config)
        if channel is not None:
            found.append((_score(cells, signs), None, channel))
        parts_by_signal[channel] = _parts(cells, levels, signs, config)
        found += [(part.score, (part.start, part.end), channel) for part in parts_by_signal[channel]]
    if found:
        score, part, channel = max(found, key=lambda test: test[0])
        # where the parts cannot tell, the part whose test found it
        best = _result(score, len(found), config, marked_extent(parts_by_signal[channel], unclear=part), channel)
        if best.detected:
            return best
    if not mixed:
        return whole
    scaled = find_scaled_mark(analysis, layout, config)
    faster_or_slower = _result(scaled.score, scaled.tests, config, scaled=scaled)
    return faster_or_slower if faster_or_slower.detected else whole
