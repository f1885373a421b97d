"""Long speech converted a piece at a time, so that memory does not grow with its length: where to cut it, and the
pieces joined again. Each cut lies in the quietest stretch near a piece's longest reach (a pause, where the speech
has one there), and neighbouring pieces overlap by that stretch and are cross-faded across it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LONGEST_SECONDS = 20.0
"""Longest piece converted at once."""
OVERLAP_SECONDS = 0.1
"""Neighbouring pieces share this much, the quietest such stretch found, and are cross-faded there. Shorter stretches
are quieter ones: in ten minutes of the shared LibriSpeech readings cut every 15-20 s, the shared 0.1 s lay at most
16 dB under the speech's RMS (median 32 dB); 0.25 s and 0.5 s stretches, once 12 dB over it (no pause that long)."""
SEARCH_SHARE = 0.25
"""A cut is looked for in the last quarter of the span a piece may reach: pieces are 75-100% of the longest."""


def pieces_at_pauses(
    wave: np.ndarray, rate: int, longest_seconds: float = LONGEST_SECONDS, overlap_seconds: float = OVERLAP_SECONDS
) -> list[tuple[int, int]]:
    """[start, end) of pieces of at most `longest_seconds` covering `wave` (samples at `rate`); each piece after the
    first starts `overlap_seconds` before the previous one ends, and that shared stretch is the quietest one (least
    energy) among those ending in the last SEARCH_SHARE of the span the previous piece could reach."""
    length, longest = len(wave), max(2, int(longest_seconds * rate))
    overlap = min(max(1, int(overlap_seconds * rate)), longest // 2)
    bounds, start = [], 0
    while length - start > longest:
        reach = start + longest
        first = max(start + 2 * overlap, reach - int(SEARCH_SHARE * longest))
        energy = np.cumsum(np.square(wave[first - overlap : reach], dtype=np.float64))
        stretch = energy[overlap - 1 :] - np.concatenate([[0.0], energy[:-overlap]])
        end = first + int(np.argmin(stretch))
        bounds.append((start, end))
        start = end - overlap
    return bounds + [(start, length)]


def converted_in_pieces(
    length: int,
    bounds: list[tuple[int, int]],
    convert: Callable[[int, int, int], np.ndarray],
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """`length` float32 samples made a piece at a time: convert(i, start, end) makes piece i of `bounds` (as
    pieces_at_pauses cuts them), which is faded in linearly over what it shares with the one before;
    progress(pieces done, pieces) follows."""
    out = np.zeros(length, np.float32)
    previous_end = 0
    for i, (start, end) in enumerate(bounds):
        piece = convert(i, start, end)
        shared = max(previous_end - start, 0)
        if shared:
            fade = np.linspace(0.0, 1.0, shared + 2, dtype=np.float32)[1:-1]
            out[start:previous_end] = out[start:previous_end] * (1 - fade) + piece[:shared] * fade
        out[start + shared : end] = piece[shared:]
        previous_end = end
        if progress is not None:
            progress(i + 1, len(bounds))
    return out
