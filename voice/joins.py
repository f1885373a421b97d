"""Speech said in pieces joined where a phrase runs on across the cut: each piece's quiet edges there taken off, so
that the words meet as they do when said together (a streamed first clause, a long sentence said in runs)."""

from __future__ import annotations

import numpy as np

from .phones import Phone

PARAGRAPH_PAUSE = 0.6
"""Seconds of silence after a paragraph (voice.text.splitting.paragraphs), where a reader stops for longer than between
sentences."""
QUIET_DB = 30.0
MARGIN = 0.02
"""A piece loses the quiet at an edge where speech runs on (10 ms frames QUIET_DB under its loudest) but MARGIN seconds:
a word's gap is under 0.05 s, and "Good morning | everyone," streamed with its edges' quiet kept has 0.2 s."""
EDGE_FADE = 0.01
"""Seconds over which an edge cut in the quiet is faded (within_quiet_edges' cuts, inside the quiet they keep)."""


def speech_bounds(
    samples: np.ndarray, rate: int, quiet_db: float = QUIET_DB, margin: float = MARGIN
) -> tuple[int, int]:
    """[start, end) of `samples` without the quiet at either edge, less `margin` seconds each side."""
    hop = max(1, rate // 100)
    frames = len(samples) // hop
    if frames == 0:
        return 0, len(samples)
    power = np.square(samples[: frames * hop].reshape(frames, hop), dtype=np.float64).mean(axis=1)
    loud = np.flatnonzero(power > power.max() * 10 ** (-quiet_db / 10))
    if loud.size == 0:  # all zeros
        return 0, len(samples)
    keep = int(margin * rate)
    return max(0, loud[0] * hop - keep), min(len(samples), (loud[-1] + 1) * hop + keep)


def within_quiet_edges(
    samples: np.ndarray, rate: int, lead: float, tail: float, quiet_db: float, least_lead: float = 0.0
) -> tuple[int, int, int]:
    """(start, end, silence): [start, end) of `samples` keeping at most `lead` seconds of quiet (10 ms frames
    `quiet_db` under the loudest) before the first sound and `tail` seconds after the last, and the samples of
    silence to put before them so that at least `least_lead` seconds of quiet come first."""
    first, last = speech_bounds(samples, rate, quiet_db, margin=0.0)
    start = max(first - int(lead * rate), 0)
    return start, min(last + int(tail * rate), len(samples)), max(int(least_lead * rate) - (first - start), 0)


def faded(samples: np.ndarray, rate: int, fade_in: float, fade_out: float) -> np.ndarray:
    """`samples` faded in over their first `fade_in` seconds and out over their last `fade_out` (half a Hann window
    each): an edge cut in the quiet starts or ends without a click."""
    out = np.array(samples, dtype=np.float32)
    for seconds, edge in ((fade_in, slice(None)), (fade_out, slice(None, None, -1))):
        n = min(int(seconds * rate), len(out) // 2)
        if n:
            out[edge][:n] *= np.hanning(2 * n + 1)[:n].astype(np.float32)
    return out


def kept_span(samples: np.ndarray, rate: int, head: bool, tail: bool) -> tuple[int, int]:
    """[start, end) of `samples` kept when a phrase runs on into it (`head`: its quiet start goes) or out of it
    (`tail`: its quiet end goes); measured only where one of them does."""
    if not (head or tail):
        return 0, len(samples)
    start, end = speech_bounds(samples, rate)
    return (start if head else 0), (end if tail else len(samples))


def phones_within(phones: tuple[Phone, ...] | None, start: float, end: float) -> tuple[Phone, ...] | None:
    """`phones` of audio cut to [start, end) seconds, timed from the cut's start."""
    if phones is None:
        return None
    kept = (p._replace(start=float(max(p.start, start) - start), end=float(min(p.end, end) - start)) for p in phones)
    return tuple(p for p in kept if p.end > p.start)


def joined(
    pieces: list[tuple[np.ndarray, tuple[Phone, ...], float | None]], rate: int
) -> tuple[np.ndarray, tuple[Phone, ...]]:
    """(samples, phones) of `pieces` said one after another: each is (samples, its phones timed from its start,
    the seconds of silence after it, or None where its phrase runs on into the next: the quiet edges are taken off
    there)."""
    waves, phones, offset = [], [], 0.0
    for i, (wave, timed, pause) in enumerate(pieces):
        continues = i > 0 and pieces[i - 1][2] is None
        start, end = kept_span(wave, rate, head=continues, tail=pause is None and i + 1 < len(pieces))
        if i > 0 and not continues:
            silence = np.zeros(int(pieces[i - 1][2] * rate), np.float32)
            waves.append(silence)
            offset += len(silence) / rate
        phones += [
            p._replace(start=p.start + offset, end=p.end + offset)
            for p in phones_within(timed, start / rate, end / rate)
        ]
        waves.append(wave[start:end])
        offset += (end - start) / rate
    return np.concatenate(waves), tuple(phones)
