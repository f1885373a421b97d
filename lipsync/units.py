"""The mouth from the person's own frames: unit selection over a video's lower faces ("Video Rewrite").

Every source frame's mouth is indexed (FaceMesh landmarks normalised to the face: lip opening and
width, and the lip and jaw outline) together with a crop of its lower face. For each output frame
a dynamic programme over the best-fitting frames picks the one to show, trading how well its mouth
fits the viseme target against smoothness (runs of consecutive source frames cost nothing, jumps
between unlike mouths cost most). `unit_paste` aligns the chosen lower face (lips, teeth, tongue,
jaw, chin) to the current frame, relights it and blends it in.

A video cut into shots (another person, or the same one framed or lit otherwise) gives each frame
mouths from its own shot only: the library tells the shots apart by the face jumping or changing colour
at once between consecutive frames (`shot_starts`). Frames whose target their shot never shows (a mouth
that never opens) are left to the animator; `SelectionPlan.fallback` says which.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .detail import DetailConfig, laplacian_variance, mouth_region
from .face import (
    LIPS_LOWER_INNER,
    LIPS_LOWER_OUTER,
    LIPS_UPPER_INNER,
    LIPS_UPPER_OUTER,
    LOWER_JAW,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    NOSE_BOTTOM,
    Face,
    landmark_box,
    mouth_opening,
)

STABLE_POINTS = (*NOSE_BOTTOM, 1, 4, 168, 6, 33, 133, 362, 263, 234, 454, 93, 323)
"""Points that do not move when the mouth does: the alignment between two frames of one face."""
SHAPE_POINTS = (
    *LIPS_UPPER_OUTER,
    *LIPS_LOWER_OUTER[1:-1],
    *LIPS_UPPER_INNER[1:-1],
    *LIPS_LOWER_INNER[1:-1],
    *LOWER_JAW,
)


@dataclass(frozen=True)
class UnitConfig:
    index_seconds: float = 20.0
    """The mouths are chosen from the video's first this many seconds (all of a shorter one): indexing
    comes before the first output frame, while the rest is tracked as it is rendered."""
    library_bytes: int = 160 * 1024**2
    """Lower-face crops kept at most; beyond it every other frame is dropped (memory stays flat)."""
    candidates: int = 12
    """Best-fitting source frames (mouth and head pose together) considered per output frame."""
    open_scale: float = 0.05
    """Target cost: a mismatch of this much opening (mouth widths) costs 1."""
    blur_weight: float = 1.0
    """Target cost of a unit with half the detail (Laplacian variance) of the library's median: sharp frames
    are preferred to ones blurred by motion."""
    rest_weight: float = 8.0
    """Where the mouth should be shut (silence, rest), any opening past the person's closed one costs this many
    times more: a shut mouth is held rather than a nearly shut one run through."""
    closed_percentile: float = 1.0
    """The person's shut mouth is this percentile of their frames' openings (what silence asks for): the 1st lands on
    a shut mouth (0.002-0.006 mouth widths) for talking_woman_30fps, shut in 11 of its 346 shown frames (3.2%), where
    the 3rd lands on parted lips with teeth showing (0.049, and 0.083 on the same clip darkened: two blurred frames
    read as parted)."""
    width_weight: float = 0.5
    jump_cost: float = 1.4
    """Cost of showing a source frame that does not follow the previous one."""
    hold_cost: float = 0.35
    """Cost of showing the same source frame twice in a row."""
    turn_cost: float = 0.7
    """Cost of stepping back to the source frame just shown: the person's frames play forward or backward for free,
    but turning round at every frame (a, b, a, b) makes the mouth flutter. Above `hold_cost`, so that fluttering never
    beats holding a frame; under `jump_cost`, as a turn keeps the picture continuous. Before it, 41-63 of the 243-302
    frames of the shared clips' outputs (eval_lipsync_offline.py) turned round; with it 3-6."""
    shape_weight: float = 0.6
    """Extra jump cost per unit of mouth-outline difference."""
    reference_open: float = 0.35
    """Opening (inner-lip gap over mouth width) of a typical speaker's wide-open vowel, at target open = 1."""
    missing_open: float = 0.1
    """A frame falls back to the animator when the opening its target asks for (open x `reference_open`)
    exceeds the widest the video shows by this many mouth widths."""
    pose_scale: float = 0.012
    """Target cost: a unit whose stable points miss the frame's by this much (face widths, RMS) costs 1."""
    cut_colour: float = 20.0
    """A new shot starts where the face's mean colour changes by more than this (0-255, in any channel) from one
    frame with a face to the next, and its shape by more than `cut_shape`: within the shared clips' shots the colour
    changes by 6.6 at most, where talking_man cuts to talking_woman by 74 ..."""
    cut_shape: float = 0.02
    """... (the face's landmarks, centred and scaled by its width, moving by this much on average: 0.063 at that cut,
    0.0014 where a light is switched on in one shot, which changes the colour by 32; within the shots up to 0.043,
    quick turns, where the colour does not jump) ..."""
    cut_scale: float = 0.25
    """... or where the face's width changes by more than this share (within the shared clips: 5.5% at most) ..."""
    cut_move: float = 0.6
    """... or where it moves by more than this many face widths (within the shared clips: 0.34 at most, the
    glasses clip's quick turns; 0.28 at the cut above, which its colour tells)."""


@dataclass
class MouthUnit:
    """One indexed source frame: its lower-face crop, landmarks, and mouth measures."""

    index: int
    crop: np.ndarray
    origin: np.ndarray
    """(x, y) of the crop's corner in the source frame."""
    landmarks: np.ndarray
    opening: float
    width: float
    """Mouth width over face width."""
    shape: np.ndarray
    """The lip and jaw outline, normalised (centred on the mouth, rotated upright, in face widths)."""
    detail: float = 0.0
    """Laplacian variance of its mouth region in its own frame (the detail a pasted copy should keep)."""
    depth: np.ndarray | None = None
    """Its landmarks' depths (Face.depth), which let it be turned to another head pose; None if unknown."""


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(origin, rotation 2x2, face width): the face's own frame, from the eye corners and the nose."""
    lm = landmarks.astype(np.float64)
    eyes = lm[[33, 133]].mean(0), lm[[362, 263]].mean(0)
    axis = eyes[1] - eyes[0]
    width = float(np.linalg.norm(lm[454] - lm[234]))
    angle = np.arctan2(axis[1], axis[0])
    c, s = np.cos(angle), np.sin(angle)
    return lm[list(NOSE_BOTTOM)].mean(0), np.array([[c, s], [-s, c]]), max(width, 1.0)


def mouth_measures(landmarks: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(opening, mouth width / face width, normalised lip and jaw outline) of one face."""
    origin, rotation, width = face_frame(landmarks)
    lm = landmarks.astype(np.float64)
    shape = ((lm[list(SHAPE_POINTS)] - origin) @ rotation.T) / width
    mouth = float(np.linalg.norm(lm[MOUTH_RIGHT] - lm[MOUTH_LEFT])) / width
    return mouth_opening(landmarks), mouth, shape.astype(np.float32)


def face_look(frame: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(x, y, width, blue, green, red, shape...): the face's middle and width (pixels), its mean colour (every 4th
    pixel of its box) and its landmarks centred and scaled by its width, which a cut to another shot changes at
    once."""
    x1, y1, x2, y2 = landmark_box(landmarks)
    height, width = frame.shape[:2]
    left, top = min(max(int(x1), 0), width - 1), min(max(int(y1), 0), height - 1)
    right, bottom = max(int(np.ceil(x2)), left + 1), max(int(np.ceil(y2)), top + 1)
    colour = frame[top:bottom:4, left:right:4].reshape(-1, 3).mean(0)
    _, _, face_width = face_frame(landmarks)
    points = landmarks[:, :2]
    shape = (points - points.mean(0)) / face_width
    return np.concatenate([[(x1 + x2) / 2, (y1 + y2) / 2, face_width], colour, shape.ravel()])


def is_cut(before: np.ndarray, after: np.ndarray, config: UnitConfig = UnitConfig()) -> bool:
    """Whether two consecutive faces' `face_look`s belong to different shots (a cut between them)."""
    moved = float(np.hypot(*(after[:2] - before[:2]))) / before[2]
    scaled = abs(float(np.log(after[2] / before[2])))
    recoloured = float(np.abs(after[3:6] - before[3:6]).max())
    reshaped = float(np.linalg.norm((after[6:] - before[6:]).reshape(-1, 2), axis=1).mean())
    return (
        (recoloured > config.cut_colour and reshaped > config.cut_shape)
        or scaled > np.log1p(config.cut_scale)
        or moved > config.cut_move
    )


def lower_face_box(landmarks: np.ndarray, frame_shape: tuple[int, ...], margin: float) -> tuple[int, int, int, int]:
    """Box around the lower face (nose to below the chin, cheek to cheek) plus `margin` face widths."""
    lm = landmarks
    points = lm[[*LOWER_JAW, *NOSE_BOTTOM, 234, 454]]
    width = float(np.ptp(points[:, 0]))
    x1, y1 = points.min(0) - margin * width
    x2, y2 = points.max(0) + margin * width
    height, frame_width = frame_shape[:2]
    return int(max(0, x1)), int(max(0, y1)), int(min(frame_width, np.ceil(x2))), int(min(height, np.ceil(y2)))


class MouthLibrary:
    """The indexed source frames, thinned to every 2nd, 4th, ... when their crops outgrow `library_bytes`."""

    def __init__(self, config: UnitConfig = UnitConfig()):
        self.config = config
        self.units: list[MouthUnit] = []
        """In the order of their source frames, however they were added."""
        self.stride = 1
        self._bytes = 0
        self._faces: dict[int, tuple[np.ndarray, float]] = {}
        self._looks: dict[int, np.ndarray] = {}
        """Each source frame's `face_look`, which tells the shots apart."""

    @property
    def seen(self) -> int:
        """Source frames added with a face."""
        return len(self._faces)

    @property
    def largest_motion(self) -> float:
        """Largest landmark displacement from the first indexed face, in face widths (0: a frozen face)."""
        if not self._faces:
            return 0.0
        first = self._faces[min(self._faces)][0]
        return max(float(np.abs(landmarks - first).max()) / width for landmarks, width in self._faces.values())

    def shot_starts(self) -> list[int]:
        """The source frame each shot starts at (the first at 0): where the face's look changes at once from one
        frame with a face to the next (`is_cut`)."""
        indices = sorted(self._looks)
        return [0] + [b for a, b in zip(indices, indices[1:]) if is_cut(self._looks[a], self._looks[b], self.config)]

    @property
    def seen_until(self) -> int:
        """One past the last source frame added with a face (0: none)."""
        return max(self._looks, default=-1) + 1

    def look(self, index: int) -> np.ndarray | None:
        """Source frame `index`'s `face_look` (None: not indexed, or no face)."""
        return self._looks.get(index)

    def add(self, index: int, frame: np.ndarray, face: Face | None) -> None:
        """Source frame `index` and its tracked face (None: none found); frames may come in any order."""
        if face is None:
            return
        lm = face.landmarks
        _, _, width = face_frame(lm)
        self._faces[index] = (lm.copy(), width)
        self._looks[index] = face_look(frame, lm)
        if index % self.stride:
            return
        x1, y1, x2, y2 = lower_face_box(lm, frame.shape, 0.16)
        if x2 - x1 < 8 or y2 - y1 < 8:
            return
        opening, mouth_width, shape = mouth_measures(lm)
        crop = frame[y1:y2, x1:x2].copy()
        mx1, my1, mx2, my2 = mouth_region(lm, frame.shape, DetailConfig().margin)
        detail = laplacian_variance(frame[my1:my2, mx1:mx2])
        bisect.insort(
            self.units,
            MouthUnit(
                index,
                crop,
                np.array([x1, y1], np.float64),
                lm.copy(),
                opening,
                mouth_width,
                shape,
                detail,
                None if face.depth is None else face.depth.copy(),
            ),
            key=lambda unit: unit.index,
        )
        self._bytes += crop.nbytes
        while self._bytes > self.config.library_bytes and len(self.units) > 1:
            self.stride *= 2
            self.units = [u for u in self.units if u.index % self.stride == 0]
            self._bytes = sum(u.crop.nbytes for u in self.units)


@dataclass(frozen=True)
class SelectionPlan:
    chosen: np.ndarray
    """(n_frames,) index into the library's units, -1 where the animator draws the mouth."""

    @property
    def fallback(self) -> np.ndarray:
        return self.chosen < 0


def pose_mismatch(units: list[MouthUnit], backgrounds: list[Face | None]) -> np.ndarray:
    """(n_frames, n_units): how far each unit's face is from each output frame's after the best similarity
    transform (RMS over the stable points, in face widths): out-of-plane turns that no alignment removes."""
    stable = list(STABLE_POINTS)
    unit_points = np.stack([u.landmarks[stable] for u in units]).astype(np.float64)  # (U, P, 2)
    mismatch = np.zeros((len(backgrounds), len(units)))
    u_centred = unit_points - unit_points.mean(1, keepdims=True)
    u_norm = (u_centred**2).sum((1, 2))
    for t, face in enumerate(backgrounds):
        if face is None:
            continue
        target = face.landmarks[stable].astype(np.float64)
        t_centred = target - target.mean(0)
        a = (u_centred * t_centred).sum((1, 2)) / np.maximum(u_norm, 1e-9)
        b = (u_centred[..., 0] * t_centred[:, 1] - u_centred[..., 1] * t_centred[:, 0]).sum(1) / np.maximum(
            u_norm, 1e-9
        )
        fitted_x = a[:, None] * u_centred[..., 0] - b[:, None] * u_centred[..., 1]
        fitted_y = b[:, None] * u_centred[..., 0] + a[:, None] * u_centred[..., 1]
        residual = (fitted_x - t_centred[:, 0]) ** 2 + (fitted_y - t_centred[:, 1]) ** 2
        width = max(float(np.ptp(target[:, 0])), 1.0)
        mismatch[t] = np.sqrt(residual.mean(1)) / width
    return mismatch


def plan_selection(
    units: list[MouthUnit],
    shapes: np.ndarray,
    config: UnitConfig = UnitConfig(),
    backgrounds: list[Face | None] | None = None,
    shots: tuple[np.ndarray, np.ndarray] | None = None,
) -> SelectionPlan:
    """Choose a unit per output frame for the (n, 3) (open, wide, round) targets: Viterbi over candidates.

    `backgrounds`, the face each output frame shows, adds the cost of a unit whose head is turned otherwise.
    `shots`, (the shot of each output frame, the shot of each unit), lets a frame take only its own shot's
    units, fitted to that shot's range of mouths; a frame whose shot has none falls back to the animator.
    """
    n = len(shapes)
    if not units or n == 0:
        return SelectionPlan(np.full(n, -1, dtype=np.int64))
    frame_shots, unit_shots = shots if shots is not None else (np.zeros(n, np.int64), np.zeros(len(units), np.int64))
    outlines = np.stack([u.shape.ravel() for u in units])
    indices = np.array([u.index for u in units])
    cost = np.zeros((n, len(units)))  # a frame whose shot has no units: any, as the animator draws it
    missing = np.ones(n, dtype=bool)
    for shot in np.unique(frame_shots):
        rows, columns = np.flatnonzero(frame_shots == shot), np.flatnonzero(unit_shots == shot)
        if len(columns):
            fit, missing[rows] = target_cost([units[j] for j in columns], shapes[rows], config)
            cost[rows] = np.inf  # another shot's units
            cost[np.ix_(rows, columns)] = fit
    k = min(config.candidates, len(units))
    if backgrounds is not None and len(backgrounds) >= n:
        cost = cost + (pose_mismatch(units, backgrounds[:n]) / config.pose_scale) ** 2
    candidates = np.argsort(cost, axis=1)[:, :k]  # the best fits of mouth and head pose together
    local = np.take_along_axis(cost, candidates, axis=1)
    stride = max(1, int(np.median(np.diff(np.sort(indices))))) if len(indices) > 1 else 1
    # States are (candidate, direction of play): 0 forward, 1 backward, so that turning round can cost.
    total = np.repeat(local[0], 2)
    back = np.zeros((n, 2 * k), dtype=np.int64)
    for t in range(1, n):
        prev, cur = candidates[t - 1], candidates[t]
        follows = indices[cur][None, :] - indices[prev][:, None]
        distance = np.sqrt(((outlines[prev][:, None, :] - outlines[cur][None, :, :]) ** 2).mean(-1))
        jump = config.jump_cost + config.shape_weight * distance / max(float(outlines.std()), 1e-6)
        unplayed = np.where(follows == 0, config.hold_cost, jump)
        played = np.where(follows == stride, 0, np.where(follows == -stride, 1, -1))  # the step's direction, if one
        transition = np.empty((k, 2, k, 2))
        for before in (0, 1):
            for after in (0, 1):
                stepped = np.where(played == after, np.where(played == before, 0.0, config.turn_cost), np.inf)
                transition[:, before, :, after] = np.where(played < 0, unplayed, stepped)
        step = total[:, None] + transition.reshape(2 * k, 2 * k)
        back[t] = np.argmin(step, axis=0)
        total = step[back[t], np.arange(2 * k)] + np.repeat(local[t], 2)
    path = np.empty(n, dtype=np.int64)
    j = int(np.argmin(total))
    for t in range(n - 1, -1, -1):
        path[t] = candidates[t, j // 2]
        j = back[t, j]
    path[missing] = -1
    return SelectionPlan(path)


def target_cost(units: list[MouthUnit], shapes: np.ndarray, config: UnitConfig) -> tuple[np.ndarray, np.ndarray]:
    """((n, units) cost of each unit's mouth for each (open, wide, round) target, (n,) whether the target asks
    for a mouth wider open than any of them): fitted to the units' own range (one person in one shot)."""
    openings = np.array([u.opening for u in units])
    widths = np.array([u.width for u in units])
    # The person's own range: shut is their most closed frames, fully open their widest 5%, spread and pursed
    # their widths' extremes.
    closed = float(np.percentile(openings, config.closed_percentile))
    widest = float(np.percentile(openings, 95))
    top = max(widest, closed + 0.02)
    w_mid = float(np.median(widths))
    w_wide = max(float(np.percentile(widths, 95)), w_mid + 1e-3)
    w_narrow = min(float(np.percentile(widths, 5)), w_mid - 1e-3)
    target_open = closed + shapes[:, 0] * (top - closed)
    target_width = w_mid + shapes[:, 1] * (w_wide - w_mid) - shapes[:, 2] * (w_mid - w_narrow)
    w_scale = max(w_wide - w_narrow, 1e-3) / 2
    cost = ((openings[None, :] - target_open[:, None]) / config.open_scale) ** 2 + config.width_weight * (
        (widths[None, :] - target_width[:, None]) / w_scale
    ) ** 2
    details = np.array([u.detail for u in units])
    if details.max() > 0:
        blurred = np.maximum(np.log2(max(float(np.median(details)), 1e-6) / np.maximum(details, 1e-6)), 0.0)
        cost = cost + config.blur_weight * blurred[None, :] ** 2
    resting = shapes[:, 0] < 0.02
    excess = np.maximum(openings - closed, 0.0) / config.open_scale
    cost[resting] += (config.rest_weight - 1) * excess[None, :] ** 2
    missing = shapes[:, 0] * config.reference_open > float(openings.max()) + config.missing_open
    return cost, missing
