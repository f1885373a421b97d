"""A smooth filter fitted by synthesis: the correction of a converted voice's colour that a speaker encoder hears
as closest to the reference.

The mean-envelope filter (conversion.timbre_gain) gives the base voice the reference's average colour; what else
makes a speaker sound like themself lies in how the bands weigh against each other in their speech, which a mean
does not capture. The base voice's calibration sentences, already converted toward the reference, are heard
through the encoder with a candidate filter applied to their spectra (the filter is a product of the encoder's
power spectrum, so no audio is made per candidate); Gauss-Newton steps on a few cosines over the mel scale bring
their embedding nearest the reference's. The encoder runs forwards only (onnxruntime): the derivative of the
embedding by each cosine is a finite difference, all of them one batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import spectral
from .config import OfflineConfig
from .envelope import mel_bands

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from ..encoder import SpeakerEncoder


def fit_filter(
    judge: SpeakerEncoder, target: np.ndarray, speech: list[np.ndarray], rate: int, config: OfflineConfig
) -> np.ndarray:
    """Natural-log amplitude gain per bin of timbre_gain's grid (mel_bands(config).bins_hz) that brings `speech`
    (the calibration sentences converted toward the reference, at `rate`) closest to the unit embedding `target`
    as `judge` hears it; within +-config.fitted_filter_limit_db."""
    heard = _Heard(judge, speech, rate, config)
    step, size = config.fitted_filter_step, config.fitted_filter_cosines
    coefficients = np.zeros(size)
    best, best_score = coefficients, -np.inf
    for _ in range(config.fitted_filter_iterations):
        trials = np.vstack([coefficients, coefficients + step * np.eye(size)])
        embeddings = heard(trials)  # (1 + size, sentences, embedding)
        score = _score(embeddings[0], target, coefficients, config)
        if score > best_score:
            best, best_score = coefficients, score
        slopes = (embeddings[1:] - embeddings[0]) / step
        coefficients = coefficients + _surrogate_step(embeddings[0], slopes, target, coefficients, config)
    if _score(heard(coefficients[None])[0], target, coefficients, config) > best_score:
        best = coefficients
    return _log_gain(best, mel_bands(config).bins_hz, config)


class _Heard:
    """The encoder's embedding of each calibration sentence with a candidate filter, from spectra computed once."""

    def __init__(self, judge: SpeakerEncoder, speech: list[np.ndarray], rate: int, config: OfflineConfig):
        spec = judge.config.mel
        self.judge, self.config = judge, config
        self.powers, self.slices = [], []
        for samples in speech:
            wave, slices = judge.padded_for_partials(judge.preprocess(samples, rate))
            self.powers.append(np.abs(spectral.stft(wave, spec.n_fft, spec.hop_length)).astype(np.float64) ** 2)
            self.slices.append(slices)
        self.filters = spectral.mel_filters(spec.sample_rate, spec.n_fft, spec.n_mels, area_normalised=True)
        self.bins_hz = np.linspace(0, spec.sample_rate / 2, 1 + spec.n_fft // 2)

    def __call__(self, trials: np.ndarray) -> np.ndarray:
        """(trials, sentences, embedding) unit embeddings, one row of cosine coefficients per trial."""
        partials = []
        for coefficients in trials:
            power_gain = np.exp(2 * _log_gain(coefficients, self.bins_hz, self.config))[:, None]
            for power, slices in zip(self.powers, self.slices):
                filtered = power_gain * power
                filtered *= power.sum() / filtered.sum()  # the loudness is matched apart
                mel = (self.filters @ filtered).T.astype(np.float32)
                partials.extend(mel[s] for s in slices)
        embedded = self.judge(np.stack(partials))
        per_sentence = [len(slices) for slices in self.slices]
        sentences = np.split(embedded, np.cumsum(per_sentence * len(trials))[:-1])
        means = np.stack([s.mean(axis=0) for s in sentences])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        return means.reshape(len(trials), len(self.slices), -1)


def _log_gain(coefficients: np.ndarray, bins_hz: np.ndarray, config: OfflineConfig) -> np.ndarray:
    """Cosines on the mel scale (0 Hz to config.sample_rate / 2) weighted by `coefficients`, softly bounded."""
    limit = config.fitted_filter_limit_db * np.log(10) / 20
    position = spectral.hz_to_mel(bins_hz) / spectral.hz_to_mel(config.sample_rate / 2)
    cosines = np.cos(np.pi * np.arange(1, len(coefficients) + 1)[:, None] * position[None])
    return limit * np.tanh(coefficients @ cosines / limit)


def _score(embeddings: np.ndarray, target: np.ndarray, coefficients: np.ndarray, config: OfflineConfig) -> float:
    return float(np.mean(embeddings @ target) - config.fitted_filter_penalty * coefficients @ coefficients)


def _surrogate_step(
    embeddings: np.ndarray, slopes: np.ndarray, target: np.ndarray, coefficients: np.ndarray, config: OfflineConfig
) -> np.ndarray:
    """The change of coefficients, within the trust radius, that maximises the score of the embeddings
    extrapolated linearly (normalised-gradient ascent on the cheap linear model)."""
    radius = config.fitted_filter_radius
    change = np.zeros_like(coefficients)
    for _ in range(300):
        moved = embeddings + np.einsum("k,ksd->sd", change, slopes)
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        unit = moved / norms
        by_embedding = (target - (unit @ target)[:, None] * unit) / norms / len(moved)
        gradient = np.einsum("sd,ksd->k", by_embedding, slopes)
        gradient -= 2 * config.fitted_filter_penalty * (coefficients + change)
        change = np.clip(change + radius / 20 * gradient / (np.abs(gradient).max() + 1e-12), -radius, radius)
    return change
