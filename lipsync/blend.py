"""Pasting a generated face crop back: only the lower face, through a feathered landmark mask.

Wav2Lip pastes its whole 96x96 output as a rectangle, which leaves a visible box around the mouth.
Here only the region below the nose and inside the jaw line is taken from the generated crop, with a
soft edge, after shifting its colours to match the original frame under the mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .face import LOWER_JAW, NOSE_BOTTOM, Face


@dataclass(frozen=True)
class BlendConfig:
    feather: float = 0.06
    """Blur of the mask edge, in face widths."""
    shrink: float = 0.03
    """The mask is pulled this far (face widths) inside the jaw line, so the edge stays on skin."""
    colour_match: bool = True
    max_std_ratio: float = 1.25
    """Contrast changes of the colour match are limited to this factor either way."""


def lower_face_mask(face: Face, box: tuple[int, int, int, int], config: BlendConfig = BlendConfig()) -> np.ndarray:
    """(h, w) float32 mask over `box`: 1 on the lower face (nose to chin), feathered to 0.

    Above the nose Wav2Lip only redraws what it was shown, a little blurred: nothing to take from it.

    Drawn at a quarter of the resolution (it is smooth anyway) and scaled up.
    """
    import cv2

    x1, y1, x2, y2 = box
    height, width = y2 - y1, x2 - x1
    scale = 0.25 if min(height, width) >= 64 else 1.0
    small = (max(1, round(height * scale)), max(1, round(width * scale)))
    points = (face.landmarks[list(LOWER_JAW) + list(NOSE_BOTTOM)] - np.array([x1, y1], dtype=np.float32)) * scale
    hull = cv2.convexHull(np.round(points * 16).astype(np.int32))
    mask = np.zeros(small, dtype=np.uint8)
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_AA, 4)
    face_width = max(float(np.ptp(points[:, 0])), 1.0)
    shrink = int(round(config.shrink * face_width))
    if shrink > 0:
        mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * shrink + 1, 2 * shrink + 1)))
    sigma = max(config.feather * face_width, 0.5)
    mask = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), sigma)
    return cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR) if scale != 1.0 else mask


def match_colours(generated: np.ndarray, original: np.ndarray, mask: np.ndarray, max_std_ratio: float) -> np.ndarray:
    """`generated` (float32 BGR) with each channel's mean and spread under `mask` moved to `original`'s.

    Statistics are taken on every 4th pixel: enough for a mean and a spread, and 16x cheaper.
    """
    weights = mask[::4, ::4, None]
    total = float(weights.sum())
    if total < 1.0:
        return generated
    gen, org = generated[::4, ::4], original[::4, ::4]
    gen_mean = (gen * weights).sum((0, 1)) / total
    org_mean = (org * weights).sum((0, 1)) / total
    gen_std = np.sqrt(((gen - gen_mean) ** 2 * weights).sum((0, 1)) / total) + 1.0
    org_std = np.sqrt(((org - org_mean) ** 2 * weights).sum((0, 1)) / total) + 1.0
    ratio = np.clip(org_std / gen_std, 1 / max_std_ratio, max_std_ratio).astype(np.float32)
    return (generated - gen_mean.astype(np.float32)) * ratio + org_mean.astype(np.float32)


def first_masked_row(mask: np.ndarray, rows: int) -> int:
    """The first of `rows` rows (the generator's crop, scaled onto the mask's box) that the mask uses:
    rows above it may hold anything. One row of margin for the bilinear scaling between the two."""
    used = np.flatnonzero(mask.any(axis=1))
    if used.size == 0:
        return rows
    return max(0, int(used[0] * rows / mask.shape[0]) - 1)


def paste_face(
    frame: np.ndarray,
    generated: np.ndarray,
    face: Face,
    box: tuple[int, int, int, int],
    config: BlendConfig = BlendConfig(),
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """A copy of `frame` with `generated` (BGR uint8 crop, any size) blended into `box` below the nose.

    `mask` is `lower_face_mask(face, box, config)` when the caller has already drawn it.
    """
    import cv2

    x1, y1, x2, y2 = box
    if x2 - x1 < 2 or y2 - y1 < 2:
        return frame
    original = frame[y1:y2, x1:x2].astype(np.float32)
    patch = cv2.resize(generated, (x2 - x1, y2 - y1), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    if mask is None:
        mask = lower_face_mask(face, box, config)
    if config.colour_match:
        patch = match_colours(patch, original, mask, config.max_std_ratio)
    blended = original + (patch - original) * mask[..., None]
    result = frame.copy()
    result[y1:y2, x1:x2] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    return result
