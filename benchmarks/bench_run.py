"""Text to talking clip on the offline defaults: `voxlip run` cold, then warm calls in one process.

A 10-word sentence, a LibriSpeech reference voice and a 512x512 photo (voxlip's own drawn example
face). Cold = a fresh `voxlip run` process (imports and model loading included); warm = further
`Pipeline.text_to_clip` calls in one process, models already loaded, a new text and reference each
time so nothing is reused but the models.

    .venv/bin/python benchmarks/bench_run.py [--warm 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_threads_flag, run_script, speech_dir

REPO = Path(__file__).resolve().parents[1]
SENTENCES = [
    "The quick brown fox jumps over the lazy dog near home.",
    "Please call me back when you have a free minute today.",
    "We will meet at the station at seven in the morning.",
    "She sells fresh bread and coffee at the corner shop.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warm", type=int, default=3, help="warm calls after the first in-process one (default: %(default)s)"
    )
    add_threads_flag(parser)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from pipeline import Pipeline
    from pipeline.examples import make_examples

    voices = sorted(speech_dir().glob("*.flac"))
    with tempfile.TemporaryDirectory(prefix="voxlip-bench-run-") as folder:
        folder = Path(folder)
        face = make_examples(folder).face
        started = time.perf_counter()
        command = [
            str(REPO / ".venv" / "bin" / "voxlip"),
            "run",
            "--ref",
            str(voices[0]),
            "--face",
            str(face),
            "--text",
            SENTENCES[0],
            "-o",
            str(folder / "cold.mp4"),
            "--device",
            "cpu",
            "--i-have-consent",
        ]
        if not Path(command[0]).exists():
            command[:1] = [sys.executable, "-m", "pipeline"]
        result = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(args.threads)}
        )
        cold = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"voxlip run failed: {result.stderr[-2000:]}")
        print(f"10-word sentence, 512x512 photo, offline defaults, {args.threads} threads")
        print(f"cold  `voxlip run` (new process, imports + models)   {cold:6.2f} s")
        print("       " + result.stdout.strip().splitlines()[-1])

        pipeline = Pipeline("cpu")
        for i in range(args.warm + 1):
            started = time.perf_counter()
            clip = pipeline.text_to_clip(voices[1 + i], face, SENTENCES[(1 + i) % len(SENTENCES)], consent=True)
            clip.save(folder / f"warm{i}.mp4")
            elapsed = time.perf_counter() - started
            stages = ", ".join(f"{k} {v:.2f}" for k, v in clip.timings.items())
            kind = "first in-process call (models load)" if i == 0 else "warm call (models loaded)          "
            print(f"{kind}   {elapsed:6.2f} s  ({clip.duration:.1f} s clip; {stages})")


if __name__ == "__main__":
    run_script(main)
