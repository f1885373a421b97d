"""A still face that lives: natural blinks and a subtle, smooth head motion, drawn by warping the frame.

A photo (or a video whose face never moves) lip-synced by the animator alone stares: nothing but the
mouth moves. Here a seeded schedule gives blinks (every 2-6 s, 100-300 ms each) and a slow sway of
the head (a degree or two of roll and a few pixels of shift, livelier while speaking). Blinks pull
each upper eyelid down over the eye onto the lower one (the eye is covered, not squeezed); the head motion
rotates and shifts the head inside a soft ellipse around the face, fading to nothing outside it, so
the background and shoulders stay where they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .face import FACE_OVAL, NOSE_TIP
from .warp import smoothstep

EYES = (
    # (upper lid from the outer to the inner corner, lower lid the same way)
    ((33, 246, 161, 160, 159, 158, 157, 173, 133), (33, 7, 163, 144, 145, 153, 154, 155, 133)),
    ((263, 466, 388, 387, 386, 385, 384, 398, 362), (263, 249, 390, 373, 374, 380, 381, 382, 362)),
)


@dataclass(frozen=True)
class LivingConfig:
    blink_interval: tuple[float, float] = (2.0, 6.0)
    """Seconds between the starts of two blinks, drawn uniformly."""
    blink_duration: tuple[float, float] = (0.12, 0.3)
    """Seconds from eyes starting to close to fully open again."""
    roll_degrees: float = 1.2
    """Standard deviation of the head's roll while quiet."""
    shift: float = 0.012
    """Standard deviation of the head's shift while quiet, in face widths."""
    speaking_gain: float = 1.6
    """Head motion is this much larger while speaking."""
    sway_hz: tuple[float, float] = (0.08, 0.3)
    """Frequencies of the slow sinusoids the head motion is made of."""
    fade: float = 1.7
    """The head motion fades to zero between the face's ellipse and this many times it."""
    lid_meet: float = 0.75
    """Shut lids meet this share of the eye's opening below the upper lid (the lower lid rises the rest)."""
    lid_stretch: float = 1.0
    """The skin above the upper lid stretches over this many times the eye's opening as the lid comes down."""
    lid_lift: float = 0.3
    """The lid's picture starts this many times the eye's opening above its landmarks (skin, not the eye)."""
    lash_width: float = 0.035
    """Lashes along a closing lid's edge, this many eye widths thick ..."""
    lash_strength: float = 0.6
    """... and this opaque."""


@dataclass(frozen=True)
class LifeTrack:
    """Per output frame: eye closure (0 open .. 1 shut), head roll (degrees), shift (face widths, x and y)."""

    closure: np.ndarray
    roll: np.ndarray
    shift: np.ndarray


def life_track(
    n_frames: int,
    fps: float,
    speaking: np.ndarray | None,
    seed: int | None,
    config: LivingConfig = LivingConfig(),
    still: bool = False,
) -> LifeTrack:
    """The blink and head-motion schedule of `n_frames` frames; the same for the same `seed`.

    `speaking`: (n_frames,) bool, frames with speech (head motion grows there); `still` keeps the head still.
    """
    rng = np.random.default_rng(seed)
    t = (np.arange(n_frames) + 0.5) / fps
    closure = np.zeros(n_frames, dtype=np.float32)
    start = rng.uniform(0.6, config.blink_interval[0] + 0.6)
    duration_seconds = n_frames / fps
    while start < duration_seconds:
        length = rng.uniform(*config.blink_duration)
        closure = np.maximum(closure, _blink_shape((t - start) / length))
        start += length + rng.uniform(*config.blink_interval)
    roll = np.zeros(n_frames, dtype=np.float32)
    shift = np.zeros((n_frames, 2), dtype=np.float32)
    if not still and n_frames > 1:
        gain = np.ones(n_frames, dtype=np.float32)
        if speaking is not None:
            active = _smooth(np.asarray(speaking[:n_frames], dtype=np.float32), 0.5 * fps)
            gain += (config.speaking_gain - 1) * active
        roll = (_sway(rng, t, config.sway_hz) * config.roll_degrees * gain).astype(np.float32)
        for axis in range(2):
            shift[:, axis] = _sway(rng, t, config.sway_hz) * config.shift * gain * (1.0 if axis == 0 else 0.6)
    return LifeTrack(closure, roll, shift)


def _blink_shape(phase: np.ndarray) -> np.ndarray:
    """Eye closure over a blink's phase 0..1: a quick close, held shut briefly, a slower opening."""
    closing = np.clip(phase / 0.35, 0, 1)
    opening = np.clip((1 - phase) / 0.5, 0, 1)
    shape = np.minimum(closing, opening) * 1.35
    shape[(phase < 0) | (phase > 1)] = 0
    return np.clip(shape, 0, 1).astype(np.float32)


def _sway(rng: np.random.Generator, t: np.ndarray, band: tuple[float, float], parts: int = 3) -> np.ndarray:
    """A smooth random signal of unit standard deviation: a few slow sinusoids with random phases."""
    signal = np.zeros_like(t)
    for _ in range(parts):
        hz = rng.uniform(*band)
        signal += rng.uniform(0.5, 1.0) * np.sin(2 * math.pi * hz * t + rng.uniform(0, 2 * math.pi))
    return signal / math.sqrt(0.5 * parts * (0.75**2 + 1 / 48))


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    radius = max(1, int(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / max(sigma, 1e-3)) ** 2)
    kernel /= kernel.sum()
    return np.convolve(np.pad(x, radius, mode="edge"), kernel, mode="valid")


def blink(
    frame: np.ndarray, landmarks: np.ndarray, closure: float, config: LivingConfig = LivingConfig()
) -> np.ndarray:
    """`frame` (modified in place and returned) with both eyes closed by `closure` (0..1).

    The lids slide over the eye as real lids do (the upper one most): the eye under them stays where it is
    and is covered, each lid's margin (the upper one's lashes) moves whole, and only the skin just beyond the
    lids stretches. Nothing outside that band moves, so the brows and the rest of the face keep their place.
    """
    import cv2

    if closure <= 0.02:
        return frame
    lm = landmarks.astype(np.float64)
    for upper_ids, lower_ids in EYES:
        upper, lower = lm[list(upper_ids)], lm[list(lower_ids)]
        outer = upper[0]
        eye_width = float(np.linalg.norm(upper[-1] - outer))
        if eye_width < 4:
            continue
        along = (upper[-1] - outer) / eye_width
        down = np.array([-along[1], along[0]])
        if (lower.mean(0) - upper.mean(0)) @ down < 0:
            down = -down
        # The lids as heights over the eye's axis (from the outer corner), meeting at the corners.
        samples = np.linspace(0.0, eye_width, 64)
        top, bottom = (_height_along(lid - outer, along, down, samples) for lid in (upper, lower))
        opening = np.maximum(bottom - top, 0.0)
        tallest = float(opening.max())
        if tallest < 1.0:
            continue
        # The lids meet `lid_meet` of the way down the opening: the upper lid travels most, the lower one a little.
        upper_drop = closure * config.lid_meet * opening
        lower_rise = closure * (1 - config.lid_meet) * opening
        band, lift = max(config.lid_stretch * tallest, 2.0), config.lid_lift * tallest
        low_band = max(0.5 * band, 1.0)
        top_edge, bottom_edge = float(top.min()) - band - lift, float(bottom.max()) + low_band + lift
        x1, y1, x2, y2 = _eye_box(outer, along, down, eye_width, top_edge, bottom_edge, frame.shape)
        if x2 - x1 < 4 or y2 - y1 < 4:
            continue
        xs, ys = np.meshgrid(np.arange(x1, x2, dtype=np.float32), np.arange(y1, y2, dtype=np.float32))
        u = (xs - outer[0]) * along[0] + (ys - outer[1]) * along[1]
        v = (xs - outer[0]) * down[0] + (ys - outer[1]) * down[1]
        upper_lid = np.interp(u, samples, top, left=0.0, right=0.0)
        lower_lid = np.interp(u, samples, bottom, left=0.0, right=0.0)
        upper_now = upper_lid + np.interp(u, samples, upper_drop, left=0.0, right=0.0)
        lower_now = lower_lid - np.interp(u, samples, lower_rise, left=0.0, right=0.0)
        # Each lid's picture: the skin beyond it (from `lift` past its landmarks, which on a painting or a
        # cartoon may lie on the eye itself) stretched to where the lid is in this frame, its margin continued on.
        start, end = upper_lid - band - lift, lower_lid + low_band + lift
        from_above = start + (v - start) * band / np.maximum(upper_now - start, 1e-6)
        from_below = end - (end - v) * low_band / np.maximum(end - lower_now, 1e-6)
        middle = 0.5 * (upper_now + lower_now)
        source_v = np.where(
            v <= middle,
            np.where(v <= start, v, np.where(v <= upper_now, from_above, v - (upper_now - upper_lid + lift))),
            np.where(v >= end, v, np.where(v >= lower_now, from_below, v + (lower_lid - lower_now + lift))),
        )
        shift = source_v - v
        map_x = (xs + shift * down[0]).astype(np.float32)
        map_y = (ys + shift * down[1]).astype(np.float32)
        lids = cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # They cover the eye up to their moved edges (antialiased); the eye between them is not moved.
        covering = np.clip(upper_now - v + 0.5, 0.0, 1.0) + np.clip(v - lower_now + 0.5, 0.0, 1.0)
        covering = np.minimum(covering, 1.0)[..., None]
        eye = frame[y1:y2, x1:x2].astype(np.float32)
        # Lashes along the upper lid's edge: the eye region's darkest colour, soft, as thick as lashes look.
        dark = np.percentile(eye.reshape(-1, 3), 5, axis=0)
        thickness = max(config.lash_width * eye_width, 0.7)
        lashes = np.clip(1 - np.abs(v - upper_now + 0.5 * thickness) / thickness, 0, 1) * (upper_now > upper_lid + 0.5)
        lashes = (config.lash_strength * min(1.0, closure / 0.5) * lashes)[..., None]
        lids = lids * (1 - lashes) + dark * lashes
        frame[y1:y2, x1:x2] = np.clip(lids * covering + eye * (1 - covering) + 0.5, 0, 255).astype(np.uint8)
    return frame


def _height_along(points: np.ndarray, along: np.ndarray, down: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """The curve through `points` (relative to the eye's corner) as its height over the eye's axis at `samples`."""
    u, v = points @ along, points @ down
    order = np.argsort(u)
    return np.interp(samples, u[order], v[order])


def _eye_box(
    outer: np.ndarray, along: np.ndarray, down: np.ndarray, eye_width: float, top: float, bottom: float, shape: tuple
) -> tuple[int, int, int, int]:
    """Pixel box around the eye's rectangle from `top` to `bottom` (heights over its axis)."""
    corners = np.array([outer + along * u + down * v for u in (0.0, eye_width) for v in (top, bottom)])
    height, width = shape[:2]
    x1, y1 = np.floor(corners.min(0)).astype(int) - 1
    x2, y2 = np.ceil(corners.max(0)).astype(int) + 2
    return int(max(0, x1)), int(max(0, y1)), int(min(width, x2)), int(min(height, y2))


@dataclass(frozen=True)
class HeadMotion:
    """The head turned by `roll` degrees about the nose tip and shifted by `shift` face widths (x, y), inside
    the face's ellipse, fading to nothing at `fade` times it."""

    roll: float
    shift: tuple[float, float]
    fade: float = 1.7

    def _frame(self, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
        oval = lm[list(FACE_OVAL)].astype(np.float64)
        centre = oval.mean(0)
        radii = np.maximum((oval.max(0) - oval.min(0)) / 2, 4.0)
        offset = np.asarray(self.shift, dtype=np.float64) * 2 * radii[0]
        angle = math.radians(self.roll)
        return centre, radii, offset, math.cos(angle), math.sin(angle)

    def forward(self, points: np.ndarray, lm: np.ndarray) -> np.ndarray:
        """Where points inside the face end up (the rigid motion, at full strength)."""
        _, _, offset, cos, sin = self._frame(lm)
        pivot = lm[NOSE_TIP].astype(np.float64)
        d = points - pivot
        return pivot + offset + np.stack([cos * d[:, 0] - sin * d[:, 1], sin * d[:, 0] + cos * d[:, 1]], 1)

    def largest_move(self, lm: np.ndarray, region: tuple[int, int, int, int]) -> float:
        """An upper bound of how far (pixels) `maps` moves any pixel of `region`: the rigid motion's at full
        strength (the fade only scales it down), turning about the nose tip points as far as the region's
        corners."""
        _, _, offset, cos, sin = self._frame(lm)
        pivot = lm[NOSE_TIP].astype(np.float64)
        x1, y1, x2, y2 = region
        corners = np.array([(x1, y1), (x2, y1), (x1, y2), (x2, y2)], dtype=np.float64)
        farthest = float(np.linalg.norm(corners - pivot, axis=1).max())
        shift = float(np.linalg.norm(offset))
        chord = math.hypot(1 - cos, sin)  # |R q - q| / |q|
        return shift + chord * (farthest + shift)

    def maps(
        self,
        lm: np.ndarray,
        frame_shape: tuple[int, ...],
        cover: tuple[int, int, int, int] | None = None,
        step: int = 8,
    ) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray] | None:
        """(region, map_x, map_y) for cv2.remap (backward: where each output pixel comes from), over the
        head's reach and `cover`; None when the head would not move."""
        import cv2

        centre, radii, offset, cos, sin = self._frame(lm)
        if abs(self.roll) < 1e-3 and np.abs(offset).max() < 1e-3:
            return None
        height, width = frame_shape[:2]
        reach = radii * self.fade
        x1, y1 = np.floor(np.maximum(centre - reach, 0)).astype(int)
        x2, y2 = np.ceil(np.minimum(centre + reach, (width, height))).astype(int)
        if cover is not None:
            x1, y1, x2, y2 = min(x1, cover[0]), min(y1, cover[1]), max(x2, cover[2]), max(y2, cover[3])
        if x2 - x1 < 8 or y2 - y1 < 8:
            return None
        grid_w, grid_h = max(2, math.ceil((x2 - x1) / step)), max(2, math.ceil((y2 - y1) / step))
        gx = x1 + (np.arange(grid_w) + 0.5) * (x2 - x1) / grid_w - 0.5
        gy = y1 + (np.arange(grid_h) + 0.5) * (y2 - y1) / grid_h - 0.5
        px, py = np.meshgrid(gx, gy)
        pivot = lm[NOSE_TIP].astype(np.float64)
        qx, qy = px - offset[0] - pivot[0], py - offset[1] - pivot[1]
        sx = pivot[0] + cos * qx + sin * qy
        sy = pivot[1] - sin * qx + cos * qy
        r = np.sqrt(((px - centre[0]) / radii[0]) ** 2 + ((py - centre[1]) / radii[1]) ** 2)
        weight = np.clip((self.fade - r) / (self.fade - 1.0), 0, 1)
        weight = smoothstep(weight)
        size = (int(x2 - x1), int(y2 - y1))
        dx = cv2.resize(((sx - px) * weight).astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
        dy = cv2.resize(((sy - py) * weight).astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
        xs, ys = np.meshgrid(np.arange(x1, x2, dtype=np.float32), np.arange(y1, y2, dtype=np.float32))
        return (int(x1), int(y1), int(x2), int(y2)), xs + dx, ys + dy
