"""Does the offline animator's mouth follow the speech? Measured on the OUTPUT video.

Speech with phone timings comes from espeak-ng (standing in for voxlip's TTS) with silence at both
ends and pauses between sentences; each shared face clip and photo is made to speak it with the
lip-sync engine with the animator renderer and those phones. A fresh MediaPipe FaceMesh (static
mode: no tracking, no smoothing, nothing shared with the engine) then measures the mouth opening
(inner-lip gap / mouth width) on every output frame.

Printed:
- open vs bilabial: for each word holding both an open vowel (aa, ae, aw, ay) and p/b/m, is the mean
  opening on its open-vowel frames larger than on its bilabial frames? Share of such words (goal >= 90%).
- closed in silence: share of frames in silence (no phone within 2 frames) whose opening is under
  0.06 mouth widths (goal >= 95%).

    .venv/bin/python benchmarks/eval_lipsync_offline.py [--faces DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from core.ffmpeg import read_frames
from lipsync.engine import run as run_lipsync
from lipsync.face import mouth_opening
from lipsync.options import LipsyncOptions
from lipsync.renderer import make_renderer
from lipsync.visemes import Viseme, visemes_of
from pipeline.outputs import FrameProtector
from voice.audio import load_audio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from espeak_speech import synthesize, with_silence  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FACES = (
    "talking_man_25fps.mp4",
    "talking_man_glasses_25fps.mp4",
    "talking_woman_30fps.mp4",
    "painting_mona_lisa.jpg",
    "painting_pearl_earring.jpg",
    "not_a_person_cartoon.jpg",
)
SCRIPTS = (
    "Bob bought a map of Panama. Mom paid the bar tab.",
    "A palm by the pond. Pam sat on a mat at the bank.",
    "My cat ate a ham. Bart had a pie and a bottle of pop.",
)
CLOSED_BELOW = 0.06
SILENCE_MARGIN_FRAMES = 2


def measure_openings(path: Path, fps: float) -> list[float | None]:
    import cv2
    import mediapipe as mp

    openings = []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True) as mesh:
        for frame in read_frames(path, fps):
            result = mesh.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            if not result.multi_face_landmarks:
                openings.append(None)
                continue
            h, w = frame.shape[:2]
            points = np.array([(p.x * w, p.y * h) for p in result.multi_face_landmarks[0].landmark], dtype=np.float32)
            openings.append(mouth_opening(points))
    return openings


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--faces", type=Path, default=Path(os.environ.get("VOXLIP_SHARED", REPO.parent / "shared")) / "data" / "faces"
    )
    parser.add_argument("--keep", type=Path, help="keep the output videos in this folder")
    parser.add_argument("--only", nargs="*", help="evaluate only these face files")
    args = parser.parse_args()
    torch.set_num_threads(2)
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="voxlip-eval-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    all_words: list[bool] = []
    all_silent: list[bool] = []
    print(f"{'face':34s} {'words':>6s} {'open>bilabial':>14s} {'silent frames':>14s} {'closed':>8s}")
    for k, name in enumerate(FACES):
        face = args.faces / name
        if args.only and name not in args.only:
            continue
        if not face.exists():
            print(f"{name}: missing, skipped")
            continue
        text = " ".join(SCRIPTS[(k + j) % len(SCRIPTS)] for j in range(2))
        speech = with_silence(synthesize(text), before=0.8, after=0.8)
        out = out_dir / f"{Path(name).stem}.mp4"
        audio = load_audio(speech.wav, source_sr=speech.sample_rate)
        options = LipsyncOptions()
        result = run_lipsync(
            face,
            audio,
            out,
            make_renderer(options, phones=speech.phones),
            options,
            frame_hook=FrameProtector(channels="bgr"),
        )
        openings = measure_openings(out, result.fps)
        words, silent = score(openings, result.fps, speech)
        all_words += words
        all_silent += silent
        print(
            f"{name:34s} {len(words):6d} {np.mean(words) * 100:13.1f}% {len(silent):14d} {np.mean(silent) * 100:7.1f}%"
            f"   ({result.components[-1].checkpoint}, {result.frames} frames, {result.frames_without_face} "
            "without face)"
        )
    print(f"\nopen vowel > bilabial in {np.mean(all_words) * 100:.1f}% of {len(all_words)} words (goal >= 90%)")
    print(
        f"mouth closed (opening < {CLOSED_BELOW}) in {np.mean(all_silent) * 100:.1f}% of {len(all_silent)} "
        "silent frames (goal >= 95%)"
    )
    if args.keep is None:
        print(f"(outputs in {out_dir})")


if __name__ == "__main__":
    main()
