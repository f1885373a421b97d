"""Where a found mark lies: a description of a verdict already made, not a test of its own.

Once a file is judged marked (its z and false-positive bound as the tests made them), the windows the search scores
(5 s parts of its sound, runs of 24 of its frames) say where the mark is. A window that carries content (speech, a
picture) but scores as windows without the mark do, well under what it would score holding the mark as the best window
does, is one the mark is not in; the mark lies in the windows scoring high, less those. Windows with little content
(pauses, silence, black frames) say nothing either way: a quiet pause of voxlip's own speech carries no mark, and is
no sign that the file is voxlip's only in part. Where no window scores clearly high (a weak mark, under noise), the
windows cannot tell, and nothing is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MarkExtentConfig:
    """When a window counts as one the mark is not in."""

    unmarked_z: float = 5.0
    """A window scoring under this scores as windows without the mark do: parts of other speech joined to voxlip's
    score 2.2-4.2 (4.8 at most over the 206 parts of the 40 shared readers), runs of other frames -0.9-1.7."""
    clear_z: float = 10.0
    """Where no window scores this, the windows cannot tell where the mark is: voxlip's speech under noise (60 s at an
    SNR of 10 dB) holds it throughout, yet its parts score 2.4-8.6 with as much speech in each."""
    shortfall: float = 4.0
    """A window is one the mark is not in only if it also scores this far under what it would holding the mark as the
    best window does (that window's z, times the square root of the window's share of its content where it holds less):
    a window with little speech would score low marked or not."""


MARK_EXTENT = MarkExtentConfig()


@dataclass(frozen=True)
class Window:
    """One window the search scored: [start, end) in the file's own units (seconds, frames read), its z and how much
    content it carries (loud cells of speech, frames with a picture)."""

    start: float
    end: float
    score: float
    content: float


def marked_extent(
    windows: Sequence[Window], unclear: tuple[float, float] | None = None, config: MarkExtentConfig = MARK_EXTENT
) -> tuple[float, float] | None:
    """(start, end) of the mark in a file it was found in, where a stretch of it lies in windows that all carry content
    and score as unmarked ones do (a window across a join of two marks out of step scores half, and says nothing
    alone): from the first to the last stretch that a window scoring high covers and none of those does (the best
    window, if they cover all of it). None where there is no such stretch (marked throughout, as far as the windows
    tell) or the range would be all of them; `unclear` where no window scores clearly high."""
    if not windows:
        return unclear
    contents = np.array([window.content for window in windows])
    scores = np.array([window.score for window in windows])
    best = max(windows, key=lambda window: window.score)
    if best.score < config.clear_z:
        return unclear
    # a window with more content than the best is not taken to score more (the best may be a pause of marked noise)
    held = best.score * np.sqrt(np.minimum(1.0, contents / best.content)) if best.content > 0 else np.zeros_like(scores)
    unmarked = (scores < config.unmarked_z) & (held - scores >= config.shortfall)
    starts = np.array([window.start for window in windows])
    ends = np.array([window.end for window in windows])
    edges = np.unique(np.concatenate([starts, ends]))
    middles = (edges[:-1] + edges[1:]) / 2
    covers = (starts[:, None] <= middles) & (middles < ends[:, None])
    if not (covers[unmarked].any(axis=0) & ~covers[~unmarked].any(axis=0)).any():
        return None
    marked = covers[scores >= config.unmarked_z].any(axis=0) & ~covers[unmarked].any(axis=0)
    if not marked.any():
        return best.start, best.end
    stretches = np.flatnonzero(marked)
    if stretches[0] == 0 and stretches[-1] == len(marked) - 1:
        return None  # from the first window to the last, with stretches out of it between: no range says more
    return edges[stretches[0]].item(), edges[stretches[-1] + 1].item()
