"""Phonemes to mouth shapes: a per-frame (open, wide, round) track for the offline animator.

Phones may come in ARPAbet (pocketsphinx, CMUdict), IPA (espeak-ng/phonemizer) or espeak's ASCII
mnemonics; each maps to a viseme, and each viseme to a target mouth shape. Shapes are averaged over
each video frame's time span, smoothed a little (coarticulation), bilabials are kept closed, and
silence closes the mouth.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from voice.phones import Phone


class Viseme(enum.Enum):
    REST = "rest"
    CLOSED = "closed"
    LIP_TEETH = "lip-teeth"
    OPEN = "open"
    MID = "mid"
    WIDE = "wide"
    NARROW = "narrow"
    ROUNDED = "rounded"
    SMALL_ROUND = "small-round"


@dataclass(frozen=True)
class MouthShape:
    """Target mouth: `open` (0 closed .. 1 jaw dropped), `wide` (lips spread), `round` (pursed)."""

    open: float
    wide: float = 0.0
    round: float = 0.0

    def as_array(self) -> np.ndarray:
        return np.array([self.open, self.wide, self.round], dtype=np.float32)


SHAPES: dict[Viseme, MouthShape] = {
    Viseme.REST: MouthShape(0.0),
    Viseme.CLOSED: MouthShape(0.0, 0.0, 0.1),
    Viseme.LIP_TEETH: MouthShape(0.08, 0.15),
    Viseme.OPEN: MouthShape(1.0, 0.2),
    Viseme.MID: MouthShape(0.55, 0.3),
    Viseme.WIDE: MouthShape(0.3, 0.8),
    Viseme.NARROW: MouthShape(0.25, 0.3),
    Viseme.ROUNDED: MouthShape(0.55, 0.0, 0.8),
    Viseme.SMALL_ROUND: MouthShape(0.25, 0.0, 1.0),
}

ARPABET: dict[str, Viseme] = {
    "AA": Viseme.OPEN,
    "AE": Viseme.OPEN,
    "AH": Viseme.MID,
    "AO": Viseme.ROUNDED,
    "AW": Viseme.OPEN,
    "AY": Viseme.OPEN,
    "EH": Viseme.MID,
    "ER": Viseme.SMALL_ROUND,
    "EY": Viseme.MID,
    "IH": Viseme.WIDE,
    "IY": Viseme.WIDE,
    "OW": Viseme.ROUNDED,
    "OY": Viseme.ROUNDED,
    "UH": Viseme.SMALL_ROUND,
    "UW": Viseme.SMALL_ROUND,
    "B": Viseme.CLOSED,
    "P": Viseme.CLOSED,
    "M": Viseme.CLOSED,
    "F": Viseme.LIP_TEETH,
    "V": Viseme.LIP_TEETH,
    "W": Viseme.SMALL_ROUND,
    "R": Viseme.SMALL_ROUND,
    "CH": Viseme.SMALL_ROUND,
    "JH": Viseme.SMALL_ROUND,
    "SH": Viseme.SMALL_ROUND,
    "ZH": Viseme.SMALL_ROUND,
    "TH": Viseme.NARROW,
    "DH": Viseme.NARROW,
    "T": Viseme.NARROW,
    "D": Viseme.NARROW,
    "N": Viseme.NARROW,
    "S": Viseme.NARROW,
    "Z": Viseme.NARROW,
    "L": Viseme.NARROW,
    "K": Viseme.NARROW,
    "G": Viseme.NARROW,
    "NG": Viseme.NARROW,
    "HH": Viseme.MID,
    "Y": Viseme.WIDE,
}

IPA_TO_ARPABET: dict[str, str] = {
    "ɑ": "AA",
    "ɒ": "AA",
    "a": "AA",
    "æ": "AE",
    "ʌ": "AH",
    "ə": "AH",
    "ɐ": "AH",
    "ɔ": "AO",
    "aʊ": "AW",
    "aɪ": "AY",
    "ɛ": "EH",
    "e": "EH",
    "ɝ": "ER",
    "ɚ": "ER",
    "ɜ": "ER",
    "eɪ": "EY",
    "ɪ": "IH",
    "ᵻ": "IH",
    "i": "IY",
    "oʊ": "OW",
    "əʊ": "OW",
    "o": "OW",
    "ɔɪ": "OY",
    "ʊ": "UH",
    "u": "UW",
    "b": "B",
    "p": "P",
    "m": "M",
    "f": "F",
    "v": "V",
    "θ": "TH",
    "ð": "DH",
    "t": "T",
    "d": "D",
    "n": "N",
    "s": "S",
    "z": "Z",
    "ʃ": "SH",
    "ʒ": "ZH",
    "tʃ": "CH",
    "dʒ": "JH",
    "k": "K",
    "g": "G",
    "ɡ": "G",
    "ŋ": "NG",
    "h": "HH",
    "l": "L",
    "ɹ": "R",
    "r": "R",
    "ɾ": "T",
    "w": "W",
    "j": "Y",
    "ʔ": "T",
    "x": "K",
}

ESPEAK_TO_ARPABET: dict[str, str] = {
    "a": "AE",
    "A": "AA",
    "aa": "AA",
    "0": "AA",
    "aI": "AY",
    "aU": "AW",
    "@": "AH",
    "3": "ER",
    "V": "AH",
    "E": "EH",
    "e": "EH",
    "eI": "EY",
    "I": "IH",
    "i": "IY",
    "O": "AO",
    "oU": "OW",
    "o": "OW",
    "OI": "OY",
    "U": "UH",
    "u": "UW",
    "T": "TH",
    "D": "DH",
    "S": "SH",
    "Z": "ZH",
    "tS": "CH",
    "dZ": "JH",
    "N": "NG",
    "h": "HH",
    "j": "Y",
    "r": "R",
    "w": "W",
    "l": "L",
    "@L": "L",
    "aI@": "AY",
    "aI3": "AY",
    "e@": "EH",
    "i@": "IY",
    "i@3": "IY",
    "U@": "UH",
    "O@": "AO",
    "o@": "AO",
    "3:": "ER",
    "A@": "AA",
    "I2": "IH",
    "a#": "AH",
    "@2": "AH",
    "@5": "AH",
    "t#": "T",
    "d#": "D",
    "n-": "N",
    "l/2": "L",
    "r-": "R",
    "x": "K",
    "?": "T",
    "z#": "Z",
}

SILENCES = frozenset(
    {"", "sil", "sp", "spn", "pau", "_", "_:", "+nsn+", "+spn+", "+breath+", "+cough+", "+noise+", "<s>", "</s>"}
)
_MARKS = "ˈˌ'ːː,%=:;!^-0123456789"


def detect_notation(phones: Iterable[str]) -> str:
    """ "arpabet" when every phone is an ARPAbet symbol, "ipa" when any is not ASCII, else "espeak"."""
    symbols = [p.strip() for p in phones if p.strip().lower() not in SILENCES]
    if all(p.upper().rstrip("012") in ARPABET and p == p.upper() for p in symbols):
        return "arpabet"
    if any(not p.isascii() for p in symbols):
        return "ipa"
    return "espeak"


def viseme_of(phone: str, notation: str = "arpabet") -> Viseme:
    """The viseme of one phone ("arpabet", "ipa" or "espeak" notation); unknown phones count as MID."""
    raw = phone.strip()
    if raw.lower() in SILENCES:
        return Viseme.REST
    if notation == "arpabet":
        return ARPABET.get(raw.upper().rstrip("012"), Viseme.MID)
    tables = (ESPEAK_TO_ARPABET, IPA_TO_ARPABET) if notation == "espeak" else (IPA_TO_ARPABET,)
    bare = raw.strip(_MARKS)
    for candidate in (raw, bare, bare[:2], bare[:1]):  # diphthongs and affricates before single symbols
        for table in tables:
            if candidate in table:
                return ARPABET[table[candidate]]
    return Viseme.MID


@dataclass(frozen=True)
class VisemeTrackConfig:
    smoothing_frames: float = 0.7
    """Gaussian sigma (in frames) of the coarticulation smoothing."""
    bilabial_max_open: float = 0.04
    """Opening allowed on frames where p, b or m dominates: the lips must meet."""
    max_open_speed: float = 8.0
    """The opening changes by at most this much per second (a jaw takes ~60-120 ms to open or shut, so open = 1
    is reached in no less than 1/this s): a mouth never snaps open or shut between two frames. The opening is
    only ever lowered to keep to it, so the lips still meet on every bilabial and stay shut in silence."""


def shape_track(
    phones: Sequence[Phone],
    n_frames: int,
    fps: float,
    silent: np.ndarray | None = None,
    config: VisemeTrackConfig = VisemeTrackConfig(),
) -> np.ndarray:
    """(n_frames, 3) float32 (open, wide, round) per video frame from timed phones.

    Each frame averages the shapes of the phones overlapping its time span (gaps count as rest).
    `silent` frames (e.g. from a loudness gate) are closed whatever the phones say.
    """
    notation = detect_notation(p for p, _, _ in phones)
    track = np.zeros((n_frames, 3), dtype=np.float32)
    closed_weight = np.zeros(n_frames, dtype=np.float32)
    frame_seconds = 1.0 / fps
    for phone, start, end in phones:
        if end <= start:
            continue
        viseme = viseme_of(phone, notation)
        shape = SHAPES[viseme].as_array()
        first, last = max(0, int(start * fps)), min(n_frames - 1, int(end * fps))
        for i in range(first, last + 1):
            overlap = min(end, (i + 1) * frame_seconds) - max(start, i * frame_seconds)
            if overlap <= 0:
                continue
            weight = overlap / frame_seconds
            track[i] += weight * shape
            if viseme == Viseme.CLOSED:
                closed_weight[i] += weight
    track = _gaussian_smooth(track, config.smoothing_frames)
    bilabial = closed_weight >= 0.5
    track[bilabial, 0] = np.minimum(track[bilabial, 0], config.bilabial_max_open)
    if silent is not None:
        track[np.asarray(silent[:n_frames], dtype=bool)] = 0.0
    track = np.clip(track, 0.0, 1.0)
    track[:, 0] = speed_limited(track[:, 0], config.max_open_speed / fps)
    return track


def speed_limited(values: np.ndarray, step: float) -> np.ndarray:
    """The largest track under `values` that changes by at most `step` between neighbours: min over s of
    values[s] + step |t - s| (a jaw closing for a bilabial starts on its way before it, not in one frame)."""
    limited = np.asarray(values, dtype=np.float32).copy()
    if step <= 0 or not np.isfinite(step):
        return limited
    for t in range(1, len(limited)):
        limited[t] = min(limited[t], limited[t - 1] + step)
    for t in range(len(limited) - 2, -1, -1):
        limited[t] = min(limited[t], limited[t + 1] + step)
    return limited


def _gaussian_smooth(track: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0 or len(track) < 2:
        return track
    radius = max(1, int(round(3 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(track, ((radius, radius), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, c], kernel, mode="valid") for c in range(track.shape[1])], axis=1)


def visemes_of(phones: Sequence[Phone]) -> list[tuple[Viseme, float, float]]:
    """Each timed phone as a timed viseme, the notation detected from the whole sequence."""
    notation = detect_notation(p for p, _, _ in phones)
    return [(viseme_of(p, notation), s, e) for p, s, e in phones]
