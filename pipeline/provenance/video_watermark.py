"""voxlip's invisible frame mark: a keyed +/- pattern of small colour shifts over blocks of the frame.

Each frame is seen at a canonical height (`canonical_height`, aspect kept) and cut into
`block` x `block` squares; the two chroma channels of each square are shifted by
+/-`strength` levels following signs drawn from a key, smoothly up-sampled to the frame's own size.
The pattern is the same in every frame, which H.264's motion compensation carries for free, and
it is tied to the frame's proportions rather than its pixels, so a resized copy is read at the
same canonical size; a copy cropped by a few pixels or stretched to other proportions is read stretched back
(`FrameMarkConfig.shapes`).

The test, like the audio mark's, correlates the signs with each square's chroma minus its
neighbours' mean, self-normalised: P(z >= t) <= exp(-t^2 / 2) for a frame without the mark. A
video sums the squares over its frames before the test (no independence across frames assumed).
"""

from __future__ import annotations

import functools
import hashlib
import math
import numbers
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np
from PIL import Image

from core.bars import one_colour, picture_box
from core.errors import InputError

from .mark_extent import Window, marked_extent
from .significance import false_positive_bound, needed_z

STRENGTHS = (1.5, 8.0)
"""The strengths a frame mark may be made at, in chroma levels: 16 frames of a photo marked at 1.5 and encoded with
H.264 score z 8.3 (at 2.0, the default, 11.1; at 1.0, 5.7: just over the threshold 5.0); above 8 the score no longer
grows (42), only the change to the picture does. A strength under it, or of the opposite sign, would leave no mark
(minus the strength takes the mark out)."""


@dataclass(frozen=True)
class FrameMarkConfig:
    """The frame mark's pattern and strength; refused at creation if it would leave no mark the detector finds."""

    key: str = "voxlip-frame-mark-v1"
    canonical_height: int = 256
    block: int = 8
    """Square side at the canonical height: 16 pixels of a 512-pixel frame."""
    strength: float = 2.0
    """Chroma shift in 8-bit levels (Cb and Cr, BT.601)."""
    threshold: float = 5.0
    """Detection z-score; the false-positive bound at 5.0 is 4e-6."""
    part_frames: int = 24
    """`find_frame_mark` also tests runs of this many consecutive frames read (even), each overlapping the next by
    half: a video that is voxlip's in part (a clip joined to others) is found there."""
    shapes: tuple[tuple[int, int], ...] = ((1, 1), (4, 3), (3, 4), (16, 9), (9, 16))
    """(width, height) of the frames a copy cropped or stretched to other proportions may have been made at:
    `find_frame_mark` also reads the frames stretched back to each (a 512x512 clip squashed to 16:9 or stretched to
    9:16 had scored z -1.1 and 0.2 at its own shape, 17.1 and 17.3 at 1:1), and one square wider and narrower than
    their own (a square clip 2 pixels narrower is cut into 31 squares, not 32: z 0.3, and 19.8 at 32)."""

    def __post_init__(self) -> None:
        low, high = STRENGTHS
        if (
            isinstance(self.strength, bool)
            or not isinstance(self.strength, numbers.Real)
            or not low <= self.strength <= high
        ):
            raise InputError(
                f"frame mark strength={self.strength!r}: give {low:g} to {high:g} chroma levels, or a mark too weak to "
                "find would be made"
            )


FRAME_MARK = FrameMarkConfig()

_RGB_TO_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])
_YCC_TO_RGB = np.linalg.inv(_RGB_TO_YCC)
_RGB_TO_YCC.setflags(write=False)
_YCC_TO_RGB.setflags(write=False)


@dataclass(frozen=True)
class FrameMarkResult:
    detected: bool
    score: float
    """z-score over all frames read together (about N(0, 1) without the mark)."""
    p_value: float
    frames: int
    frames_detected: int
    """Frames whose own z passes the threshold."""
    needed: float = FRAME_MARK.threshold
    """The z-score the test needed: higher than the threshold where runs of frames were tested too."""
    part: tuple[int, int] | None = None
    """(first, last + 1) of the frames read where only some of them hold the mark (runs of them with a picture score as
    unmarked frames do); None: all of them that have a picture."""
    mirrored: bool = False
    """Found in the frames turned left to right: a mirrored copy."""
    box: tuple[int, int, int, int] | None = None
    """(top, bottom, left, right) of the picture inside bars where only it holds the mark: a video with bars (voxlip
    marks the picture alone), or a letterboxed copy."""
    proportions: float | None = None
    """Width over height of the frames the mark was found in stretched back to, where their own proportions do not
    hold it: a copy cropped by a few pixels, or stretched to other proportions."""

    @property
    def confidence(self) -> float:
        return 1.0 - self.p_value


def _grid(height: int, width: int, config: FrameMarkConfig) -> tuple[int, int]:
    canonical_width = max(config.block, round(width * config.canonical_height / height))
    return config.canonical_height // config.block, canonical_width // config.block


def _signs(grid: tuple[int, int], config: FrameMarkConfig) -> np.ndarray:
    """(2, rows, cols) keyed +/-1, one plane per chroma channel; depends only on the grid's size."""
    digest = hashlib.sha256(f"{config.key}:{grid[0]}x{grid[1]}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    return rng.choice(np.array([-1.0, 1.0]), size=(2, *grid))


def _check_frame(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise InputError(f"frames must be (height, width, 3) uint8 RGB arrays, not {frame.dtype} {frame.shape}")
    if min(frame.shape[:2]) < 16:
        raise InputError(f"a {frame.shape[1]}x{frame.shape[0]} frame is too small to carry the frame mark")
    return frame


def _resize(plane: np.ndarray, size: tuple[int, int], resample: Image.Resampling) -> np.ndarray:
    return np.asarray(Image.fromarray(np.asarray(plane, dtype=np.float32)).resize(size, resample))


def _shift(height: int, width: int, config: FrameMarkConfig) -> np.ndarray:
    """(h, w, 3) int16 RGB change that moves a frame's chroma by the keyed pattern.

    The colour transform is linear, so shifting Cb/Cr and converting back is adding this to RGB;
    rounding it once gives the same pixels as rounding every marked frame (the frame is integer).
    """
    signs = _signs(_grid(height, width, config), config)
    shift = np.zeros((height, width, 3))
    for index, channel in enumerate((1, 2)):
        plane = _resize(signs[index] * config.strength, (width, height), Image.Resampling.BILINEAR)
        shift += plane[..., None] * _YCC_TO_RGB[:, channel]
    return np.rint(shift).astype(np.int16)


def mark_frame(frame: np.ndarray, config: FrameMarkConfig = FRAME_MARK, channels: str = "rgb") -> np.ndarray:
    """`frame` ((h, w, 3) uint8, RGB or `channels="bgr"`) with voxlip's invisible mark."""
    return FrameMarker(config, channels)(frame)


def mark_frames(
    frames: Iterable[np.ndarray], config: FrameMarkConfig = FRAME_MARK, channels: str = "rgb"
) -> Iterator[np.ndarray]:
    """Mark every frame of a sequence, lazily (long videos need not fit in memory)."""
    marker = FrameMarker(config, channels)
    for frame in frames:
        yield marker(frame)


class FrameMarker:
    """Marks frames one at a time; the pattern is computed once per frame size.

    `channels` is "rgb", or "bgr" for OpenCV's frames.
    """

    def __init__(self, config: FrameMarkConfig = FRAME_MARK, channels: str = "rgb"):
        if channels not in ("rgb", "bgr"):
            raise InputError(f"channels must be 'rgb' or 'bgr', not {channels!r}")
        self.config, self.channels = config, channels
        self._steps = functools.lru_cache(maxsize=1)(self._steps_for)

    def _steps_for(self, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        """(raise by, lower by): saturating uint8 adds give the same pixels as clipping frame + shift."""
        shift = _shift(height, width, self.config)
        if self.channels == "bgr":
            shift = shift[..., ::-1]
        return (
            np.ascontiguousarray(np.maximum(shift, 0), dtype=np.uint8),
            np.ascontiguousarray(np.maximum(-shift, 0), dtype=np.uint8),
        )

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        import cv2

        frame = _check_frame(frame)
        raise_by, lower_by = self._steps(*frame.shape[:2])
        return cv2.subtract(cv2.add(np.ascontiguousarray(frame), raise_by), lower_by)


def _shrunk_rows(frame: np.ndarray, config: FrameMarkConfig) -> np.ndarray:
    """(2, rows, width) chroma of `frame` shrunk to its grid's rows of squares, each the mean of its pixels: the costly
    step of cutting it into squares, shared by the grids that cut the rows into more or fewer columns."""
    size = (frame.shape[1], config.canonical_height // config.block)
    # Resizing is linear: the colours are shrunk first and converted once shrunk (less work).
    small = np.stack([_resize(frame[..., c], size, Image.Resampling.BOX) for c in range(3)], -1)
    return np.ascontiguousarray(np.moveaxis(small @ _RGB_TO_YCC[1:].T.astype(np.float32), -1, 0))


def _whitened_blocks(rows_shrunk: np.ndarray, grid: tuple[int, int], config: FrameMarkConfig) -> np.ndarray:
    """(2, rows, cols) chroma of each square of `grid` (a frame's `_shrunk_rows` cut into its columns; a box filter's
    mean of means is the mean of the square's pixels), minus its 4 neighbours' mean."""
    rows, cols = grid
    out = np.empty((2, rows, cols))
    for index in range(2):
        means = _resize(rows_shrunk[index], (cols, rows), Image.Resampling.BOX).astype(np.float64)
        padded = np.pad(means, 1, mode="edge")
        out[index] = means - (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]) / 4
    return out


def _z(blocks: np.ndarray, signs: np.ndarray) -> float:
    norm = math.sqrt(float((blocks**2).sum()))
    return float((blocks * signs).sum()) / norm if norm > 0 else 0.0


def _result(
    score: float,
    tests: int,
    count: int,
    passed: int,
    config: FrameMarkConfig,
    part: tuple[int, int] | None = None,
    mirrored: bool = False,
    box: tuple[int, int, int, int] | None = None,
    proportions: float | None = None,
) -> FrameMarkResult:
    """The verdict on the best of `tests` tests sharing the false-positive budget of one at the threshold."""
    needed = needed_z(config.threshold, tests)
    bound = false_positive_bound(score, tests)
    return FrameMarkResult(score >= needed, score, bound, count, passed, needed, part, mirrored, box, proportions)


def detect_frame_mark(frames: Iterable[np.ndarray], config: FrameMarkConfig = FRAME_MARK) -> FrameMarkResult:
    """Whether frames (one video's, same size) carry voxlip's mark: a z-score over all of them, or where they have bars,
    the better of that and the picture's inside them (where voxlip marks a video with bars)."""
    return find_frame_mark(frames, config, search=False)


class _Totals:
    """One view of the frames (all of each, or the picture inside bars, cut into `grid`): its whitened squares summed,
    with the running sum (and count of frames with a picture) kept every `half` frames (a run's sum is the difference
    of two). A view of the frames stretched to other proportions (`reshaped`) is tested over all of them alone: a copy
    changed so and cut into parts, or mirrored too, is not looked for (each such view would be 2 tests a run more)."""

    def __init__(self, grid: tuple[int, int], box: tuple[int, int, int, int] | None = None, reshaped: bool = False):
        self.grid, self.box, self.reshaped = grid, box, reshaped
        self.signs: np.ndarray | None = None
        self.total: np.ndarray | None = None
        self.sums: list[np.ndarray] = []
        self.pictures = 0
        self.kept_pictures: list[int] = [0]

    def add(self, rows_shrunk: np.ndarray, config: FrameMarkConfig, keep: bool, picture: bool) -> np.ndarray:
        """Add a frame (its view's `_shrunk_rows`); its whitened squares."""
        blocks = _whitened_blocks(rows_shrunk, self.grid, config)
        if self.total is None:
            self.total, self.signs = np.zeros_like(blocks), _signs(self.grid, config)
            self.sums.append(self.total.copy())
        self.total += blocks
        self.pictures += picture
        if keep:
            self.sums.append(self.total.copy())
            self.kept_pictures.append(self.pictures)
        return blocks

    def runs(self, half: int, count: int, mirrored: bool) -> list[Window]:
        """The runs of `2 * half` frames tested (each overlapping the next by half; none where there are fewer than
        three halves), with how many frames of each have a picture; the last one taken to run on to the `count`th
        frame, where the mark is said to lie."""
        if len(self.sums) <= 3:
            return []
        windows = []
        for k in range(len(self.sums) - 2):
            blocks = self.sums[k + 2] - self.sums[k]
            score = _z(blocks[..., ::-1] if mirrored else blocks, self.signs)
            end = count if k == len(self.sums) - 3 else (k + 2) * half
            windows.append(Window(k * half, end, score, self.kept_pictures[k + 2] - self.kept_pictures[k]))
        return windows

    def tests(self, half: int, count: int, whole_tested: bool) -> list[tuple[float, list[Window] | None, bool]]:
        """(z, the runs it is one of or None for all frames, mirrored) of each test of this view, turned left to right
        too."""
        if self.reshaped:
            return [(_z(self.total, self.signs), None, False)]
        tests = []
        for mirrored in (False, True):
            if mirrored or not whole_tested:
                tests.append((_z(self.total[..., ::-1] if mirrored else self.total, self.signs), None, mirrored))
            runs = self.runs(half, count, mirrored)
            tests += [(run.score, runs, mirrored) for run in runs]
        return tests


def _boxed_views(frame: np.ndarray, config: FrameMarkConfig) -> list[_Totals]:
    """Views of the picture inside the frame's bars, if it has any. The bars' edge is found to a pixel or two (a codec
    blurs it), which can tip the grid's width by a square: the squares either side are tried too."""
    box = picture_box(frame)
    if box is None:
        return []
    rows, cols = _grid(box[1] - box[0], box[3] - box[2], config)
    return [_Totals((rows, cols + step), box) for step in (-1, 0, 1) if cols + step >= 1]


def _reshaped_views(height: int, width: int, config: FrameMarkConfig) -> list[_Totals]:
    """Views of the frames stretched to other proportions: one square wider and narrower than their own (a copy
    cropped by a few pixels can lose a square; a frame's width is rounded to whole squares) and `config.shapes`."""
    rows, cols = _grid(height, width, config)
    tried = {cols - 1, cols + 1} | {_grid(shape[1], shape[0], config)[1] for shape in config.shapes}
    return [_Totals((rows, other), reshaped=True) for other in sorted(tried - {cols}) if other >= 1]


def find_frame_mark(
    frames: Iterable[np.ndarray], config: FrameMarkConfig = FRAME_MARK, *, search: bool = True
) -> FrameMarkResult:
    """Whether frames (one video's, same size) carry voxlip's mark: over all of them together (or the picture inside
    their bars, where voxlip marks a video with bars), and where that fails
    (with `search`), over each run of `config.part_frames` of them (a video that is voxlip's only in part), turned left
    to right (a mirrored copy), over the picture inside bars (a letterboxed copy) and stretched to other proportions (a
    copy cropped by a few pixels, or stretched); the best of those tests."""
    half = config.part_frames // 2
    views: list[_Totals] = []
    count = passed = 0
    boxes_looked_for = False
    for frame in frames:
        frame = _check_frame(frame)
        if not views:
            views = [_Totals(_grid(*frame.shape[:2], config))]
            views += _reshaped_views(*frame.shape[:2], config) if search else []
            size = frame.shape
        elif frame.shape != size:
            raise InputError("all frames of a video must have the same size")
        # what a run of frames is said to hold the mark by; every 4th pixel each way tells (a 16th of the work)
        picture = search and not one_colour(frame[::4, ::4])
        if not boxes_looked_for and count < half and not one_colour(frame):
            # the bars of the first frame with a picture (a copy may open on black, or fade in): the frames before it
            # are one colour, whose whitened squares are 0, so the views' runs of frames line up still
            views += _boxed_views(frame, config)
            boxes_looked_for = True
        keep = search and (count + 1) % half == 0
        shrunk: dict[tuple[int, int, int, int] | None, np.ndarray] = {}  # each picture's rows are shrunk once
        for view in views:
            if view.box not in shrunk:
                top, bottom, left, right = view.box or (0, size[0], 0, size[1])
                shrunk[view.box] = _shrunk_rows(frame[top:bottom, left:right], config)
            blocks = view.add(shrunk[view.box], config, keep, picture)
            if view is views[0]:
                passed += _z(blocks, view.signs) >= config.threshold
        count += 1
    if not views:
        return FrameMarkResult(False, 0.0, 1.0, 0, 0)
    whole = _result(_z(views[0].total, views[0].signs), 1, count, passed, config)
    if not search:  # the whole frames and, where they have bars, the picture inside them: the best, on one budget
        best = max(views, key=lambda view: _z(view.total, view.signs))
        return _result(_z(best.total, best.signs), len(views), count, passed, config, box=best.box)
    if whole.detected:
        return replace(whole, part=_frames_extent(views[0].runs(half, count, mirrored=False)))
    found = [(*test, view) for view in views for test in view.tests(half, count, whole_tested=view is views[0])]
    runs = [test for test in found if not test[2] and test[3] is views[0]]
    copies = [test for test in found if test[2] or test[3] is not views[0]]
    judged = []
    for family in (runs, copies):  # each its own share of the budget: the runs need no more than they did alone
        if family:
            score, windows, mirrored, view = max(family, key=lambda test: test[0])
            part = None
            if windows is not None:  # where the runs cannot tell, the run whose test found it
                run = next(window for window in windows if window.score == score)
                part = _frames_extent(windows, unclear=(run.start, run.end))
            proportions = view.grid[1] / view.grid[0] if view.reshaped else None
            judged.append(_result(score, len(family), count, passed, config, part, mirrored, view.box, proportions))
    detected = [result for result in judged if result.detected]
    return max(detected, key=lambda result: result.score - result.needed) if detected else whole


def _frames_extent(runs: list[Window], unclear: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """(first, last + 1) of the frames read that hold the mark, where runs with pictures score as unmarked frames do
    (`mark_extent`; `unclear` where the runs cannot tell); None: all of them."""
    extent = marked_extent(runs, unclear)
    return None if extent is None else (int(extent[0]), int(extent[1]))
