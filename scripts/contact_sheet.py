"""Contact sheet of mouth crops: the face input's frames above one or more lip-synced outputs, same instants.

Each row is one video (or the photo), each column one instant, cropped around the lower face that an
independent MediaPipe FaceMesh finds in that frame. To look at what a change did to the mouths:

    .venv/bin/python scripts/contact_sheet.py --face FACE --video before=OLD.mp4 --video after=NEW.mp4 \\
        [--also FACE2 OLD2.mp4 NEW2.mp4] --out docs/lipsync_before_after.png [--columns 8] [--start 1] [--end 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def _mesh():
    import mediapipe as mp

    return mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True)


def frames_at(path: Path, times: list[float], fps: float) -> list[np.ndarray]:
    """The frames of `path` at `times` seconds (a photo: itself each time; past the end: the last frame)."""
    from core.ffmpeg import probe, read_frames
    from lipsync.video import read_still

    info = probe(path)
    if info.is_still:
        still = read_still(path)
        return [still] * len(times)
    wanted = [int(t * fps) for t in times]
    frames, last = {}, None
    for i, frame in enumerate(read_frames(path, fps, max_frames=max(wanted) + 1)):
        last = frame
        if i in wanted:
            frames[i] = frame
    return [frames.get(i, last) for i in wanted]


def mouth_crop(frame: np.ndarray, mesh, size: int) -> np.ndarray:
    """A `size`-pixel square around the lower face (nose to chin), or the frame's centre when no face is found."""
    import cv2

    result = mesh.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    height, width = frame.shape[:2]
    if result.multi_face_landmarks:
        points = result.multi_face_landmarks[0].landmark
        lm = np.array([(p.x * width, p.y * height) for p in points])
        centre = (lm[2] + lm[152]) / 2  # between the nose's bottom and the chin
        half = 0.5 * float(np.linalg.norm(lm[454] - lm[234])) * 0.62
    else:
        centre, half = np.array([width / 2, height / 2]), min(width, height) / 4
    x1, y1 = np.round(centre - half).astype(int)
    x2, y2 = np.round(centre + half).astype(int)
    padded = cv2.copyMakeBorder(frame, height, height, width, width, cv2.BORDER_CONSTANT)
    crop = padded[y1 + height : y2 + height, x1 + width : x2 + width]
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def label(image: np.ndarray, text: str) -> np.ndarray:
    import cv2

    strip = np.full((image.shape[0], 120, 3), 245, np.uint8)
    cv2.putText(strip, text, (6, image.shape[0] // 2 + 5), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (30, 30, 30), 1, cv2.LINE_AA)
    return np.hstack([strip, image])


def contact_sheet(
    face: Path, videos: list[tuple[str, Path]], times: list[float], fps: float, size: int = 128
) -> np.ndarray:
    rows = [("input", face)] + videos
    with _mesh() as mesh:
        images = []
        for name, path in rows:
            crops = [mouth_crop(frame, mesh, size) for frame in frames_at(path, times, fps)]
            images.append(label(np.hstack(crops), name))
    return np.vstack(images)


def main() -> None:
    import cv2

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--face", type=Path, required=True, help="the face input (video or photo)")
    parser.add_argument(
        "--video", action="append", default=[], metavar="LABEL=PATH", help="an output, as a row (default: none)"
    )
    parser.add_argument(
        "--also",
        nargs="+",
        action="append",
        default=[],
        metavar="PATH",
        help="another face and its outputs (in --video's order, with its labels), stacked below (default: none)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--columns", type=int, default=8, help="instants per row (default: %(default)s)")
    parser.add_argument("--start", type=float, default=1.0, help="first instant, seconds (default: %(default)s)")
    parser.add_argument("--end", type=float, default=5.0, help="last instant, seconds (default: %(default)s)")
    parser.add_argument(
        "--fps", type=float, default=25.0, help="frame rate the videos are read at (default: %(default)s)"
    )
    parser.add_argument("--size", type=int, default=128, help="pixels per crop (default: %(default)s)")
    args = parser.parse_args()
    videos = []
    for item in args.video:
        name, _, path = item.partition("=")
        if not path:
            parser.error(f"--video {item}: give LABEL=PATH")
        videos.append((name, Path(path)))
    times = list(np.linspace(args.start, args.end, args.columns))
    sheets = [contact_sheet(args.face, videos, times, args.fps, args.size)]
    for face, *outputs in args.also:
        if len(outputs) != len(videos):
            parser.error(f"--also {face}: give {len(videos)} outputs, as many as --video")
        rows = [(name, Path(path)) for (name, _), path in zip(videos, outputs)]
        sheets.append(contact_sheet(Path(face), rows, times, args.fps, args.size))
    gap = np.full((6, sheets[0].shape[1], 3), 255, np.uint8)
    sheet = np.vstack([part for s in sheets for part in (s, gap)][:-1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), sheet)
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
