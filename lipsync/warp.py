"""Smooth image warps from a few moved points: thin-plate splines evaluated on a coarse grid."""

from __future__ import annotations

import math

import numpy as np


def smoothstep(weight: np.ndarray) -> np.ndarray:
    """3w^2 - 2w^3 of weights in [0, 1]: 0 and 1 at the ends and flat at both, so a warp fades out without an edge."""
    return weight * weight * (3 - 2 * weight)


def fit_thin_plate(
    points: np.ndarray, values: np.ndarray, regularization: float = 1e-4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin-plate spline through (points -> values); returns (points, kernel weights, affine part)."""
    n = len(points)
    kernel = _kernel(_squared_distances(points, points)) + regularization * np.eye(n)
    basis = np.hstack([np.ones((n, 1)), points])
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = kernel
    system[:n, n:] = basis
    system[n:, :n] = basis.T
    rhs = np.zeros((n + 3, values.shape[1]))
    rhs[:n] = values
    solution = np.linalg.solve(system, rhs)
    return points, solution[:n], solution[n:]


def evaluate_thin_plate(spline: tuple[np.ndarray, np.ndarray, np.ndarray], queries: np.ndarray) -> np.ndarray:
    points, weights, affine = (a.astype(queries.dtype) for a in spline)
    basis = np.hstack([np.ones((len(queries), 1)), queries])
    return _kernel(_squared_distances(queries, points)) @ weights + basis @ affine


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dx = a[:, 0:1] - b[None, :, 0]
    dy = a[:, 1:2] - b[None, :, 1]
    return dx * dx + dy * dy


def _kernel(r2: np.ndarray) -> np.ndarray:
    return 0.5 * r2 * np.log(r2 + 1e-12)


def backward_offsets(
    targets: np.ndarray, sources: np.ndarray, region: tuple[int, int, int, int], step: int = 4
) -> np.ndarray:
    """(h, w, 2) float32 over `region` (x1, y1, x2, y2): where a warp moving each source point to its target
    draws each pixel from, in pixels from that pixel (cv2.remap's maps less the pixels' own coordinates).

    The displacement (source - target) is interpolated at the targets, sampled every `step` pixels
    and resized to full resolution, so the cost hardly depends on the face size.
    """
    import cv2

    x1, y1, x2, y2 = region
    width, height = x2 - x1, y2 - y1
    scale = float(max(width, height))
    origin = np.array([x1, y1], dtype=np.float64)
    spline = fit_thin_plate((targets - origin) / scale, (sources - targets) / scale)
    grid_w, grid_h = max(2, math.ceil(width / step)), max(2, math.ceil(height / step))
    gx = (np.arange(grid_w) + 0.5) * width / grid_w - 0.5
    gy = (np.arange(grid_h) + 0.5) * height / grid_h - 0.5
    queries = (np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2) / scale).astype(np.float32)
    offsets = (evaluate_thin_plate(spline, queries) * scale).reshape(grid_h, grid_w, 2).astype(np.float32)
    return cv2.resize(offsets, (width, height), interpolation=cv2.INTER_LINEAR)
