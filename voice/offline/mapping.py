"""The speaker transform: a frequency warp and an affine map of log-mel envelopes, learnt without parallel data.

Frames of the base voice are aligned to their nearest reference frames and the other way round,
an affine map is fitted to the pairs (pulled toward identity-plus-offset so a few seconds of
reference cannot make it wild), the base frames are mapped, and this repeats (the INCA idea).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import OfflineConfig
from .envelope import frame_energy, warp


@dataclass(frozen=True, eq=False)
class SpeakerTransform:
    warp_factor: float
    weights: np.ndarray
    """(n_mels + 1, n_mels): [envelope, 1] @ weights is the mapped envelope."""
    reference_frames: np.ndarray = field(repr=False)
    """Voiced reference envelopes (their spread is given back to the mapped frames)."""

    def map(self, envelopes: np.ndarray, config: OfflineConfig) -> np.ndarray:
        warped = warp(envelopes, self.warp_factor, config)
        return np.c_[warped, np.ones(len(warped))] @ self.weights


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum((a * a).sum(1)[:, None] - 2 * a @ b.T + (b * b).sum(1)[None], 0)


def choose_warp(base: np.ndarray, reference: np.ndarray, config: OfflineConfig) -> float:
    """The warp factor whose mean-removed base frames lie nearest the reference's, both ways."""
    centred_reference = reference - reference.mean(0)
    scores = []
    for factor in config.warp_grid:
        warped = warp(base, factor, config)
        distances = np.sqrt(squared_distances(warped - warped.mean(0), centred_reference))
        scores.append(distances.min(1).mean() + distances.min(0).mean())
    return float(config.warp_grid[int(np.argmin(scores))])


def fit_affine(base: np.ndarray, reference: np.ndarray, config: OfflineConfig) -> np.ndarray:
    n = base.shape[1]
    prior = np.vstack([np.eye(n), reference.mean(0) - base.mean(0)])
    weights = prior
    design_base = np.c_[base, np.ones(len(base))]
    for _ in range(config.alignment_iterations):
        distances = squared_distances(design_base @ weights, reference)
        inputs = np.concatenate([base, base[distances.argmin(0)]])
        targets = np.concatenate([reference[distances.argmin(1)], reference])
        design = np.c_[inputs, np.ones(len(inputs))]
        ridge = config.identity_weight * len(inputs)
        weights = np.linalg.solve(design.T @ design + ridge * np.eye(n + 1), design.T @ targets + ridge * prior)
    return weights


def fit_speaker_transform(base: np.ndarray, reference: np.ndarray, config: OfflineConfig) -> SpeakerTransform:
    """Learn the map from the base voice's voiced envelopes to the reference's."""
    base, reference = _spread_subset(base, config), _spread_subset(reference, config)
    factor = choose_warp(base, reference, config)
    return SpeakerTransform(factor, fit_affine(warp(base, factor, config), reference, config), reference)


def identity_transform(base: np.ndarray, config: OfflineConfig) -> SpeakerTransform:
    """The transform that leaves the base voice as it is (used when the reference is not a voice)."""
    n = config.n_mels
    return SpeakerTransform(1.0, np.vstack([np.eye(n), np.zeros(n)]), base)


def _spread_subset(frames: np.ndarray, config: OfflineConfig) -> np.ndarray:
    if len(frames) <= config.max_alignment_frames:
        return frames
    return frames[np.linspace(0, len(frames) - 1, config.max_alignment_frames).astype(int)]


def envelope_change(
    envelopes: np.ndarray,
    voiced: np.ndarray,
    transform: SpeakerTransform,
    config: OfflineConfig,
    reading: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(frames, n_mels) log-power change that turns the base voice's frames into the reference's.

    Voiced frames are mapped by the transform; frames with `reading` targets (targets, found) move a
    share `reading_blend` of the way to them; the voiced targets then get back the reference's
    spread per band (`variance_restore`). Other frames are left as flite made them. Each changed
    frame keeps its energy, so the base voice's loudness contour (stress, consonant strength)
    survives, except that frames with targets take a share `reading_loudness` of the reference's.
    """
    change = np.zeros_like(envelopes)
    target = envelopes.copy()
    if voiced.any():
        target[voiced] = transform.map(envelopes[voiced], config)
    changed = voiced.copy()
    loudness = np.zeros(len(envelopes))
    if reading is not None:
        targets, found = reading
        target[found] += config.reading_blend * (targets[found] - target[found])
        changed |= found
        loudness = reading_loudness(envelopes, targets, found, config)
    if voiced.sum() > 2:
        target[voiced] = restore_variance(target[voiced], transform.reference_frames, config.variance_restore)
    if not changed.any():
        return change
    change[changed] = target[changed] - envelopes[changed]
    change = _smooth(change, config)
    limit = config.max_gain_db * np.log(10) / 10
    change = np.clip(change, -limit, limit)
    touched = np.abs(change).sum(1) > 0
    change[touched] += (frame_energy(envelopes) - frame_energy(envelopes + change))[touched, None]
    return change + np.clip(_smooth(loudness, config), -limit, limit)[:, None]


def restore_variance(frames: np.ndarray, reference: np.ndarray, share: float) -> np.ndarray:
    """`frames` with each band's spread moved a `share` of the way to the reference's (regression and
    neighbour averaging both shrink it, which the speaker encoder hears as a duller voice)."""
    if share <= 0:
        return frames
    mean, spread = frames.mean(0), np.maximum(frames.std(0), 1e-3)
    return (frames - mean) * (1 - share + share * reference.std(0) / spread) + mean


def reading_loudness(
    envelopes: np.ndarray, targets: np.ndarray, found: np.ndarray, config: OfflineConfig
) -> np.ndarray:
    """Per-frame log-energy change giving each found frame a share `reading_loudness` of its target's
    loudness relative to the other found frames (how loud the reference says each sound)."""
    shift = np.zeros(len(envelopes))
    if config.reading_loudness <= 0 or found.sum() < 2:
        return shift
    wanted, own = frame_energy(targets[found]), frame_energy(envelopes[found])
    shift[found] = config.reading_loudness * ((wanted - wanted.mean()) - (own - own.mean()))
    return shift


def _smooth(values: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """Moving average over `smoothing_frames` frames along the first axis."""
    if config.smoothing_frames <= 1:
        return values
    kernel = np.ones(config.smoothing_frames) / config.smoothing_frames
    return np.apply_along_axis(np.convolve, 0, values, kernel, mode="same")
