"""Speaker verification measures: same/different trials from recordings, and the equal error rate."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from core.errors import InputError

from .audio import SAMPLE_RATE, load_audio
from .encoder import SpeakerEncoder, similarity


@dataclass(frozen=True)
class VerificationResult:
    eer: float
    threshold: float
    same_scores: np.ndarray
    different_scores: np.ndarray
    speakers: list[str]
    skipped: dict[str, str]
    """Files left out, with the encoder's reason (e.g. too little speech in a half)."""

    def summary(self) -> str:
        same, diff = self.same_scores, self.different_scores
        return (
            f"speakers {len(self.speakers)}  trials {len(same)} same / {len(diff)} different\n"
            f"same-speaker cosine      mean {same.mean():.3f}  min {same.min():.3f}\n"
            f"different-speaker cosine mean {diff.mean():.3f}  p95 {np.percentile(diff, 95):.3f}  max "
            f"{diff.max():.3f}\n"
            f"EER {100 * self.eer:.2f}% at threshold {self.threshold:.3f}"
            + "".join(f"\nskipped {name}: {reason}" for name, reason in self.skipped.items())
        )


def equal_error_rate(same: np.ndarray, different: np.ndarray) -> tuple[float, float]:
    """(EER, threshold) where false rejections of `same` equal false acceptances of `different`."""
    thresholds = np.unique(np.concatenate([same, different]))
    false_reject = np.array([(same < t).mean() for t in thresholds])
    false_accept = np.array([(different >= t).mean() for t in thresholds])
    i = int(np.argmin(np.abs(false_reject - false_accept)))
    return float((false_reject[i] + false_accept[i]) / 2), float(thresholds[i])


def half_split_trials(
    files: list[Path], encoder: SpeakerEncoder, skipped: dict[str, str] | None = None
) -> VerificationResult:
    """Each file split in two halves: halves of one file are a same-speaker pair, all others different.

    A file that cannot be read, or whose halves the encoder rejects (too little speech), is left out and reported:
    put in `skipped` as it is left out (a benchmark's Skipped prints it then); fewer than two speakers left is an
    InputError naming them.
    """
    embeddings, owners, skipped = [], [], {} if skipped is None else skipped
    for path in files:
        try:
            halves = half_embeddings(encoder, load_audio(path))
        except InputError as e:
            skipped[path.name] = str(e)
            continue
        embeddings += halves
        owners += [path.stem, path.stem]
    if len(set(owners)) < 2:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in skipped.items()) or "none"
        raise InputError(
            f"need at least 2 speakers with usable speech, found {len(set(owners))}; skipped: {reasons}; give "
            "recordings of at least two people speaking, each with a few seconds of speech in either half"
        )
    same, different = [], []
    for i, j in combinations(range(len(embeddings)), 2):
        (same if owners[i] == owners[j] else different).append(similarity(embeddings[i], embeddings[j]))
    same, different = np.array(same), np.array(different)
    eer, threshold = equal_error_rate(same, different)
    return VerificationResult(eer, threshold, same, different, sorted(set(owners)), skipped)


def half_embeddings(encoder: SpeakerEncoder, wave: np.ndarray) -> list[np.ndarray]:
    """The embeddings of a 16 kHz recording's two halves; an InputError saying why not: the whole's own reason (it is
    silent, too little speech), else that a half, embedded alone, has too little speech."""
    try:
        return [encoder.embed_utterance(h, SAMPLE_RATE) for h in (wave[: len(wave) // 2], wave[len(wave) // 2 :])]
    except InputError:
        encoder.embed_utterance(wave, SAMPLE_RATE)  # raises the whole recording's reason, if it has one
    seconds = len(encoder.preprocess(wave, SAMPLE_RATE)) / encoder.config.mel.sample_rate
    raise InputError(
        f"too little speech in one of its halves, which are embedded apart and need "
        f"{encoder.config.min_speech_seconds:g} s of speech each: it has {seconds:.1f} s in all"
    )
