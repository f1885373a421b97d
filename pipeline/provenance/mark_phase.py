"""The audio mark's test on cells of the band levels: folded onto the pattern's period, correlated with its signs."""

from __future__ import annotations

import math

import numpy as np


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
