"""The picture inside bars: a letterboxed or pillarboxed frame's flat bars of one colour along its edges, found.

voxlip draws its label and its frame mark on the picture, not on the bars (cropping the bars off would take both),
and `detect` reads a letterboxed copy's picture; both find the bars here.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

PictureBox = tuple[int, int, int, int]
"""(top, bottom, left, right) of the picture inside a frame's bars, in pixels."""
PictureFraction = tuple[float, float, float, float]
"""(left, top, right, bottom) of the picture inside bars as fractions of the frame's width and height (a face box's
order): the same place in a frame scaled to another size."""
BAR_TOLERANCE = 12
"""Levels a bar's pixels may lie from the corner's colour (any channel): a codec's ringing at the picture's edge."""
BAR_FLATNESS = 1.0
"""The most a bar's pixels may differ from the corner's colour on average, in levels: bars that pad a picture are flat
(0.01-0.05 on the explorer's letterboxed, pillarboxed and framed H.264 clips), a picture's own plain parts are not (a
wall across the top of phone clips: 4.9-5.6; a dark painted background shrunk to 128x171: 2.4; a GIF's grey corners
turned: 2.0)."""


def one_colour(frame: np.ndarray, tolerance: int = BAR_TOLERANCE) -> bool:
    """Whether a frame is all one colour (black before a copy's picture, or as it fades in), to within `tolerance`."""
    return int(np.abs(frame.astype(np.int16) - frame[0, 0]).max()) <= tolerance


def picture_box(frame: np.ndarray, tolerance: int = BAR_TOLERANCE) -> PictureBox | None:
    """(top, bottom, left, right) of the picture inside flat bars of one colour along the frame's edges (a letterboxed
    or pillarboxed frame), or None where there are none: rows and columns within `tolerance` levels of the corner's
    colour all along are bars (within a tenth of the farthest pixel's difference, in a dim frame: a fade from black),
    where they are flat (BAR_FLATNESS) and leave a picture at least 16 pixels each way."""
    frame = np.asarray(frame, dtype=np.int16)
    difference = np.abs(frame - frame[0, 0]).max(axis=2)
    far = difference > min(tolerance, max(2, int(difference.max()) // 10))
    rows, cols = np.flatnonzero(far.any(axis=1)), np.flatnonzero(far.any(axis=0))
    if rows.size == 0:
        return None
    box = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    inner_height, inner_width = box[1] - box[0], box[3] - box[2]
    if (inner_height, inner_width) == frame.shape[:2] or min(inner_height, inner_width) < 16:
        return None
    bars = np.ones(difference.shape, bool)
    bars[box[0] : box[1], box[2] : box[3]] = False
    return box if difference[bars].mean() <= BAR_FLATNESS else None


def picture_in(frames: Iterable[np.ndarray]) -> PictureFraction | None:
    """Where the picture inside bars lies in `frames` (a video's spread over it, or a photo): the smallest box holding
    the picture of each frame that shows one, as fractions of the frame; None where one of them has no bars (a clip
    whose plain edges read as bars in some frames only), or none has a picture."""
    top = left = np.inf
    bottom = right = -np.inf
    size = None
    for frame in frames:
        if one_colour(frame):
            continue
        box = picture_box(frame)
        if box is None:
            return None
        top, bottom, left, right = min(top, box[0]), max(bottom, box[1]), min(left, box[2]), max(right, box[3])
        size = frame.shape[:2]
    if size is None:
        return None
    height, width = size
    return float(left / width), float(top / height), float(right / width), float(bottom / height)
