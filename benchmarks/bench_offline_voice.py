"""Speed of the offline voice (the bundled Piper voice + conversion), warm and in cold processes.

    .venv/bin/python benchmarks/bench_offline_voice.py [--threads 2] [--cold-runs 2]

Warm: the real-time factor of the whole offline `say` on a 3-sentence text (the Piper voice alone as the
baseline, then with the conversion), and how soon the first streamed piece is ready. Cold: wall time of
fresh `voxlip say` processes for a 10-word sentence (the first with an empty cache, which measures the
base voice once and optimises its graph; later ones reuse that and the prepared reference), then with voices
not asked for before (their speaker and analysis made in the process), and of fresh `voxlip run`s on a photo.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from common import add_threads_flag, run_script, shared_dir, speech_dir

import voice
from voice.audio import SAMPLE_RATE, load_audio
from voice.cloning import VoiceCloner
from voice.encoder import load_encoder
from voice.speaker import prepare_speaker

TEXT = (
    "The old lighthouse keeper painted his boat a bright shade of green. Please remember to bring an "
    "umbrella when you visit the northern valley. After dinner we played cards and listened to the radio."
)
TEN_WORDS = "The small brown dog chased the red ball across the garden."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_threads_flag(parser)
    parser.add_argument("--cold-runs", type=int, default=2, help="fresh `voxlip say` processes (default: %(default)s)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["VOXLIP_CACHE"] = cache
        warm(args.threads)
    with tempfile.TemporaryDirectory() as cache:  # the cold processes start from an empty cache of their own
        os.environ["VOXLIP_CACHE"] = cache
        cold(args.cold_runs, cache)


def warm(threads: int) -> None:
    cloner = VoiceCloner("cpu", synthesizer="offline")
    cloner.offline_voice.threads = threads
    cloner.load()
    speaker = prepare_speaker(load_encoder(), load_audio(reference()), source_sr=SAMPLE_RATE)
    cloner.clone(speaker, "Warm up.", seed=0)
    base = cloner.offline_voice.base
    started = time.perf_counter()
    plain = base.speak(TEXT, seed=1)
    base_seconds = time.perf_counter() - started
    started = time.perf_counter()
    speech = cloner.clone(speaker, TEXT, seed=1)
    whole_seconds = time.perf_counter() - started
    audio = len(plain.wave) / plain.sample_rate
    print(f"{audio:.1f} s of speech, {threads} threads")
    print(f"  Piper voice alone (baseline): {base_seconds:.2f} s, RTF {base_seconds / audio:.3f}")
    print(
        f"  whole offline say (voice + conversion): {whole_seconds:.2f} s, RTF {whole_seconds / speech.duration:.3f} "
        f"(x{whole_seconds / base_seconds:.2f} the baseline)"
    )
    started = time.perf_counter()
    first = next(cloner.stream(speaker, TEXT, seed=1))
    print(f"  first streamed piece ({first.duration:.2f} s of audio) ready after {time.perf_counter() - started:.2f} s")


def reference() -> Path:
    """The shared recording whose voice is said."""
    return speech_dir() / "19-198-0000.flac"


def cold(runs: int, cache: str) -> None:
    ref, photo = reference(), shared_dir() / "data" / "faces" / "painting_pearl_earring.jpg"
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "pipeline", "say", "--ref", str(ref), "--text", TEN_WORDS]
        for run in range(runs):
            out = Path(folder) / f"say{run}.wav"
            seconds = timed(command + ["-o", str(out), "--i-have-consent", "--seed", "0"])
            print(
                f"  cold `voxlip say`, 10 words, run {run + 1} ({'empty cache' if run == 0 else 'cache kept'}): "
                f"{seconds:.2f} s"
            )
        others = [p for p in sorted(ref.parent.glob("*.flac")) if p != ref][: runs + 1]
        for run, voice_file in enumerate(others[:runs]):
            new_voice = [sys.executable, "-m", "pipeline", "say", "--ref", str(voice_file), "--text", TEN_WORDS]
            seconds = timed(new_voice + ["-o", str(Path(folder) / f"new{run}.wav"), "--i-have-consent"])
            print(f"  cold `voxlip say`, 10 words, a voice not asked for before ({voice_file.stem}): {seconds:.2f} s")
        for voice_file, kind in ((ref, "a voice asked for before"), (others[-1], "a voice not asked for before")):
            run_command = [sys.executable, "-m", "pipeline", "run", "--ref", str(voice_file), "--face", str(photo)]
            out = Path(folder) / f"run-{voice_file.stem}.mp4"
            seconds = timed(run_command + ["--text", TEN_WORDS, "-o", str(out), "--i-have-consent", "--seed", "0"])
            print(f"  cold `voxlip run`, 10 words on a photo, {kind}: {seconds:.2f} s")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    # From the folder holding the voxlip imported here (PYTHONPATH may name another checkout): `python -m`
    # looks in the working directory first.
    checkout = Path(voice.__file__).resolve().parents[1]
    result = subprocess.run(command, capture_output=True, text=True, cwd=checkout)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


if __name__ == "__main__":
    run_script(main)
