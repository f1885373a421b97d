"""Synthesizer speed on CPU: the fast decoder step against the plain layer-by-layer one.

Builds the seeded synthesizer checkpoint (same layout and size as the public synthesizer.pt), generates
a fixed number of decoder steps (~5 s of mel, stop tokens ignored, pre-net dropout off) with both paths
in the same process, interleaved (one run of each per round, so that load from other processes hits both
alike), and prints time, real-time factor, speed-up and the largest output difference.
The one-time packing of the LSTM weights for the fast path happens in the warm-up run.

    python benchmarks/bench_synthesizer.py [--steps 200] [--threads 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from common import add_threads_flag, run_script, shared_dir

from voice.synthesizer import load_synthesizer

T = TypeVar("T")


def seeded_checkpoint(folder: Path) -> Path:
    compat = shared_dir() / "compat"
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", compat / "seeded.py")
    seeded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seeded)
    path = folder / "rtvc_tacotron.pt"
    seeded.write_checkpoint(seeded.load_manifest(compat / "manifests" / "rtvc_tacotron.json"), str(path))
    return path


def interleaved_best(functions: dict[str, Callable[[], T]], repeats: int) -> dict[str, tuple[float, T]]:
    """(fastest seconds, last result) of each function, run round by round (one of each per round) so that load
    from other processes on the machine hits them alike, where all of one then all of the other had let it land
    on one side (speed-up 0.41x in one run, 1.76x in the next)."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    results: dict[str, T] = {}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            results[name] = function()
            times[name].append(time.perf_counter() - start)
    return {name: (min(times[name]), results[name]) for name in functions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="decoder steps (r=2 frames each) (default: %(default)s)")
    add_threads_flag(parser)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="rounds of one run per path, interleaved; the fastest of each counts (default: %(default)s)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as folder:
        model = load_synthesizer(seeded_checkpoint(Path(folder)))
    case = np.load(shared_dir() / "compat" / "cases" / "rtvc_tacotron.npz")
    chars = torch.from_numpy(case["x"][:1])
    embedding = torch.from_numpy(case["speaker_embedding"][:1])
    options = dict(max_steps=args.steps, stop_early=False, prenet_dropout=False)

    model.generate(chars, embedding, max_steps=5, prenet_dropout=False)  # warm-up
    measured = interleaved_best(
        {
            "plain": lambda: model.generate(chars, embedding, method="reference", **options),
            "fast": lambda: model.generate(chars, embedding, **options),
        },
        args.repeats,
    )
    (plain_s, plain), (fast_s, fast) = measured["plain"], measured["fast"]

    frames = fast.linear.size(2)
    audio_s = frames * model.config.hop_size / model.config.sample_rate
    diff = max(float((fast.mels - plain.mels).abs().max()), float((fast.linear - plain.linear).abs().max()))
    print(f"{frames} mel frames = {audio_s:.2f} s of audio, {chars.size(1)} input ids, {args.threads} threads")
    print(f"plain decoder step: {plain_s:.3f} s  RTF {plain_s / audio_s:.3f}")
    print(f"fast decoder step:  {fast_s:.3f} s  RTF {fast_s / audio_s:.3f}")
    print(f"speed-up {plain_s / fast_s:.2f}x   max abs difference {diff:.2e}")


if __name__ == "__main__":
    run_script(main)
