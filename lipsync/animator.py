"""The offline mouth animator: lips and jaw warped toward a target mouth shape, no neural network.

Every frame, the face's own lips are first brought together (so a talking source video stops
saying its own words), then opened, spread or pursed by the target shape; the chin follows the
lower lip. The upper lip and the lower lip/jaw are warped separately by smooth thin-plate fields
(anchored at the nose, eyes, cheeks and the edges of the region) and joined along the new lower lip,
and the opening between the lips is painted as a dark mouth with a hint of upper teeth.

`AnimatorRenderer` drives it from timed phones: voxlip's own when it made the speech, pocketsphinx's
phone loop otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.components import Component
from voice.phones import Phone

from .audio_frames import silent_frames
from .background import CoreTurns, StageTimer
from .face import (
    CHIN,
    JAW,
    LIPS_LOWER_INNER,
    LIPS_LOWER_OUTER,
    LIPS_UPPER_INNER,
    LIPS_UPPER_OUTER,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    NOSE_BOTTOM,
    NOSE_BRIDGE,
    Face,
)
from .visemes import VisemeTrackConfig, shape_track
from .warp import backward_maps

ANIMATOR = Component.offline("lip-sync", "offline lip-sync: landmark mouth animator")
PHONE_RECOGNIZER = Component.offline("phone timing", "pocketsphinx en-us phone loop")

CHIN_MIDLINE = (18, 200, 199, 175)
"""From under the lower lip down to the chin."""
STILL_POINTS = (*NOSE_BOTTOM, 1, 50, 280, 205, 425, 187, 411)
"""Nose and cheeks: they do not move when the mouth does."""


@dataclass(frozen=True)
class AnimatorConfig:
    max_gap: float = 0.42
    """Gap between the inner lips at open = 1, in mouth widths."""
    lower_share: float = 0.72
    """Share of that gap made by the lower lip (with the jaw); the rest by the upper lip."""
    jaw_follow: float = 0.8
    """The chin moves this fraction of the lower lip's vertical motion."""
    spread: float = 0.09
    """Each mouth corner moves out this many mouth widths at wide = 1."""
    purse: float = 0.15
    """Each mouth corner moves in this many mouth widths at round = 1."""
    press: float = 0.03
    """At open = 0 the inner lips are pushed this many mouth widths past each other, so they meet."""
    grid_step: int = 4
    """Warp fields are computed every this many pixels (more for large faces) and interpolated."""
    teeth: bool = True


@dataclass(frozen=True)
class MouthGeometry:
    centre: np.ndarray
    right: np.ndarray
    down: np.ndarray
    width: float
    face_half_width: float


def mouth_geometry(landmarks: np.ndarray) -> MouthGeometry:
    left, right_corner = landmarks[MOUTH_LEFT], landmarks[MOUTH_RIGHT]
    width = float(np.linalg.norm(right_corner - left))
    right = (right_corner - left) / max(width, 1e-6)
    down = landmarks[CHIN] - landmarks[NOSE_BRIDGE]
    down = down - (down @ right) * right
    down /= max(float(np.linalg.norm(down)), 1e-6)
    half = float(np.linalg.norm(landmarks[454] - landmarks[234])) / 2
    return MouthGeometry((left + right_corner) / 2, right, down, max(width, 1.0), max(half, width))


class MouthAnimator:
    """`render(frame, landmarks, shape)` -> a new frame with the mouth in `shape` (open, wide, round)."""

    def __init__(self, config: AnimatorConfig = AnimatorConfig()):
        self.config = config

    def render(self, frame: np.ndarray, landmarks: np.ndarray, shape: np.ndarray) -> np.ndarray:
        import cv2

        lm = landmarks.astype(np.float64)
        geometry = mouth_geometry(lm)
        moved = self._target_points(lm, geometry, np.asarray(shape, dtype=np.float64))
        region = self._region(lm, moved, geometry, frame.shape)
        if region is None:
            return frame
        x1, y1, x2, y2 = region
        upper_ids = (*LIPS_UPPER_INNER, *LIPS_UPPER_OUTER[1:-1])
        lower_ids = (*LIPS_LOWER_INNER[1:-1], *LIPS_LOWER_OUTER[1:-1])
        shared_ids = (*JAW, *CHIN_MIDLINE)
        border = _border_points(region)
        maps = []
        for lip_ids in (upper_ids, lower_ids):
            ids = list(dict.fromkeys((*lip_ids, *shared_ids, *STILL_POINTS)))
            sources = np.vstack([lm[ids], border])
            targets = np.vstack([moved[ids], border])
            step = max(self.config.grid_step, int(geometry.width / 16))
            maps.append(np.stack(backward_maps(targets, sources, region, step), axis=-1))
        origin = np.array([x1, y1])
        lower_mask = _below_curve_mask(moved[list(LIPS_LOWER_INNER)] - origin, geometry, (y2 - y1, x2 - x1))
        joined = maps[0] + (maps[1] - maps[0]) * lower_mask
        warped = cv2.remap(frame, joined[..., 0], joined[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        self._paint_mouth(warped, lm, moved, geometry, origin, frame)
        result = frame.copy()
        result[y1:y2, x1:x2] = warped
        return result

    def _target_points(self, lm: np.ndarray, g: MouthGeometry, shape: np.ndarray) -> np.ndarray:
        """All 478 landmarks where the mouth shape puts them (untouched ones stay)."""
        c = self.config
        opening, wide, rounded = (float(v) for v in shape)
        moved = lm.copy()
        upper_inner, lower_inner = lm[list(LIPS_UPPER_INNER)], lm[list(LIPS_LOWER_INNER)]
        middle = (upper_inner + lower_inner) / 2
        along = ((middle - g.centre) @ g.right) / (g.width / 2)
        profile = np.clip(np.cos(np.clip(along, -1, 1) * math.pi / 2), 0, 1) ** (0.8 - 0.4 * rounded)
        gap = opening * c.max_gap * g.width - (1 - min(opening * 4, 1.0)) * c.press * g.width
        sideways = (wide * c.spread - rounded * c.purse) * g.width
        shift = np.outer(along * sideways, g.right)
        upper_delta = middle - upper_inner - np.outer(profile * gap * (1 - c.lower_share), g.down) + shift
        lower_delta = middle - lower_inner + np.outer(profile * gap * c.lower_share, g.down) + shift
        for ids, delta in (
            (LIPS_UPPER_INNER, upper_delta),
            (LIPS_UPPER_OUTER, upper_delta),
            (LIPS_LOWER_INNER, lower_delta),
            (LIPS_LOWER_OUTER, lower_delta),
        ):
            moved[list(ids)] = lm[list(ids)] + delta
        lip_drop = float(lower_delta[len(lower_delta) // 2] @ g.down)
        jaw_drop = c.jaw_follow * lip_drop
        jaw = lm[list(JAW)]
        side = ((jaw - g.centre) @ g.right) / g.face_half_width
        weight = np.clip(1 - side**2, 0, 1) ** 1.5
        moved[list(JAW)] = jaw + np.outer(weight * jaw_drop, g.down)
        for k, i in enumerate(CHIN_MIDLINE):
            t = (k + 1) / len(CHIN_MIDLINE)
            moved[i] = lm[i] + g.down * ((1 - t) * lip_drop + t * jaw_drop)
        return moved

    @staticmethod
    def _region(
        lm: np.ndarray, moved: np.ndarray, g: MouthGeometry, frame_shape: tuple[int, ...]
    ) -> tuple[int, int, int, int] | None:
        ids = [*JAW, *NOSE_BOTTOM]
        points = np.vstack([lm[ids], moved[ids]])
        margin = 0.25 * g.width
        x1, y1 = points.min(0) - margin
        x2, y2 = points.max(0) + margin
        y2 += 0.5 * g.width  # room under the chin, where a dropping jaw goes
        height, width = frame_shape[:2]
        box = (int(max(0, x1)), int(max(0, y1)), int(min(width, x2)), int(min(height, y2)))
        if box[2] - box[0] < 8 or box[3] - box[1] < 8:
            return None
        return box

    def _paint_mouth(
        self,
        out: np.ndarray,
        lm: np.ndarray,
        moved: np.ndarray,
        g: MouthGeometry,
        origin: np.ndarray,
        frame: np.ndarray,
    ) -> None:
        """Dark mouth (and upper teeth) between the moved inner lips, anti-aliased."""
        upper = moved[list(LIPS_UPPER_INNER)] - origin
        lower = moved[list(LIPS_LOWER_INNER)] - origin
        gaps = (lower - upper) @ g.down
        if gaps.max() < 1.0:
            return
        lips = np.vstack([lm[list(LIPS_UPPER_OUTER)], lm[list(LIPS_LOWER_OUTER)]]).round().astype(int)
        lips[:, 0] = lips[:, 0].clip(0, frame.shape[1] - 1)
        lips[:, 1] = lips[:, 1].clip(0, frame.shape[0] - 1)
        lip_colour = frame[lips[:, 1], lips[:, 0]].astype(np.float32).mean(0)
        mouth = np.vstack([upper, lower])
        x1, y1 = np.maximum(np.floor(mouth.min(0)).astype(int) - 3, 0)
        x2, y2 = np.ceil(mouth.max(0)).astype(int) + 4
        if out[y1:y2, x1:x2].size == 0:
            return
        area = out[y1:y2, x1:x2].astype(np.float32)
        corner = np.array([x1, y1])
        cavity = _polygon_mask(np.vstack([upper, lower[::-1]]) - corner, area.shape[:2])[..., None]
        area = area * (1 - cavity) + (lip_colour * 0.22) * cavity
        if self.config.teeth:
            depth = np.minimum(0.07 * g.width, 0.3 * np.maximum(gaps, 0))
            edge = upper + np.outer(depth, g.down)
            teeth = _polygon_mask(np.vstack([upper, edge[::-1]]) - corner, area.shape[:2])[..., None] * cavity
            shade = 0.6 * np.array([190.0, 192.0, 200.0], dtype=np.float32) + 0.4 * lip_colour
            area = area * (1 - teeth) + shade * teeth
        out[y1:y2, x1:x2] = np.clip(area + 0.5, 0, 255).astype(np.uint8)


def _border_points(region: tuple[int, int, int, int], per_side: int = 4) -> np.ndarray:
    x1, y1, x2, y2 = region
    t = np.linspace(0.0, 1.0, per_side, endpoint=False)
    top = np.stack([x1 + t * (x2 - x1), np.full_like(t, y1)], 1)
    right = np.stack([np.full_like(t, x2), y1 + t * (y2 - y1)], 1)
    bottom = np.stack([x2 - t * (x2 - x1), np.full_like(t, y2)], 1)
    left = np.stack([np.full_like(t, x1), y2 - t * (y2 - y1)], 1)
    return np.vstack([top, right, bottom, left]).astype(np.float64)


def _polygon_mask(polygon: np.ndarray, size: tuple[int, int], blur: float = 0.8) -> np.ndarray:
    import cv2

    shift = 4
    mask = np.zeros(size, dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(polygon * (1 << shift)).astype(np.int32)], 255, cv2.LINE_AA, shift)
    mask = mask.astype(np.float32) / 255
    if blur > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), blur)
    return mask


def _below_curve_mask(curve: np.ndarray, g: MouthGeometry, size: tuple[int, int]) -> np.ndarray:
    """(h, w) float mask of what lies below the lower inner lip, continued sideways past the corners."""
    height, width = size
    reach = 4.0 * max(height, width)
    left_end = curve[0] - g.right * reach
    right_end = curve[-1] + g.right * reach
    polygon = np.vstack([left_end, curve, right_end, right_end + g.down * reach, left_end + g.down * reach])
    return _polygon_mask(polygon, size, blur=1.0)[..., None]


class AnimatorRenderer:
    """Mouth shapes from timed phones (recognised from the audio when none are given), warped in."""

    def __init__(
        self,
        phones: tuple[Phone, ...] | list[Phone] | None = None,
        config: AnimatorConfig = AnimatorConfig(),
        visemes: VisemeTrackConfig = VisemeTrackConfig(),
    ):
        self.phones, self.visemes = phones, visemes
        self.animator = MouthAnimator(config)
        self.recognized = False
        self._shapes: np.ndarray | None = None

    @property
    def components(self) -> tuple[Component, ...]:
        return (ANIMATOR, PHONE_RECOGNIZER) if self.recognized else (ANIMATOR,)

    def prepare(self, audio: np.ndarray, fps: float, n_frames: int, timer: StageTimer) -> None:
        phones = self.phones
        if phones is None:
            from voice.recognition import recognize_phones

            with timer("phones"):
                phones = recognize_phones(audio)
            self.recognized = True
        self._shapes = shape_track(phones, n_frames, fps, silent_frames(audio, fps, n_frames), self.visemes)

    def render(
        self, frames: list[np.ndarray], faces: list[Face | None], indices: range, timer: StageTimer, turns: CoreTurns
    ) -> list[np.ndarray]:
        with timer("generator"):
            return [
                frame if face is None else self.animator.render(frame, face.landmarks, self._shapes[i])
                for frame, face, i in zip(frames, faces, indices)
            ]
