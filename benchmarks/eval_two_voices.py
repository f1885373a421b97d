"""Does a reference holding two voices get its note, and one voice none? Measured on the shared LibriSpeech readers.

    .venv/bin/python benchmarks/eval_two_voices.py

For each half of the readers (CHOSEN_ON, on which voice.speaker's TWO_VOICES_* were chosen, and the held-out rest):
each reader's own recording, and every ordered pair of readers (the first half of one's recording followed by the
first half of the other's). Then all 40 as harder references make them (pink noise 10 dB under, through 8 kHz, in a
0.5 s room), which must not be taken for two voices. Printed: the share noted as two voices, how many were long
enough to judge (TWO_VOICES_WINDOWS windows of speech or more), and the range of their two groups' cosine.
"""

from __future__ import annotations

import argparse
import itertools
import zlib

import librosa
import numpy as np
from common import run_script, speech_dir
from eval_offline_voice import CHOSEN_ON, in_room, with_noise
from speech_data import Skipped, recordings
from speech_judges import to_16k

from voice.audio import load_audio, without_offset
from voice.encoder import load_encoder
from voice.speaker import TWO_VOICES_WINDOWS, mixed_voices_note, two_groups


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    encoder = load_encoder()
    waves = {path.stem: load_audio(path) for path in recordings(speech_dir(), Skipped())}

    def judged(wave: np.ndarray) -> tuple[bool, float | None]:
        partials = encoder.embed_with_partials(encoder.preprocess(without_offset(wave), 16_000))[1]
        alike = two_groups(partials)[0] if len(partials) >= TWO_VOICES_WINDOWS else None
        return bool(mixed_voices_note(partials)), alike

    for half in ("chosen", "held out"):
        stems = [s for s in waves if (s in CHOSEN_ON) == (half == "chosen")]
        print(report(f"{half}: one reader", [judged(waves[s]) for s in stems]))
        halves = {s: waves[s][: len(waves[s]) // 2] for s in stems}
        pairs = itertools.permutations(stems, 2)
        two = [judged(np.concatenate([halves[a], halves[b]])) for a, b in pairs]
        print(report(f"{half}: two readers, half of each", two))
    harder = {
        "pink noise 10 dB under": lambda w, seed: with_noise(w, 10, seed),
        "through 8 kHz": lambda w, seed: to_16k(librosa.resample(w, orig_sr=16_000, target_sr=8000), 8000),
        "in a 0.5 s room": lambda w, seed: in_room(w, 0.5, seed),
    }
    for name, made in harder.items():
        changed = [judged(made(w, zlib.crc32(s.encode()))) for s, w in waves.items()]
        print(report(f"all 40, one reader, {name}", changed))


def report(name: str, results: list[tuple[bool, float | None]]) -> str:
    """One line: the share of references noted as two voices; of those long enough to be judged (TWO_VOICES_WINDOWS
    windows or more), how many, and the range of their two groups' cosine."""
    alike = [a for _, a in results if a is not None]
    spread = f"two groups' cosine {min(alike):.3f}-{max(alike):.3f}" if alike else "none"
    return (
        f"{name:44s} noted as two voices {np.mean([noted for noted, _ in results]):6.1%} of {len(results):3d}; "
        f"long enough to judge (>= {TWO_VOICES_WINDOWS} encoder windows, ~5 s of speech) {len(alike):3d}: {spread}"
    )


if __name__ == "__main__":
    run_script(main)
