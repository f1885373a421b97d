"""Does the offline lip-sync follow the speech, look like the source, and does a photo live? Measured on the OUTPUT.

Speech with phone timings comes from espeak-ng (standing in for voxlip's TTS) with silence at both
ends and pauses between sentences; each shared face clip and photo is made to speak it with the
lip-sync engine's offline renderer and those phones. A fresh MediaPipe FaceMesh (static mode: no
tracking, no smoothing, nothing shared with the engine) then measures every output frame.

Hyper-parameters were chosen on the "tune" faces (talking_man_25fps, painting_pearl_earring); the
others are held out.

Printed per face, then over the held-out ones:
- open>bil: for each word holding both an open vowel (aa, ae, aw, ay) and p/b/m, is the mean opening
  on its open-vowel frames larger than on its bilabial frames? Share of such words (goal >= 90%).
- closed: share of frames in silence (no phone within 2 frames) whose opening is under 0.06 mouth
  widths (goal >= 95%).
- lap: mouth-region Laplacian variance of the output over the source's (a video's frames, a photo
  itself) (goal 0.7-1.3).
- hist: Bhattacharyya distance between the colour histograms of the output's open mouths (opening >
  0.12) and the source video's, and in brackets between the source's two halves (goal: no larger).
- seam: mean step of (output - source), blurred by 2 pixels, across the blend boundary (the lower face's
  outline pushed out by 8% of the face width), 0-255 (goal <= 3); videos only (a photo is warped, not
  blended); with the same step of the source merely re-encoded (the noise floor).
- blinks: eye openness under 60% of its median, per 10 s (photos; goal 2-5).
- roll sd: standard deviation of the head's roll, degrees (photos; goal 0.5-3).
- jump: largest frame-to-frame move of the face (median over its outline and nose points, pixels), and
  in brackets that of the unanimated photo repeated as a video (the mesh's own jitter) (photos).
- head: the same over the rigid head only (the outline above the jaw line, and the nose): the jaw line
  is left out because speech moves it (in the shared talking videos the mesh's chin point moves by up to
  7% of the face width from one frame to the next, 99th percentile). In brackets the mesh's jitter on the
  unanimated photo repeated as a video, and on the same photo moved by a random shift of at most
  SHIFT_JITTER pixels a frame: any animation resamples the picture, and an invisible sub-pixel move
  alone makes the mesh's points jump by several times its jitter on identical frames (photos).
  Last, the same on the photo made to speak with `still` (mouth and blinks, no head motion): what the
  mesh's outline does when only the eyes and the mouth move.
- flow: the same largest move measured on the pictures instead of the mesh's points: dense optical flow
  (Farneback) between consecutive frames over the rigid head (the face's outline above the nose, eyes
  left out), the median over that region, in pixels and in % of the face's width. It follows a known
  shift of a photo (0.05-2 pixels) to within 0.05 pixels and stays at 0 on the photo made to speak with
  `still`, whose blinks move the mesh's outline by several times its jitter (printed below the row).
  On a video's output it is the speaker's own head motion (real people); on a photo's, the animation's.
- mesh head move, below the row: the head column's largest move in % of the face's width, for a photo on its
  output, for a video on the source video itself: how far the mesh's head points jump on real speakers.
- colours (videos, below the row): the mean difference, output minus source, over the rows above the eyes, which the
  lip-sync leaves as they were, per channel: what encoding and decoding did to the picture's colours.
- animator: output frames drawn by the animator (a video falls back to it where it never shows the shape).

    .venv/bin/python benchmarks/eval_lipsync_offline.py [--faces DIR] [--keep DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from common import run_script, shared_dir
from espeak_speech import synthesize, with_silence

from core.errors import InputError, VoxlipError
from core.ffmpeg import IMAGE_SUFFIXES, VIDEO_SUFFIXES, Mp4Writer, probe, read_frames
from lipsync.engine import run as run_lipsync
from lipsync.face import FACE_OVAL, JAW, LIPS_LOWER_OUTER, LIPS_UPPER_OUTER, LOWER_JAW, NOSE_BOTTOM, mouth_opening
from lipsync.options import LipsyncOptions
from lipsync.renderer import make_renderer
from lipsync.video import pingpong, read_still
from lipsync.visemes import Viseme, visemes_of
from pipeline.outputs import FrameProtector
from voice.audio import SAMPLE_RATE, load_audio

REPO = Path(__file__).resolve().parents[1]
FACES = (
    "talking_man_25fps.mp4",
    "talking_man_glasses_25fps.mp4",
    "talking_woman_30fps.mp4",
    "painting_mona_lisa.jpg",
    "painting_pearl_earring.jpg",
    "not_a_person_cartoon.jpg",
)
TUNING = frozenset({"talking_man_25fps.mp4", "painting_pearl_earring.jpg"})
SCRIPTS = (
    "Bob bought a map of Panama. Mom paid the bar tab.",
    "A palm by the pond. Pam sat on a mat at the bank.",
    "My cat ate a ham. Bart had a pie and a bottle of pop.",
)
CLOSED_BELOW = 0.06
SILENCE_MARGIN_FRAMES = 2


def face_files(folder: Path) -> tuple[str, ...]:
    """The names of the videos and photos in `folder`, in name order."""
    if not folder.is_dir():
        return ()
    kinds = VIDEO_SUFFIXES | IMAGE_SUFFIXES
    return tuple(sorted(p.name for p in folder.iterdir() if p.suffix.lower() in kinds and p.is_file()))


def asked(name: str, only: list[str]) -> bool:
    """Whether a face file is among those `--only` names, by its name or its stem."""
    return name in only or Path(name).stem in only


STABLE = (*FACE_OVAL, 1, 4, 6, 168, 197, 195)
"""The face's outline and the nose: they move with the head, not with the mouth or the eyes."""
HEAD = tuple(i for i in STABLE if i not in JAW)
"""The rigid head: STABLE without the jaw line, which moves when the mouth opens."""
SHIFT_JITTER = 0.25
"""Pixels: the largest shift of the unanimated photo from frame to frame in the shifted jitter video."""
OPEN_MOUTH = 0.12
LIDS = ((159, 145, 33, 133), (386, 374, 263, 362))


@dataclass
class Measures:
    """What the independent face mesh sees in each frame of one video."""

    openings: list[float | None] = field(default_factory=list)
    eyes: list[float] = field(default_factory=list)
    rolls: list[float] = field(default_factory=list)
    laplacian: list[float] = field(default_factory=list)
    open_mouths: list[tuple[int, np.ndarray]] = field(default_factory=list)
    """(frame index, mouth crop) where the mouth is open."""
    points: list[np.ndarray | None] = field(default_factory=list)
    """Every landmark, in pixels."""

    @property
    def stable(self) -> list[np.ndarray | None]:
        """The STABLE points of each frame."""
        return [None if p is None else p[list(STABLE)] for p in self.points]

    @property
    def outlines(self) -> list[np.ndarray | None]:
        """The lower jaw and the nose's bottom of each frame (where a blend's boundary is looked for)."""
        return [None if p is None else p[list(LOWER_JAW) + list(NOSE_BOTTOM)] for p in self.points]


def mouth_box(points: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    lips = points[list(LIPS_UPPER_OUTER) + list(LIPS_LOWER_OUTER)]
    width = float(np.ptp(lips[:, 0]))
    x1, y1 = np.floor(lips.min(0) - 0.25 * width).astype(int)
    x2, y2 = np.ceil(lips.max(0) + 0.25 * width).astype(int)
    return max(0, x1), max(0, y1), min(shape[1], x2), min(shape[0], y2)


def measure(frames, mesh) -> Measures:
    import cv2

    m = Measures()
    for i, frame in enumerate(frames):
        result = mesh.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        if not result.multi_face_landmarks:
            m.openings.append(None)
            m.points.append(None)
            continue
        h, w = frame.shape[:2]
        points = np.array([(p.x * w, p.y * h) for p in result.multi_face_landmarks[0].landmark], dtype=np.float32)
        m.points.append(points)
        opening = mouth_opening(points)
        m.openings.append(opening)
        m.eyes.append(
            np.mean(
                [np.linalg.norm(points[a] - points[b]) / np.linalg.norm(points[c] - points[d]) for a, b, c, d in LIDS]
            )
        )
        eye_line = points[[362, 263]].mean(0) - points[[33, 133]].mean(0)
        m.rolls.append(float(np.degrees(np.arctan2(eye_line[1], eye_line[0]))))
        x1, y1, x2, y2 = mouth_box(points, frame.shape)
        crop = frame[y1:y2, x1:x2]
        if crop.size:
            m.laplacian.append(float(cv2.Laplacian(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var()))
            if opening > OPEN_MOUTH:
                m.open_mouths.append((i, crop.copy()))
    return m


def histogram(crops: list[np.ndarray]) -> np.ndarray | None:
    import cv2

    if not crops:
        return None
    total = sum(cv2.calcHist([c], [0, 1, 2], None, [8, 8, 8], [0, 256] * 3) for c in crops)
    return total / max(float(total.sum()), 1.0)


def histogram_distance(a: list[np.ndarray], b: list[np.ndarray]) -> float | None:
    import cv2

    ha, hb = histogram(a), histogram(b)
    if ha is None or hb is None:
        return None
    return float(cv2.compareHist(ha, hb, cv2.HISTCMP_BHATTACHARYYA))


SEAM_OUT = 0.08
"""The blend boundary is looked for this many face widths outside the lower face's outline (jaw and nose)."""
SEAM_BLUR = 2.0
"""Pixels of Gaussian blur on (output - source) before its step is taken: H.264's noise alone steps by ~2."""


def seam_step(outputs: list[np.ndarray], sources: list[np.ndarray], outlines: list[np.ndarray | None]) -> float:
    """Mean |change of (output - source)| across the blend boundary, 3 pixels either side of it.

    The boundary is taken where a lower-face blend fades: the outline of the jaw and the nose's bottom
    (from the independent mesh on the output) pushed out by SEAM_OUT face widths.
    """
    import cv2

    steps = []
    for out, src, outline in zip(outputs, sources, outlines):
        if outline is None:
            continue
        hull = cv2.convexHull(outline.astype(np.float32)).reshape(-1, 2)
        # Smoothed a little: a seam is a step in colour, the encoder's noise is not.
        diff = cv2.GaussianBlur(out.astype(np.float32) - src.astype(np.float32), (0, 0), SEAM_BLUR)
        centre = hull.mean(0)
        grow = SEAM_OUT * float(np.ptp(outline[:, 0]))
        for a, b in zip(hull, np.roll(hull, -1, axis=0)):
            for t in np.linspace(0, 1, 6, endpoint=False):
                normal = a + t * (b - a) - centre
                normal /= max(float(np.linalg.norm(normal)), 1e-6)
                p = a + t * (b - a) + grow * normal
                inside, outside = np.round(p - 3 * normal).astype(int), np.round(p + 3 * normal).astype(int)
                h, w = diff.shape[:2]
                if not (0 <= outside[0] < w and 0 <= outside[1] < h and 0 <= inside[0] < w and 0 <= inside[1] < h):
                    continue
                steps.append(float(np.abs(diff[inside[1], inside[0]] - diff[outside[1], outside[0]]).mean()))
    return float(np.mean(steps)) if steps else float("nan")


def colour_shift(outputs: list[np.ndarray], sources: list[np.ndarray], points: list[np.ndarray | None]) -> np.ndarray:
    """Mean (output - source) in levels, per channel (blue, green, red), over the rows above the eyes, which the
    lip-sync leaves as they were: what encoding and decoding did to the picture's colours."""
    total, count = np.zeros(3), 0
    for out, src, p in zip(outputs, sources, points):
        if p is None:
            continue
        top = int(p[[c for pair in EYE_CORNERS for c in pair], 1].min() - 0.1 * float(np.ptp(p[list(FACE_OVAL), 0])))
        if top < 1:
            continue
        total += (out[:top].astype(np.float64) - src[:top]).reshape(-1, 3).sum(0)
        count += top * out.shape[1]
    return total / max(count, 1)


def reencoded(frames: list[np.ndarray], folder: Path, fps: float) -> list[np.ndarray]:
    """`frames` through the engine's encoder and back, untouched otherwise (the seam's noise floor)."""
    path = folder / "reencoded.mp4"
    height, width = frames[0].shape[:2]
    with Mp4Writer(path, width, height, fps) as writer:
        for frame in frames:
            writer.write(frame)
        writer.close()
    return list(read_frames(path, fps))


def blinks_per_10s(eyes: list[float], fps: float) -> float:
    if not eyes:
        return float("nan")
    closed = np.asarray(eyes) < 0.6 * float(np.median(eyes))
    starts = int(closed[0]) + int(np.sum(closed[1:] & ~closed[:-1]))
    return starts / (len(eyes) / fps) * 10


def largest_jump(stable: list[np.ndarray | None]) -> float:
    """The largest frame-to-frame move of the face (median over its outline and nose points), in pixels."""
    moves = [
        float(np.median(np.linalg.norm(b - a, axis=1)))
        for a, b in zip(stable, stable[1:])
        if a is not None and b is not None
    ]
    return max(moves, default=float("nan"))


EYE_CORNERS = ((33, 133), (263, 362))
EYE_HOLE = (0.16, 0.09)
"""Half-width and half-height of the ellipse left out around each eye, in face widths (a blink moves none of
the rest)."""


def rigid_head_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """bool (height, width): inside the face's outline, above the bottom of the nose, outside the eyes."""
    import cv2

    h, w = shape[:2]
    oval = points[list(FACE_OVAL)]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(oval).astype(np.int32)], 1)
    eye_line = points[EYE_CORNERS[1][0]] - points[EYE_CORNERS[0][0]]
    down = np.array([-eye_line[1], eye_line[0]]) / max(float(np.linalg.norm(eye_line)), 1e-6)
    if down[1] < 0:
        down = -down
    ys, xs = np.mgrid[0:h, 0:w]
    nose = points[list(NOSE_BOTTOM)].mean(0)
    mask[(xs - nose[0]) * down[0] + (ys - nose[1]) * down[1] > 0] = 0
    width = float(np.ptp(oval[:, 0]))
    for corners in EYE_CORNERS:
        centre = points[list(corners)].mean(0)
        axes = (int(EYE_HOLE[0] * width), int(EYE_HOLE[1] * width))
        angle = float(np.degrees(np.arctan2(eye_line[1], eye_line[0])))
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, angle, 0, 360, 0, -1)
    return mask.astype(bool)


def largest_flow(frames: list[np.ndarray], points: list[np.ndarray | None]) -> tuple[float, float]:
    """The largest frame-to-frame move of the rigid head by optical flow: (pixels, % of the face's width).

    Each pair is measured over the rigid head of its first frame (as the mesh sees it: its points may be
    off by a few pixels, the region is not); the median flow vector over that region is the move.
    """
    import cv2

    moves = []
    for k in range(len(frames) - 1):
        if points[k] is None:
            continue
        mask = rigid_head_mask(points[k], frames[k].shape)
        if not mask.any():
            continue
        ys, xs = np.nonzero(mask)
        y1, y2, x1, x2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        a, b = (cv2.cvtColor(f[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY) for f in frames[k : k + 2])
        flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 21, 3, 5, 1.1, 0)
        move = float(np.hypot(*np.median(flow[mask[y1:y2, x1:x2]], axis=0)))
        moves.append((100 * move / float(np.ptp(points[k][list(FACE_OVAL), 0])), move))
    share, pixels = max(moves, default=(float("nan"), float("nan")))
    return pixels, share


def repeated_photo(photo: Path, folder: Path, frames: int = 50, shift: float = 0.0) -> Path:
    """The photo as a 25 fps H.264 video of `frames` frames (the mesh's jitter on it): identical, or each
    moved by a seeded random shift of at most `shift` pixels either way (resampled as an animation is)."""
    import cv2

    still = read_still(photo)
    h, w = still.shape[:2]
    still = np.ascontiguousarray(still[: h - h % 2, : w - w % 2])
    path = folder / f"{photo.stem}_repeated{'_shifted' if shift else ''}.mp4"
    rng = np.random.default_rng(0)
    with Mp4Writer(path, still.shape[1], still.shape[0], 25.0) as writer:
        for _ in range(frames):
            frame = still
            if shift:
                dx, dy = rng.uniform(-shift, shift, 2)
                move = np.float32([[1, 0, dx], [0, 1, dy]])
                frame = cv2.warpAffine(still, move, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
            writer.write(frame)
        writer.close()
    return path


def head_jump_share(m: Measures) -> float:
    """The largest frame-to-frame move of the rigid head's mesh points (`head` column) in % of the face's width (the
    median width of its outline): comparable between a photo's output and a real speaker's own video."""
    widths = [float(np.ptp(p[list(FACE_OVAL), 0])) for p in m.points if p is not None]
    return 100 * largest_jump(head_points(m.stable)) / float(np.median(widths)) if widths else float("nan")


def head_points(stable: list[np.ndarray | None]) -> list[np.ndarray | None]:
    """The HEAD points of each frame's STABLE points."""
    keep = [STABLE.index(i) for i in HEAD]
    return [None if points is None else points[keep] for points in stable]


def score(openings: list[float | None], fps: float, speech) -> tuple[list[bool], list[bool]]:
    """(per-word open > bilabial results, per-silent-frame closed results)."""
    timed = visemes_of(speech.phones)

    def frames_of(kind: Viseme, start: float, end: float) -> list[float]:
        values = []
        for viseme, s, e in timed:
            if viseme != kind or e <= start or s >= end:
                continue
            for i in range(int(s * fps), int(np.ceil(e * fps))):
                centre = (i + 0.5) / fps
                if s <= centre < e and i < len(openings) and openings[i] is not None:
                    values.append(openings[i])
        return values

    words = []
    for _, start, end in speech.words:
        open_values, bilabial_values = frames_of(Viseme.OPEN, start, end), frames_of(Viseme.CLOSED, start, end)
        if open_values and bilabial_values:
            words.append(float(np.mean(open_values)) > float(np.mean(bilabial_values)))
    speaking = np.zeros(len(openings), dtype=bool)
    for _, s, e in speech.phones:
        speaking[max(0, int(s * fps) - SILENCE_MARGIN_FRAMES) : int(np.ceil(e * fps)) + SILENCE_MARGIN_FRAMES] = True
    silent = [openings[i] < CLOSED_BELOW for i in range(len(openings)) if not speaking[i] and openings[i] is not None]
    return words, silent


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None or value != value else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--faces",
        type=Path,
        default=None,
        help="evaluate every video and photo in this folder, all held out (default: the six shared faces, in "
        "$VOXLIP_SHARED or ../shared)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="write the output videos to this folder and leave them there (default: none kept: they are written to "
        "a temp folder, removed at the end)",
    )
    parser.add_argument(
        "--only", nargs="+", help="evaluate only these face files, by name or stem (default: all of them)"
    )
    args = parser.parse_args()
    if args.faces is None:
        folder, names = shared_dir() / "data" / "faces", FACES
    else:
        folder, names = args.faces, face_files(args.faces)
        if not names:
            kinds = ", ".join(sorted(VIDEO_SUFFIXES | IMAGE_SUFFIXES))
            raise SystemExit(f"no videos or photos ({kinds}) in {args.faces}")
    if args.only:
        unknown = [n for n in args.only if not any(asked(name, [n]) for name in names)]
        if unknown:
            raise SystemExit(f"no face named {' '.join(unknown)}: give one of {', '.join(names)} (or its stem)")
    chosen = tuple(name for name in names if not args.only or asked(name, args.only))
    missing = [name for name in chosen if not (folder / name).is_file()]
    if missing:
        raise InputError(
            f"the shared faces are not in {folder} (missing: {', '.join(missing)}): set VOXLIP_SHARED to the shared "
            "folder, whose data/faces holds them, or give your own with --faces DIR"
        )
    torch.set_num_threads(2)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        evaluate(folder, names, chosen, args.keep)
        return
    with tempfile.TemporaryDirectory(prefix="voxlip-eval-") as out_dir:
        evaluate(folder, names, chosen, Path(out_dir))


def evaluate(folder: Path, names: tuple[str, ...], chosen: tuple[str, ...], out_dir: Path) -> None:
    """Makes each `chosen` face of `names` in `folder` speak (its videos written to `out_dir`), measures it, and
    prints its row; a face's place in `names` picks its speech, so it speaks the same with --only."""
    import mediapipe as mp

    held_words: list[bool] = []
    held_silent: list[bool] = []
    header = (
        f"{'face':30s} {'set':5s} {'words':>5s} {'open>bil':>8s} {'closed':>7s} {'lap':>5s} {'hist (halves)':>14s} "
        f"{'seam':>5s} {'blinks':>6s} {'roll sd':>7s} {'jump (jitter)':>14s} {'head (jitter, shifted, still)':>29s} "
        f"{'flow (% width)':>14s} {'animator':>9s}"
    )
    print(header)
    mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True)
    for k, name in enumerate(names):
        if name not in chosen:
            continue
        face = folder / name
        text = " ".join(SCRIPTS[(k + j) % len(SCRIPTS)] for j in range(2))
        speech = with_silence(synthesize(text), before=0.8, after=0.8)
        out = out_dir / f"{Path(name).stem}.mp4"
        audio = load_audio(speech.wav, source_sr=speech.sample_rate)
        options = LipsyncOptions()
        protect = FrameProtector(channels="bgr")
        renderer = make_renderer(options, phones=speech.phones)
        try:
            result = run_lipsync(face, audio, out, renderer, options, frame_hook=protect, source_sr=SAMPLE_RATE)
        except VoxlipError as error:  # e.g. no face in it: what a user would be told
            print(f"{name}: not evaluated: {error}")
            continue
        outputs = list(read_frames(out, result.fps))
        m = measure(outputs, mesh)
        words, silent = score(m.openings, result.fps, speech)
        still = probe(face).is_still
        if still:
            photo = read_still(face)
            h, w = outputs[0].shape[:2]
            sources = [photo[:h, :w]] * len(outputs)
            source_m = measure([photo[:h, :w]], mesh)
        else:
            own = list(read_frames(face, result.fps))
            sources = [own[j] for j, _ in zip(pingpong(len(own), 0), range(len(outputs)))]
            source_m = measure(own, mesh)
        lap = float(np.mean(m.laplacian)) / max(float(np.mean(source_m.laplacian)), 1e-6) if m.laplacian else None
        hist = halves = None
        if not still:
            mouths = [c for _, c in source_m.open_mouths]
            half = len(own) // 2
            hist = histogram_distance([c for _, c in m.open_mouths], mouths)
            halves = histogram_distance(
                [c for i, c in source_m.open_mouths if i < half], [c for i, c in source_m.open_mouths if i >= half]
            )
        seam = floor = None
        if not still:  # a photo is warped, not blended: it has no seam
            seam = seam_step(outputs, sources, m.outlines)
            floor_frames = reencoded(sources[:100], out_dir, result.fps)
            floor = seam_step(floor_frames, sources[:100], measure(floor_frames, mesh).outlines)
        blinks = roll_sd = jitter = still_flow = None
        jump = head = head_jitter = head_shifted = head_still = None
        if still:
            jump = largest_jump(m.stable)
            head = largest_jump(head_points(m.stable))
            blinks = blinks_per_10s(m.eyes, result.fps)
            roll_sd = float(np.std(m.rolls))
            repeated = measure(list(read_frames(repeated_photo(face, out_dir), 25.0)), mesh).stable
            jitter, head_jitter = largest_jump(repeated), largest_jump(head_points(repeated))
            shifted = repeated_photo(face, out_dir, shift=SHIFT_JITTER)
            head_shifted = largest_jump(head_points(measure(list(read_frames(shifted, 25.0)), mesh).stable))
            still_out = out_dir / f"{Path(name).stem}_still.mp4"
            still_options = dataclasses.replace(options, still=True)
            still_renderer = make_renderer(still_options, phones=speech.phones)
            run_lipsync(
                face, audio, still_out, still_renderer, still_options, frame_hook=protect, source_sr=SAMPLE_RATE
            )
            still_frames = list(read_frames(still_out, result.fps))
            still_m = measure(still_frames, mesh)
            head_still = largest_jump(head_points(still_m.stable))
            still_flow = largest_flow(still_frames, still_m.points)[0]
        flow, flow_share = largest_flow(outputs, m.points)
        animated = getattr(renderer, "animated_frames", result.frames)
        if name not in TUNING:
            held_words += words
            held_silent += silent
        split = "tune" if name in TUNING else "held"
        word_share = _fmt(np.mean(words) * 100 if words else None, "7.1f")
        closed_share = _fmt(np.mean(silent) * 100 if silent else None, "6.1f")
        print(
            f"{name:30s} {split:5s} {len(words):5d} {word_share}% {closed_share}% {_fmt(lap, '5.2f')} "
            f"{_fmt(hist, '5.3f'):>6s} ({_fmt(halves, '5.3f'):>5s}) {_fmt(seam, '5.2f')} {_fmt(blinks, '6.1f')} "
            f"{_fmt(roll_sd, '7.2f')} {_fmt(jump, '6.2f'):>6s} ({_fmt(jitter, '5.2f'):>5s}) "
            f"{_fmt(head, '6.2f'):>8s} ({_fmt(head_jitter, '5.2f'):>5s}, {_fmt(head_shifted, '5.2f'):>5s}, "
            f"{_fmt(head_still, '5.2f'):>5s}) {_fmt(flow, '5.2f'):>5s} ({_fmt(flow_share, '4.2f')}%) "
            f"{animated:4d}/{result.frames:<4d}"
        )
        if floor is not None:
            print(f"{'':36s}seam of the source merely re-encoded (noise floor): {floor:.2f}")
            shift = ", ".join(f"{v:+.2f}" for v in colour_shift(outputs, sources, m.points))
            print(f"{'':36s}colours above the eyes, output - source (blue, green, red): {shift} levels")
        if still_flow is not None:
            print(f"{'':36s}flow of the photo made to speak with `still` (mouth and blinks only): {still_flow:.2f} px")
            print(f"{'':36s}mesh head move, in % of the face's width: {head_jump_share(m):.1f}%")
        else:
            print(
                f"{'':36s}mesh head move on the source video itself (a real speaker), in % of the face's width: "
                f"{head_jump_share(source_m):.1f}%"
            )
        for note in result.notes:
            print(f"{'':36s}note: {note}")
    mesh.close()
    if held_words:
        share = np.mean(held_words) * 100
        print(f"\nheld out: open vowel > bilabial in {share:.1f}% of {len(held_words)} words (goal >= 90%)")
    if held_silent:
        print(
            f"held out: mouth closed (opening < {CLOSED_BELOW}) in {np.mean(held_silent) * 100:.1f}% of "
            f"{len(held_silent)} silent frames (goal >= 95%)"
        )


if __name__ == "__main__":
    run_script(main)
