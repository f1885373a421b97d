"""Pasting a chosen source frame's lower face into the current frame, with no visible seam.

The unit's lower face (lips, teeth, jaw, chin) is aligned to the current face by a similarity
transform of the stable points, then given the current frame's light: a smooth gain field, the ratio
of the current frame's colours to the unit's on a ring around the mask edge (normalised convolution,
so it varies across the face as the light does), multiplies the patch. Its mouth region is sharpened
back to the detail it has in its own frame (`detail`). The mask is the hull of both lower faces,
feathered wide at the jaw, kept inside the cheeks, tight under the nose and fully opaque over both
mouths, so the wide feather never mixes two mouths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detail import DetailConfig, ellipse_window, mouth_region, unsharp, unsharp_gain
from .face import LIPS_LOWER_OUTER, LIPS_UPPER_OUTER, LOWER_JAW, NOSE_BOTTOM, Face, with_depth
from .units import STABLE_POINTS, MouthUnit, face_frame

MOUTH_OUTLINE = (*LIPS_UPPER_OUTER, *LIPS_LOWER_OUTER[1:-1])


@dataclass(frozen=True)
class PasteConfig:
    feather: float = 0.06
    """Blur of the mask edge at the jaw and the cheeks, in face widths."""
    reach_below_chin: float = 0.02
    """The mask goes this far past the jaw line (face widths), so a moved chin comes with its outline."""
    side_inset: float = 0.06
    """The mask's sides are taken this far (face widths) inside the cheeks' outline."""
    unit_chin: float = 0.6
    """Of the unit's outline, the points within this share of the face's half width from the mouth (its chin)
    join the mask; its cheeks would bring its own background along when its head is turned otherwise."""
    nose_ramp: float = 0.03
    """Under the nose the mask rises from 0 to full over this many face widths (the nose stays the frame's)."""
    mouth_margin: float = 0.12
    """Both mouths, grown by this many face widths, are pasted whole (no mix of two mouths)."""
    ring: tuple[float, float] = (0.05, 0.8)
    """The colours are matched where the mask is between these values (its feathered edge)."""
    light_sigma: float = 0.15
    """Smoothness of the gain field, in face widths: the light varies slowly across a face."""
    max_gain: float = 1.2
    """The gain field is limited to this factor either way of the face's light (the ring's median ratio)."""
    detail_boost: float = 1.0
    """The pasted mouth region is sharpened back to this times the detail it has in its own frame
    (resampling softens it); 1: a frame pasted onto itself stays as it is."""
    turn_sigma: float = 0.04
    """A unit turned to the frame's head pose in 3-D moves its landmarks by offsets spread over this many face
    widths (Gaussian) to move its picture along."""
    detail: DetailConfig = DetailConfig()


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """2x3 least-squares similarity (rotation, uniform scale, shift) taking `source` points onto `target`."""
    s_mean, t_mean = source.mean(0), target.mean(0)
    s, t = source - s_mean, target - t_mean
    denominator = max(float((s**2).sum()), 1e-9)
    a = float((s * t).sum()) / denominator
    b = float((s[:, 0] * t[:, 1] - s[:, 1] * t[:, 0]).sum()) / denominator
    rotation = np.array([[a, -b], [b, a]])
    return np.hstack([rotation, (t_mean - rotation @ s_mean)[:, None]])


def similarity_3d(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(scale, 3x3 rotation, shift) taking the (n, 3) `source` points onto `target` by least squares (Umeyama)."""
    s_mean, t_mean = source.mean(0), target.mean(0)
    s, t = source - s_mean, target - t_mean
    u, sigma, vt = np.linalg.svd(t.T @ s)
    signs = np.array([1.0, 1.0, np.sign(np.linalg.det(u @ vt)) or 1.0])
    rotation = (u * signs) @ vt
    scale = float((sigma * signs).sum() / max(float((s**2).sum()), 1e-9))
    return scale, rotation, t_mean - scale * rotation @ s_mean


def turned_landmarks(face: Face, unit: MouthUnit) -> np.ndarray | None:
    """`unit`'s landmarks (x, y) as its face would show them turned to `face`'s head pose: a 3-D similarity
    of the stable points, then dropping depth. None when either has no depth."""
    points, unit_points = face.points_3d, with_depth(unit.landmarks, unit.depth)
    if points is None or unit_points is None:
        return None
    stable = list(STABLE_POINTS)
    scale, rotation, shift = similarity_3d(unit_points[stable].astype(np.float64), points[stable].astype(np.float64))
    return (scale * unit_points.astype(np.float64) @ rotation.T + shift)[:, :2]


def paste_unit(
    frame: np.ndarray, face: Face, unit: MouthUnit, config: PasteConfig = PasteConfig(), in_place: bool = False
) -> np.ndarray:
    """A copy of `frame` (`frame` itself, changed, when `in_place`) with `unit`'s lower face aligned onto
    `face`, relit and blended in.

    With depths for both (a tracked video), the unit is turned to the frame's head pose in 3-D and its
    picture follows its landmarks (`turned_map`): a head thrown back or turned aside gets a lower face seen
    nearer its own angle, not a frontal one with a second jaw line."""
    import cv2

    lm = face.landmarks.astype(np.float64)
    transform = similarity_transform(unit.landmarks[list(STABLE_POINTS)].astype(np.float64), lm[list(STABLE_POINTS)])
    turned = turned_landmarks(face, unit)
    moved = turned if turned is not None else unit.landmarks.astype(np.float64) @ transform[:, :2].T + transform[:, 2]
    _, _, face_width = face_frame(lm)
    outline = np.vstack([lm[[*LOWER_JAW, *NOSE_BOTTOM]], moved[[*LOWER_JAW, *NOSE_BOTTOM]]])
    height, width = frame.shape[:2]
    pad = (config.feather * 2.5 + config.reach_below_chin) * face_width
    x1, y1 = np.maximum(np.floor(outline.min(0) - pad), 0).astype(int)
    x2, y2 = np.minimum(np.ceil(outline.max(0) + pad), (width, height)).astype(int)
    if x2 - x1 < 8 or y2 - y1 < 8:
        return frame
    corner = np.array([x1, y1], dtype=np.float64)
    # The crop's pixels, in the box's coordinates.
    to_box = transform.copy()
    to_box[:, 2] += transform[:, :2] @ unit.origin - corner
    size = (y2 - y1, x2 - x1)
    small_size, scale = mask_grid(size)
    if turned is None:
        patch = cv2.warpAffine(unit.crop, to_box, size[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        small_transform = np.hstack([to_box[:, :2], to_box[:, 2:] * scale])
        crop_size = (max(1, round(unit.crop.shape[0] * scale)), max(1, round(unit.crop.shape[1] * scale)))
        inside = cv2.warpAffine(
            np.full(crop_size, 255, np.uint8), small_transform, small_size[::-1], flags=cv2.INTER_NEAREST
        )
    else:
        map_x, map_y, inside = turned_map(
            to_box, unit.landmarks - unit.origin, moved - corner, unit.crop.shape, size, face_width, config
        )
        patch = cv2.remap(unit.crop, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    patch = patch.astype(np.float32)
    mouths = (lm[list(MOUTH_OUTLINE)] - corner, moved[list(MOUTH_OUTLINE)] - corner)
    mask, small = unit_lower_face_mask(
        outline - corner, mouths, lm[list(NOSE_BOTTOM)] - corner, face_width, config, patch, inside
    )
    original = frame[y1:y2, x1:x2].astype(np.float32)
    light = gain_field(original, patch, small, face_width, config)
    # The patch shows only where the mask is above zero (elsewhere the frame stays exactly as it is):
    # the rest of the work is done over that part of the box, and the mouth region sharpened there.
    r1, r2, c1, c2 = _support(mask)
    mouth_box = None
    if unit.detail > 0 and config.detail_boost > 0:
        mouth_box = mouth_region(moved - corner, patch.shape, config.detail.margin)
        r1, r2 = min(r1, mouth_box[1]), max(r2, mouth_box[3])
        c1, c2 = min(c1, mouth_box[0]), max(c2, mouth_box[2])
    result = frame if in_place else frame.copy()
    if r2 <= r1 or c2 <= c1:
        return result
    patch = patch[r1:r2, c1:c2]
    patch *= light[r1:r2, c1:c2] if light.shape[0] > 1 else light
    if mouth_box is not None:
        mx1, my1, mx2, my2 = mouth_box[0] - c1, mouth_box[1] - r1, mouth_box[2] - c1, mouth_box[3] - r1
        mouth = patch[my1:my2, mx1:mx2]
        gain = unsharp_gain(mouth, unit.detail * config.detail_boost, config.detail)
        if abs(gain) >= 1e-3:
            patch[my1:my2, mx1:mx2] = mouth + (unsharp(mouth, gain, config.detail.blur) - mouth) * ellipse_window(
                mouth.shape
            )
    # original + (patch - original) * mask, rounded: computed in the patch's own memory.
    original = original[r1:r2, c1:c2]
    np.subtract(patch, original, out=patch)
    np.multiply(patch, mask[r1:r2, c1:c2, None], out=patch)
    np.add(patch, original, out=patch)
    np.add(patch, 0.5, out=patch)
    np.clip(patch, 0, 255, out=patch)
    np.copyto(result[y1 + r1 : y1 + r2, x1 + c1 : x1 + c2], patch, casting="unsafe")
    return result


def _support(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(first row, end row, first column, end column) of the box holding every nonzero value of `mask`."""
    rows = np.flatnonzero(mask.max(1) > 0)
    if len(rows) == 0:
        return 0, 0, 0, 0
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].max(0) > 0)
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def mask_grid(size: tuple[int, int]) -> tuple[tuple[int, int], float]:
    """((rows, columns), scale) of the grid the mask is drawn on for a box of `size`: a quarter of it, as
    the mask is smooth anyway (small boxes at full size)."""
    scale = 0.25 if min(size) >= 64 else 1.0
    return (max(1, round(size[0] * scale)), max(1, round(size[1] * scale))), scale


def turned_map(
    to_box: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    crop_shape: tuple[int, ...],
    size: tuple[int, int],
    face_width: float,
    config: PasteConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(map x, map y, inside): for each pixel of a box of `size`, where to read the crop (`cv2.remap`) so that
    its landmarks `source` land near `target` (box coordinates): the inverse of the similarity `to_box`
    (crop -> box), plus the landmarks' remaining offsets spread smoothly (normalised convolution, width
    `turn_sigma` face widths; a turn of the head moves neighbouring points alike). Computed on the mask's
    grid and scaled up; `inside`, on that grid, is 255 where the read falls within the crop."""
    import cv2

    (rows, cols), scale = mask_grid(size)
    inverse = cv2.invertAffineTransform(to_box)
    # The pixel centres that cv2.resize reads the small grid at, for any rounding of its size.
    gx = (np.arange(cols) + 0.5) * size[1] / cols - 0.5
    gy = (np.arange(rows) + 0.5) * size[0] / rows - 0.5
    grid = np.stack(np.meshgrid(gx, gy), -1).astype(np.float32)
    base = grid @ inverse[:, :2].T.astype(np.float32) + inverse[:, 2].astype(np.float32)
    offsets = source - (target @ inverse[:, :2].T + inverse[:, 2])
    cells = np.round((target + 0.5) * (cols / size[1], rows / size[0]) - 0.5).astype(int)
    keep = (cells[:, 0] >= 0) & (cells[:, 0] < cols) & (cells[:, 1] >= 0) & (cells[:, 1] < rows)
    total = np.zeros((rows, cols, 3), np.float32)
    np.add.at(total, (cells[keep, 1], cells[keep, 0]), np.column_stack([offsets[keep], np.ones(int(keep.sum()))]))
    sigma = max(config.turn_sigma * face_width * cols / size[1], 0.5)
    total = cv2.GaussianBlur(total, (0, 0), sigma)
    weight = total[..., 2:]
    floor = 1e-3 * max(float(weight.max()), 1e-6)
    # Far from every landmark the offset fades to none (the similarity alone).
    small = base + total[..., :2] / (weight + floor) * (weight / (weight + floor))
    height, width = crop_shape[:2]
    inside = (small[..., 0] >= 0) & (small[..., 0] <= width - 1) & (small[..., 1] >= 0) & (small[..., 1] <= height - 1)
    full = cv2.resize(small, (size[1], size[0]), interpolation=cv2.INTER_LINEAR) if scale != 1.0 else small
    return full[..., 0], full[..., 1], inside.astype(np.uint8) * 255


def unit_lower_face_mask(
    points: np.ndarray,
    mouths: tuple[np.ndarray, np.ndarray],
    nose: np.ndarray,
    face_width: float,
    config: PasteConfig,
    like: np.ndarray,
    inside: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(mask, its edge at a quarter of the size) over `like`'s box: the mask is the feathered hull of both
    lower faces, stretched a little past the chin, rising under the nose, opaque over both mouths; the edge
    is the same without the rise under the nose (the ring colours are matched on). `inside` (255 where the
    warped crop has pixels of its own, on the `mask_grid`) keeps the mask there."""
    import cv2

    size = like.shape[:2]
    small, scale = mask_grid(size)
    hull = cv2.convexHull(np.round(_mask_outline(points, mouths, face_width, config) * scale * 16).astype(np.int32))
    mask = np.zeros(small, dtype=np.uint8)
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_AA, 4)
    mask = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), max(config.feather * face_width * scale, 0.5))
    core = np.zeros(small, dtype=np.uint8)
    margin = config.mouth_margin * face_width
    for mouth in mouths:
        middle = mouth.mean(0)
        spread = (
            mouth + (mouth - middle) / np.maximum(np.linalg.norm(mouth - middle, axis=1, keepdims=True), 1.0) * margin
        )
        cv2.fillConvexPoly(core, cv2.convexHull(np.round(spread * scale * 16).astype(np.int32)), 255, cv2.LINE_AA, 4)
    # Soft outside the grown mouths, fully opaque inside them.
    core = np.minimum(2 * cv2.GaussianBlur(core.astype(np.float32) / 255, (0, 0), max(0.25 * margin * scale, 0.5)), 1)
    mask = np.maximum(mask, core)
    edge = mask.copy()
    # Under the nose the current frame's nose stays: the mask rises from its bottom down.
    rows = (np.arange(small[0], dtype=np.float32) + 0.5) / scale
    ramp = max(config.nose_ramp * face_width, 1.0)
    mask *= np.clip((rows - float(nose[:, 1].max()) + 0.5 * ramp) / ramp, 0, 1)[:, None]
    if inside is not None:
        mask *= _coverage(inside, face_width * scale)
    # The colours are matched on the feathered edge at the jaw and the cheeks, not under the nose.
    edge *= np.clip((rows - float(nose[:, 1].max()) - ramp) / ramp, 0, 1)[:, None]
    full = cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_LINEAR) if scale != 1.0 else mask
    return full, edge


def _coverage(inside: np.ndarray, face_width: float) -> np.ndarray:
    """(h, w) 1 where `inside` (uint8, 255 where the warped crop has pixels of its own), falling softly to 0
    before its border."""
    import cv2

    reach = max(1, int(round(0.02 * face_width)))
    inside = cv2.erode(inside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    return cv2.GaussianBlur(inside.astype(np.float32) / 255, (0, 0), max(reach / 2, 0.5))


def _mask_outline(
    points: np.ndarray, mouths: tuple[np.ndarray, np.ndarray], face_width: float, config: PasteConfig
) -> np.ndarray:
    """`points`: the frame's lower-face outline, then the unit's (as many), as the mask's outline: in the face's
    upright frame about the mouth, the frame's whole and the unit's chin (within `unit_chin` of the half width),
    taken `side_inset` face widths in at the cheeks (a head turned a little otherwise shows the face's edge
    against the background twice) and pushed `reach_below_chin` down below the mouth (a moved chin comes
    with its outline)."""
    mouth = np.vstack(mouths)
    centre = mouth.mean(0)
    axis = mouth[np.argmax(mouth[:, 0])] - mouth[np.argmin(mouth[:, 0])]
    right = axis / max(float(np.linalg.norm(axis)), 1e-6)
    down = np.array([-right[1], right[0]])
    along, below = (points - centre) @ right, (points - centre) @ down
    # The frame's own outline whole; of the unit's, only its chin (its cheeks would bring its background).
    half = len(points) // 2
    chin = np.abs(along[half:]) <= config.unit_chin * float(np.abs(along[:half]).max())
    keep = np.concatenate([np.ones(half, dtype=bool), chin & (below[half:] > 0)])
    along, below = along[keep], below[keep]
    along = np.sign(along) * np.maximum(np.abs(along) - config.side_inset * face_width, 0.0)
    deepest = max(float(below.max()), 1.0)
    below = below + config.reach_below_chin * face_width * np.clip(below / deepest, 0, 1)
    return centre + np.outer(along, right) + np.outer(below, down)


def gain_field(
    original: np.ndarray, patch: np.ndarray, small_mask: np.ndarray, face_width: float, config: PasteConfig
) -> np.ndarray:
    """(h, w, 3) per-channel gain taking `patch`'s light to `original`'s: the ratio of their colours on the
    mask's feathered edge, spread smoothly over the box (normalised convolution at a quarter of the size or
    less)."""
    import cv2

    size = original.shape[:2]
    small = small_mask.shape[::-1]
    scale = small[0] / size[1]
    lo, hi = config.ring
    ring = ((small_mask > lo) & (small_mask < hi)).astype(np.float32)
    if ring.sum() < 4:
        return np.ones((1, 1, 3), np.float32)
    # Linear shrinking is enough: the ratio is blurred far more than it aliases.
    o = cv2.resize(original, small, interpolation=cv2.INTER_LINEAR)
    p = cv2.resize(patch, small, interpolation=cv2.INTER_LINEAR)
    # The face's light, however far it changed (a fade, a light switched off): the ring's median ratio.
    light = ring_light(o, p, ring > 0)
    # Only where both show the same thing (skin on skin) once relit: hair or background in one of them is not light.
    alike = np.abs(np.log((o + 8) / (p * light + 8))).max(-1) < np.log(config.max_gain * 1.1)
    ring *= alike
    if ring.sum() < 4:
        return np.broadcast_to(light, (1, 1, 3)).astype(np.float32)
    sigma = max(config.light_sigma * face_width * scale, 0.5)
    weight = ring[..., None]
    lit, unlit = o * weight, p * weight
    # Far from the ring, the whole ring's ratio (the face's light) rather than 1.
    eps = 1e-3
    floor_lit = eps * (lit.sum((0, 1)) + 1.0) / ring.sum()
    floor_unlit = eps * (unlit.sum((0, 1)) + 1.0) / ring.sum()
    while sigma > 4 and min(lit.shape[:2]) >= 16:  # a wide blur is as good, and cheaper, at half the size
        lit = cv2.resize(lit, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        unlit = cv2.resize(unlit, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        sigma /= 2
    num = cv2.GaussianBlur(lit, (0, 0), sigma) + floor_lit
    den = cv2.GaussianBlur(unlit, (0, 0), sigma) + floor_unlit
    gain = np.clip(num / den, light / config.max_gain, light * config.max_gain).astype(np.float32)
    return cv2.resize(gain, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)


def ring_light(original: np.ndarray, patch: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """(3,) per-channel ratio of `original`'s light to `patch`'s on the `ring` pixels: the median ratio, so hair
    or background on part of the ring does not move it, and a fade or a dimmed light moves it all the way."""
    ratio = np.log((original[ring] + 1.0) / (patch[ring] + 1.0))
    return np.exp(np.median(ratio, axis=0)).astype(np.float32)
