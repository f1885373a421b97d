"""Fine detail of a mouth region matched to a target: the variance of its Laplacian, by unsharp masking.

A mouth pasted from another frame is resampled (softer) and an animated mouth is painted (its edges
may be harder than the picture's own); both are brought to the detail the source shows there. The
unsharp gain g (negative: a blur) is solved in closed form: Laplacian(x + g (x - blur x)) is
a + g b, whose variance is quadratic in g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .face import LIPS_LOWER_OUTER, LIPS_UPPER_OUTER

LIPS = (*LIPS_UPPER_OUTER, *LIPS_LOWER_OUTER)


@dataclass(frozen=True)
class DetailConfig:
    blur: float = 1.0
    """Sigma (pixels) of the unsharp mask's blur."""
    gains: tuple[float, float] = (-1.0, 1.5)
    """The unsharp gain is kept within these (-1: the blurred image itself)."""
    margin: float = 0.25
    """The mouth region: the lips' box grown by this many mouth widths on every side."""


def mouth_region(landmarks: np.ndarray, shape: tuple[int, ...], margin: float, extra_below: float = 0.0) -> tuple:
    """(x1, y1, x2, y2) of the lips' box grown by `margin` mouth widths (`extra_below` pixels more downwards)."""
    lips = landmarks[list(LIPS)]
    width = float(np.ptp(lips[:, 0]))
    x1, y1 = np.floor(lips.min(0) - margin * width).astype(int)
    x2, y2 = np.ceil(lips.max(0) + margin * width).astype(int)
    y2 += int(round(extra_below))
    return max(0, x1), max(0, y1), min(shape[1], x2), min(shape[0], y2)


def laplacian_variance(image: np.ndarray) -> float:
    """Variance of the Laplacian of `image`'s grey (BGR or grey, any dtype); 0 for an empty one."""
    import cv2

    if image.size == 0 or min(image.shape[:2]) < 3:
        return 0.0
    grey = _grey(image)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def _grey(image: np.ndarray) -> np.ndarray:
    """float32 mean of the channels (what `.astype(float32).mean(-1)` gives, bit for bit, ten times faster)."""
    image = image.astype(np.float32)
    if image.ndim == 2:
        return image
    total = image[..., 0].copy()
    for channel in range(1, image.shape[-1]):
        total += image[..., channel]
    return total / np.float32(image.shape[-1])


def unsharp_gain(region: np.ndarray, target: float, config: DetailConfig = DetailConfig()) -> float:
    """The gain g that gives `region` + g (`region` - blur) a Laplacian variance of `target` (within `gains`)."""
    import cv2

    if region.size == 0 or min(region.shape[:2]) < 3 or target <= 0:
        return 0.0
    grey = _grey(region)
    a = cv2.Laplacian(grey, cv2.CV_32F)
    b = cv2.Laplacian(grey - cv2.GaussianBlur(grey, (0, 0), config.blur), cv2.CV_32F)
    a, b = a - a.mean(), b - b.mean()
    va, vb, cab = float((a * a).mean()), float((b * b).mean()), float((a * b).mean())
    low, high = config.gains
    if vb < 1e-9:
        return 0.0
    # va + 2 g cab + g^2 vb = target: the root nearest 0.
    disc = cab * cab - vb * (va - target)
    if disc < 0:  # the variance never gets that low: its minimum
        return float(np.clip(-cab / vb, low, high))
    roots = ((-cab - np.sqrt(disc)) / vb, (-cab + np.sqrt(disc)) / vb)
    return float(np.clip(min(roots, key=abs), low, high))


def unsharp(image: np.ndarray, gain: float, sigma: float) -> np.ndarray:
    """float32 `image` + `gain` (`image` - its blur): sharper for gain > 0, softer below."""
    import cv2

    image = image.astype(np.float32)
    if abs(gain) < 1e-3:
        return image
    return image + gain * (image - cv2.GaussianBlur(image, (0, 0), sigma))


def cap_detail(
    out: np.ndarray,
    reference: np.ndarray,
    box: tuple,
    ceiling: float,
    config: DetailConfig = DetailConfig(),
    reference_detail: float | None = None,
) -> np.ndarray:
    """`out` with the region `box` softened (inside a feathered ellipse) where its detail exceeds `ceiling`
    times `reference`'s in the same region; unchanged otherwise. `reference_detail`: that region's Laplacian
    variance when the caller knows it already (a photo's, the same every frame)."""
    x1, y1, x2, y2 = box
    if x2 - x1 < 8 or y2 - y1 < 8:
        return out
    if reference_detail is None:
        reference_detail = laplacian_variance(reference[y1:y2, x1:x2])
    target = ceiling * reference_detail
    region = out[y1:y2, x1:x2]
    if target <= 0 or laplacian_variance(region) <= target:
        return out
    gain = unsharp_gain(region, target, config)
    if gain >= 0:
        return out
    region = region.astype(np.float32)
    softened = region + (unsharp(region, gain, config.blur) - region) * ellipse_window(region.shape)
    result = out.copy()
    result[y1:y2, x1:x2] = np.clip(softened + 0.5, 0, 255).astype(np.uint8)
    return result


def ellipse_window(shape: tuple[int, ...]) -> np.ndarray:
    """(h, w, 1) float32: 1 over an ellipse filling the box, fading to 0 towards its corners."""
    height, width = shape[:2]
    u = (np.arange(width, dtype=np.float32) + 0.5) / width * 2 - 1
    v = (np.arange(height, dtype=np.float32) + 0.5) / height * 2 - 1
    r = np.hypot(u[None, :], v[:, None])
    return np.clip((1.15 - r) / 0.3, 0, 1)[..., None]
