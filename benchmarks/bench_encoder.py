"""Speaker-embedding time for 10 s of speech: voxlip vs Resemblyzer's own code, same weights, same run.

.venv/bin/python benchmarks/bench_encoder.py [--audio FILE] [--repeats N] [--threads N]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import statistics
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch
from common import add_threads_flag, run_script, speech_dir

from voice.audio import load_audio
from voice.encoder import load_encoder


def import_resemblyzer() -> types.ModuleType:
    """Resemblyzer imports webrtcvad, whose wrapper imports pkg_resources (gone from setuptools >= 81)."""
    if "pkg_resources" not in sys.modules:
        try:
            import pkg_resources  # noqa: F401
        except ImportError:
            shim = types.ModuleType("pkg_resources")
            shim.get_distribution = lambda name: types.SimpleNamespace(version=importlib.metadata.version(name))
            sys.modules["pkg_resources"] = shim
    import resemblyzer

    return resemblyzer


def interleaved_medians(functions: dict[str, object], repeats: int) -> dict[str, tuple[float, object]]:
    """Median seconds of each function, alternating them so load on the machine hits all alike."""
    results = {name: fn() for name, fn in functions.items()}  # warm-up
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), results[name]) for name in functions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--audio",
        type=Path,
        default=speech_dir() / "103-1240-0000.flac",
        help="speech file, cut to 10 s (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per side (default: %(default)s)")
    add_threads_flag(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    raw = load_audio(args.audio)[: 10 * 16000]
    seconds = len(raw) / 16000
    ours = load_encoder("resemblyzer")
    resemblyzer = import_resemblyzer()
    theirs = resemblyzer.VoiceEncoder("cpu", verbose=False)

    measured = interleaved_medians(
        {
            "theirs": lambda: theirs.embed_utterance(resemblyzer.preprocess_wav(raw)),
            "ours": lambda: ours.embed_utterance(raw, 16_000),
        },
        args.repeats,
    )
    (t_theirs, e_theirs), (t_ours, e_ours) = measured["theirs"], measured["ours"]

    print(f"{seconds:.1f} s of speech from {args.audio.name}, {args.threads} threads, median of {args.repeats}")
    print(f"{'':24}{'seconds':>10}{'RTF':>10}")
    print(f"{'Resemblyzer 0.1.4':24}{t_theirs:10.4f}{t_theirs / seconds:10.4f}")
    print(f"{'voxlip':24}{t_ours:10.4f}{t_ours / seconds:10.4f}")
    print(f"speed-up x{t_theirs / t_ours:.2f}; max |embedding difference| {np.abs(e_ours - e_theirs).max():.2e}")


if __name__ == "__main__":
    run_script(main)
