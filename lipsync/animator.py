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
from .living import HeadMotion
from .visemes import VisemeTrackConfig, shape_track
from .warp import backward_offsets, smoothstep

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
    detail_ceiling: float = 1.3
    """On a photo, the mouth region is softened where its detail (Laplacian variance) exceeds this times the
    photo's own there: a smooth painting or render gets a soft mouth, not hard painted edges."""
    jaw_smoothing: float = 1.5
    """The jaw follows the opening smoothed by a Gaussian of this sigma (frames): it is heavier than the lips,
    which meet on a bilabial while the jaw is still on its way up."""
    spread: float = 0.09
    """Each mouth corner moves out this many mouth widths at wide = 1."""
    purse: float = 0.15
    """Each mouth corner moves in this many mouth widths at round = 1."""
    press: float = 0.03
    """At open = 0 the inner lips are pushed this many mouth widths past each other, so they meet."""
    edge_feather: float = 0.25
    """Mouth widths: the warp fades to nothing over this much inside its region's edges, so the picture does not
    tear along them (no more than the region's margin, so the landmarks still go where they are put)."""
    grid_step: int = 4
    """Warp fields are computed every this many pixels (more for large faces) and interpolated."""
    sharpen: float = 0.6
    """Unsharp-mask gain on the warped region, giving back some of the finest texture resampling softens."""
    sharpen_ramp: float = 0.5
    """Pixels: the sharpening rises from none on a pixel the warp leaves in place (copied, not softened) to the
    full gain on one it moves this far or more: no box of sharpened texture around the warped region."""
    teeth: bool = True
    own_mouth_shares: tuple[float, float] = (0.5, 0.8)
    """A picture whose own mouth is open at least the second share of the gap asked for shows its own teeth and
    tongue (warped to the gap), below the first painted ones, in between a mix: no popping from frame to frame."""


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

    def render(
        self,
        frame: np.ndarray,
        landmarks: np.ndarray,
        shape: np.ndarray,
        head: HeadMotion | None = None,
        jaw: float | None = None,
    ) -> np.ndarray:
        """A copy of `frame` with the mouth in `shape`; `head` also turns and shifts the head, in the same
        resampling (each resampling of a photo softens its finest texture). `jaw` is the opening the jaw
        follows (default: the shape's own; see `jaw_track`)."""
        import cv2

        lm = landmarks.astype(np.float64)
        warp = self._mouth_warp(lm, np.asarray(shape, dtype=np.float64), frame.shape, jaw)
        if warp is None and head is None:
            return frame
        if head is None:
            (x1, y1, x2, y2), offsets, moved, geometry = warp
            map_x = offsets[..., 0] + np.arange(x1, x2, dtype=np.float32)[None, :]
            map_y = offsets[..., 1] + np.arange(y1, y2, dtype=np.float32)[:, None]
            warped = cv2.remap(frame, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
            warped = self._sharpened(warped, cv2.magnitude(offsets[..., 0], offsets[..., 1]))
            self._paint_mouth(warped, lm, moved, geometry, np.array([x1, y1]), frame)
            result = frame.copy()
            result[y1:y2, x1:x2] = warped
            return result
        cover = warp[0] if warp is not None else None
        motion = head.maps(lm, frame.shape, cover)
        if motion is None:
            return self.render(frame, landmarks, shape, jaw=jaw)
        (x1, y1, x2, y2), map_x, map_y = motion
        if warp is not None:
            (ax1, ay1, ax2, ay2), displacement, moved, _ = warp
            # The mouth's warp, looked up where the head's motion takes each pixel (zero outside its region,
            # so only the pixels the motion takes near it are looked up).
            reach = head.largest_move(lm, (x1, y1, x2, y2))
            bx1, by1, bx2, by2 = _reaching(reach, (x1, y1), map_x.shape, (ax1, ay1, ax2, ay2))
            if bx2 > bx1 and by2 > by1:  # the maps are the head motion's own: changed where they are
                near_x, near_y = map_x[by1:by2, bx1:bx2], map_y[by1:by2, bx1:bx2]
                extra = cv2.remap(
                    displacement,
                    near_x - ax1,
                    near_y - ay1,
                    cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_CONSTANT,
                    borderValue=0,
                )
                near_x += extra[..., 0]
                near_y += extra[..., 1]
        warped = cv2.remap(frame, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        warped = self._sharpened(warped, _distance_moved(map_x, map_y, (x1, y1)))
        if warp is not None:
            shown = head.forward(moved, lm)
            self._paint_mouth(warped, lm, shown, mouth_geometry(shown), np.array([x1, y1]), frame)
        result = frame.copy()
        result[y1:y2, x1:x2] = warped
        return result

    def _sharpened(self, image: np.ndarray, distance: np.ndarray) -> np.ndarray:
        """`image` (uint8) unsharp-masked by `sharpen` where the warp moved its pixels `sharpen_ramp` pixels or
        more (`distance`: (h, w) float32 pixels), by less where it moved them less, not where it left them."""
        import cv2

        c = self.config
        if c.sharpen <= 0:
            return image
        sharp = cv2.addWeighted(image, 1 + c.sharpen, cv2.GaussianBlur(image, (0, 0), 1.0), -c.sharpen, 0)
        # The sharpened and the given image mixed by a weight in 0-255 (uint8 arithmetic: the cost of the
        # sharpening itself, where float images take several times that).
        weight = cv2.convertScaleAbs(distance, alpha=255 / max(c.sharpen_ramp, 1e-6))
        if image.ndim == 3:
            weight = cv2.merge([weight] * image.shape[2])
        mixed = cv2.multiply(sharp, weight, scale=1 / 255)
        return cv2.add(mixed, cv2.multiply(image, cv2.bitwise_not(weight), scale=1 / 255), dst=mixed)

    def _mouth_warp(
        self, lm: np.ndarray, shape: np.ndarray, frame_shape: tuple[int, ...], jaw: float | None = None
    ) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray, MouthGeometry] | None:
        """(region, offsets (h, w, 2) float32: where each of its pixels is drawn from, in pixels from itself,
        moved landmarks, geometry), or None."""
        geometry = mouth_geometry(lm)
        moved = self._target_points(lm, geometry, shape, jaw)
        region = self._region(lm, moved, geometry, frame_shape)
        if region is None:
            return None
        x1, y1, x2, y2 = region
        # Each half of the face is warped by its own points alone (the chin, moving the other way under the lower
        # lip, is no pull on the upper lip). The upper half reaches down to the lower inner lip: a gap opened by
        # more than the press shows the picture's whole mouth inside, a shut one none of it.
        upper_ids = (*LIPS_UPPER_INNER, *LIPS_UPPER_OUTER, *STILL_POINTS)
        lower_ids = (*LIPS_LOWER_INNER, *LIPS_LOWER_OUTER, *JAW, *CHIN_MIDLINE, *STILL_POINTS)
        upper_inner, lower_inner = list(LIPS_UPPER_INNER[1:-1]), list(LIPS_LOWER_INNER[1:-1])
        own_gap = (lm[lower_inner] - lm[upper_inner]) @ geometry.down
        new_gap = (moved[lower_inner] - moved[upper_inner]) @ geometry.down
        opening = np.minimum(own_gap, self.config.press * geometry.width)
        shown = np.clip(new_gap / np.maximum(opening, 1e-6), 0, 1)[:, None]
        gap_bottom = lm[upper_inner] + (lm[lower_inner] - lm[upper_inner]) * shown
        border = _border_points(region)
        maps = []
        for ids, extra_sources, extra_targets in (
            (upper_ids, gap_bottom, moved[lower_inner]),
            (lower_ids, np.empty((0, 2)), np.empty((0, 2))),
        ):
            ids = list(dict.fromkeys(ids))
            sources = np.vstack([lm[ids], extra_sources, border])
            targets = np.vstack([moved[ids], extra_targets, border])
            step = max(self.config.grid_step, int(geometry.width / 16))
            maps.append(backward_offsets(targets, sources, region, step))
        origin = np.array([x1, y1])
        lower_mask = _below_lower_lip(moved[list(LIPS_LOWER_INNER)] - origin, geometry, (y2 - y1, x2 - x1))
        window = _edge_window(region, frame_shape, self.config.edge_feather * geometry.width)
        return region, (maps[0] + (maps[1] - maps[0]) * lower_mask) * window, moved, geometry

    def _target_points(
        self, lm: np.ndarray, g: MouthGeometry, shape: np.ndarray, jaw: float | None = None
    ) -> np.ndarray:
        """All 478 landmarks where the mouth shape puts them (untouched ones stay); the jaw where opening `jaw`
        puts it (default: the shape's opening)."""
        c = self.config
        opening, wide, rounded = (float(v) for v in shape)
        moved = lm.copy()
        upper_inner, lower_inner = lm[list(LIPS_UPPER_INNER)], lm[list(LIPS_LOWER_INNER)]
        middle = (upper_inner + lower_inner) / 2
        along = ((middle - g.centre) @ g.right) / (g.width / 2)
        profile = np.clip(np.cos(np.clip(along, -1, 1) * math.pi / 2), 0, 1) ** (0.8 - 0.4 * rounded)

        def gap_of(o: float) -> float:
            return o * c.max_gap * g.width - (1 - min(o * 4, 1.0)) * c.press * g.width

        gap = gap_of(opening)
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
        mid = len(lower_delta) // 2
        lip_drop = float(lower_delta[mid] @ g.down)
        if jaw is not None:
            jaw_gap = gap_of(float(jaw))
            lip_drop_of_jaw = lip_drop + float(profile[mid]) * (jaw_gap - gap) * c.lower_share
            jaw_drop = c.jaw_follow * lip_drop_of_jaw
        else:
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
        """The mouth between the moved inner lips: a shaded cavity, a tongue, and teeth in the face's own colours.

        The cavity is a dark shade of the lips, lighter towards them; the teeth take the colour of
        the whites of the eyes (the same light on the same face), shaded towards the mouth corners and
        under the upper lip; every edge is soft, as a camera sees it. A picture whose own mouth is open
        keeps its real teeth and tongue, warped to the gap (`own_mouth_shares`).
        """
        import cv2

        upper = moved[list(LIPS_UPPER_INNER)] - origin
        lower = moved[list(LIPS_LOWER_INNER)] - origin
        gaps = (lower - upper) @ g.down
        if gaps.max() < 1.0:
            return
        own_gap = float(((lm[list(LIPS_LOWER_INNER)] - lm[list(LIPS_UPPER_INNER)]) @ g.down).max())
        low, high = self.config.own_mouth_shares
        own = float(np.clip((own_gap / gaps.max() - low) / (high - low), 0, 1))
        if own == 1.0:
            return  # the picture's own open mouth, warped, shows its real teeth and tongue
        lip_colour = _lip_colour(frame, lm)
        mouth = np.vstack([upper, lower])
        x1, y1 = np.maximum(np.floor(mouth.min(0)).astype(int) - 3, 0)
        x2, y2 = np.ceil(mouth.max(0)).astype(int) + 4
        if out[y1:y2, x1:x2].size == 0:
            return
        area = out[y1:y2, x1:x2].astype(np.float32)
        corner = np.array([x1, y1])
        size = area.shape[:2]
        gap = float(gaps.max())
        edge_blur = max(0.7, 0.012 * g.width)
        cavity = _polygon_mask(np.vstack([upper, lower[::-1]]) - corner, size, edge_blur)
        # Darkest deep inside, lighter where the lips meet the opening.
        depth = cv2.GaussianBlur(cavity, (0, 0), max(1.0, 0.22 * gap))
        shade = lip_colour * (0.1 + 0.32 * np.clip(1.4 - 1.4 * depth, 0, 1))[..., None]
        if self.config.teeth and gap > 0.12 * g.width:
            shade = self._tongue(shade, upper - corner, lower - corner, g, lip_colour, gap)
        painted = shade
        if self.config.teeth:
            teeth, teeth_colour = self._teeth(upper - corner, lower - corner, g, size, frame, lm, lip_colour)
            painted = shade * (1 - teeth[..., None]) + teeth_colour * teeth[..., None]
        # The photo's own fine texture (grain, paint, noise), from the lips stretched over the opening.
        detail = area - cv2.GaussianBlur(area, (0, 0), 1.2)
        painted = painted + 0.7 * detail
        inside = cavity[..., None] * (1 - own)
        area = area * (1 - inside) + painted * inside
        out[y1:y2, x1:x2] = np.clip(area + 0.5, 0, 255).astype(np.uint8)

    @staticmethod
    def _tongue(
        shade: np.ndarray, upper: np.ndarray, lower: np.ndarray, g: MouthGeometry, lip: np.ndarray, gap: float
    ) -> np.ndarray:
        """A soft, darker-than-lip tongue resting on the lower teeth, seen when the mouth is well open."""
        import cv2

        middle = lower[len(lower) // 2] - g.down * 0.22 * gap
        axes = (max(1, int(0.28 * g.width)), max(1, int(0.2 * gap)))
        angle = math.degrees(math.atan2(g.right[1], g.right[0]))
        mask = np.zeros(shade.shape[:2], dtype=np.float32)
        centre = (int(round(middle[0])), int(round(middle[1])))
        cv2.ellipse(mask, centre, axes, angle, 0, 360, 1.0, -1, cv2.LINE_AA)
        mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.12 * gap))[..., None]
        tongue = _no_more_saturated(lip * np.array([0.55, 0.5, 0.68], dtype=np.float32), lip)
        strength = min(1.0, (gap / g.width - 0.12) / 0.12)
        return shade * (1 - mask * strength) + tongue * mask * strength

    @staticmethod
    def _teeth(
        upper: np.ndarray,
        lower: np.ndarray,
        g: MouthGeometry,
        size: tuple[int, int],
        frame: np.ndarray,
        lm: np.ndarray,
        lip: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(mask, BGR image) of the upper teeth (and the lower ones when the mouth is wide open)."""
        import cv2

        gaps = np.maximum((lower - upper) @ g.down, 0)
        white = _teeth_colour(frame, lm, lip)
        height, width = size
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        centre = (upper[len(upper) // 2] + lower[len(lower) // 2]) / 2
        along = ((xs - centre[0]) * g.right[0] + (ys - centre[1]) * g.right[1]) / (g.width / 2)
        # Teeth recede into the dark towards the mouth corners.
        sideways = np.clip(1 - np.abs(along) ** 2, 0, 1)
        upper_depth = np.minimum(0.1 * g.width, 0.38 * gaps)
        edge = upper + np.outer(upper_depth, g.down)
        mask = _polygon_mask(np.vstack([upper - g.down * 2, edge[::-1]]), size, max(0.8, 0.02 * g.width))
        # Darker up under the upper lip (its shadow), and towards the corners.
        below_lip = np.clip(
            ((xs - centre[0]) * g.down[0] + (ys - centre[1]) * g.down[1]) / max(1.0, 0.5 * float(gaps.max())) + 1, 0, 1
        )
        brightness = (0.4 + 0.6 * sideways) * (0.78 + 0.22 * below_lip)
        opening = float(gaps.max()) / g.width
        if opening > 0.22:
            lower_depth = np.minimum(0.06 * g.width, 0.2 * gaps) * min(1.0, (opening - 0.22) / 0.1)
            lower_edge = lower - np.outer(lower_depth, g.down)
            lower_mask = _polygon_mask(np.vstack([lower_edge, (lower + g.down * 2)[::-1]]), size, 0.03 * g.width)
            mask = np.maximum(mask, 0.75 * lower_mask)
        # The gaps between teeth: faint darker lines about a tooth's width apart.
        tooth = 0.2
        phase = np.abs(along) / tooth
        seams = np.clip(1 - np.abs(phase - np.round(phase)) / 0.09, 0, 1) * (np.abs(along) > 0.05)
        brightness = brightness * (1 - 0.18 * cv2.GaussianBlur(seams.astype(np.float32), (0, 0), 0.6))
        return mask * sideways**0.8, white * brightness[..., None]


def _edge_window(region: tuple[int, int, int, int], frame_shape: tuple[int, ...], feather: float) -> np.ndarray:
    """(h, w, 1) float32 over `region`: 0 on its edges, rising smoothly to 1 `feather` pixels inside them; an edge
    on the frame's border (nothing beyond it to tear from) is left at 1."""
    x1, y1, x2, y2 = region
    height, width = frame_shape[:2]
    feather = max(float(feather), 1.0)

    def ramp(size: int, fade_start: bool, fade_end: bool) -> np.ndarray:
        position = np.arange(size, dtype=np.float32) + 0.5
        weight = np.ones(size, dtype=np.float32)
        if fade_start:
            weight = np.minimum(weight, np.clip(position / feather, 0, 1))
        if fade_end:
            weight = np.minimum(weight, np.clip((size - position) / feather, 0, 1))
        return smoothstep(weight)

    across = ramp(x2 - x1, x1 > 0, x2 < width)
    down = ramp(y2 - y1, y1 > 0, y2 < height)
    return (down[:, None] * across[None, :])[..., None]


def _distance_moved(map_x: np.ndarray, map_y: np.ndarray, origin: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: how far (pixels) cv2.remap maps whose top-left pixel is `origin` take each pixel."""
    import cv2

    height, width = map_x.shape
    dx = map_x - (origin[0] + np.arange(width, dtype=np.float32))[None, :]
    dy = map_y - (origin[1] + np.arange(height, dtype=np.float32))[:, None]
    return cv2.magnitude(dx, dy)


def _reaching(reach: float, origin: tuple[int, int], size: tuple[int, int], box: tuple[int, int, int, int]) -> tuple:
    """(x1, y1, x2, y2), in a map's own pixels (its corner at `origin`, (height, width) `size`), outside which
    no pixel moved by at most `reach` lands within a pixel of `box` (frame pixels): there a lookup into `box`
    with a zero border gives exactly zero."""
    x0, y0 = origin
    margin = int(np.ceil(reach)) + 2
    return (
        max(0, box[0] - x0 - margin),
        max(0, box[1] - y0 - margin),
        min(size[1], box[2] - x0 + margin),
        min(size[0], box[3] - y0 + margin),
    )


def jaw_track(shapes: np.ndarray, sigma: float) -> np.ndarray:
    """(n,) the opening the jaw follows: the shapes' opening smoothed by a Gaussian of `sigma` frames."""
    opening = np.asarray(shapes, dtype=np.float32)[:, 0]
    if sigma <= 0 or len(opening) < 2:
        return opening
    radius = max(1, int(round(3 * sigma)))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return np.convolve(np.pad(opening, radius, mode="edge"), kernel / kernel.sum(), mode="valid").astype(np.float32)


def _lip_colour(frame: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """Mean BGR colour of the frame under the outer lip landmarks."""
    lips = np.vstack([lm[list(LIPS_UPPER_OUTER)], lm[list(LIPS_LOWER_OUTER)]]).round().astype(int)
    lips[:, 0] = lips[:, 0].clip(0, frame.shape[1] - 1)
    lips[:, 1] = lips[:, 1].clip(0, frame.shape[0] - 1)
    return frame[lips[:, 1], lips[:, 0]].astype(np.float32).mean(0)


def _no_more_saturated(colour: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """`colour` (BGR) with its departure from grey, relative to its brightness, no larger than `reference`'s: a
    tint takes the picture's own colour (none on a greyscale photo)."""
    grey, reference_grey = float(colour.mean()), max(float(reference.mean()), 1.0)
    limit = float(np.abs(reference - reference_grey).max()) / reference_grey * grey
    spread = float(np.abs(colour - grey).max())
    if spread <= limit:
        return colour
    return (grey + (colour - grey) * (limit / spread)).astype(np.float32)


def _teeth_colour(frame: np.ndarray, lm: np.ndarray, lip: np.ndarray) -> np.ndarray:
    """Off-white in the face's own light: as bright as the eye whites, tinted by the skin of the cheeks."""
    white = _eye_white(frame, lm, lip)
    cheeks = lm[[205, 425, 50, 280]].round().astype(int)
    cheeks[:, 0] = cheeks[:, 0].clip(0, frame.shape[1] - 1)
    cheeks[:, 1] = cheeks[:, 1].clip(0, frame.shape[0] - 1)
    skin = frame[cheeks[:, 1], cheeks[:, 0]].astype(np.float32).mean(0)
    tinted = skin / max(float(skin.mean()), 1.0) * float(white.mean())
    return np.clip(0.55 * white + 0.45 * tinted, 0, 235).astype(np.float32)


EYE_OPENINGS = (
    (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7),
    (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249),
)


def _eye_white(frame: np.ndarray, lm: np.ndarray, lip: np.ndarray) -> np.ndarray:
    """The colour of the whites of the eyes (bright, unsaturated pixels inside the lids), for teeth in the
    face's own light; when the eyes show none (closed, small, a painting), a pale shade of the lips."""
    import cv2

    pixels = []
    for ids in EYE_OPENINGS:
        polygon = lm[list(ids)]
        x1, y1 = np.maximum(np.floor(polygon.min(0)).astype(int), 0)
        x2, y2 = np.ceil(polygon.max(0)).astype(int) + 1
        crop = frame[y1:y2, x1:x2]
        if crop.shape[0] < 2 or crop.shape[1] < 2:
            continue
        mask = np.zeros(crop.shape[:2], dtype=np.uint8)
        cv2.fillPoly(mask, [np.round(polygon - (x1, y1)).astype(np.int32)], 1)
        pixels.append(crop[mask > 0].astype(np.float32))
    fallback = np.clip(lip * 0.35 + 150, 0, 235).astype(np.float32)
    if not pixels:
        return fallback
    pixels = np.vstack(pixels)
    if len(pixels) < 12:
        return fallback
    value = pixels.max(1)
    saturation = (value - pixels.min(1)) / np.maximum(value, 1)
    score = value * (1 - saturation)
    bright = pixels[score >= np.percentile(score, 75)]
    white = bright.mean(0)
    # Teeth are in the mouth's shade: a little darker than eye whites, never brighter than near-white.
    return np.clip(0.5 * (white * 0.92) + 0.5 * np.maximum(white * 0.92, fallback * 0.9), 0, 235).astype(np.float32)


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


def _below_lower_lip(curve: np.ndarray, g: MouthGeometry, size: tuple[int, int]) -> np.ndarray:
    """(h, w, 1) float32 weight of the lower half's warp: 1 below the lower inner lip `curve` (region pixels, from
    corner to corner), 0 above it. The edge is sharp between the corners, where the lips part, and widens past
    them by as much as the distance beyond the corner: there both halves move the cheek, and a sharp join of two
    different moves is a seam across the face."""
    height, width = size
    centre = curve.mean(0)
    along, down = (curve - centre) @ g.right, (curve - centre) @ g.down
    order = np.argsort(along)
    xs = np.arange(width, dtype=np.float32)[None, :] - np.float32(centre[0])
    ys = np.arange(height, dtype=np.float32)[:, None] - np.float32(centre[1])
    u = xs * np.float32(g.right[0]) + ys * np.float32(g.right[1])
    v = xs * np.float32(g.down[0]) + ys * np.float32(g.down[1])
    edge = np.interp(u, along[order], down[order]).astype(np.float32)
    beyond = np.maximum(np.maximum(float(along.min()) - u, u - float(along.max())), 0)
    half_width = 1.5 + beyond
    return smoothstep(np.clip(0.5 + (v - edge) / (2 * half_width), 0, 1))[..., None]


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
        self._jaw: np.ndarray | None = None

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
        self._jaw = jaw_track(self._shapes, self.animator.config.jaw_smoothing)

    def render(
        self, frames: list[np.ndarray], faces: list[Face | None], indices: range, timer: StageTimer, turns: CoreTurns
    ) -> list[np.ndarray]:
        with timer("generator"):
            return [
                frame
                if face is None
                else self.animator.render(frame, face.landmarks, self._shapes[i], jaw=float(self._jaw[i]))
                for frame, face, i in zip(frames, faces, indices)
            ]
