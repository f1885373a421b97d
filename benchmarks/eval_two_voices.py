"""Does a reference holding two voices get its note, and one voice none? Measured on the shared LibriSpeech readers.

    .venv/bin/python benchmarks/eval_two_voices.py

For each half of the readers (CHOSEN_ON, on which voice.speaker's TWO_VOICES_* were chosen, and the held-out rest):
each reader's own recording, and every ordered pair of readers (the first half of one's recording followed by the
first half of the other's). Then all 40 as harder references make them (pink noise 10 dB under, through 8 kHz, in a
0.5 s room), which must not be taken for two voices. Printed: the share noted, the range of the two groups' cosine.
"""

from __future__ import annotations

import argparse
import itertools
import zlib

import librosa
import numpy as np
from eval_offline_voice import CHOSEN_ON, in_room, with_noise
from speech_data import DEFAULT_DATA, recordings
from speech_judges import to_16k

from voice.audio import load_audio, without_offset
from voice.encoder import load_encoder
from voice.speaker import TWO_VOICES_WINDOWS, mixed_voices_note, two_groups


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    encoder = load_encoder()
    waves = {path.stem: load_audio(path) for path in recordings(DEFAULT_DATA)}

    def judged(wave: np.ndarray) -> tuple[bool, float | None]:
        partials = encoder.embed_with_partials(encoder.preprocess(without_offset(wave)))[1]
        alike = two_groups(partials)[0] if len(partials) >= TWO_VOICES_WINDOWS else None
        return bool(mixed_voices_note(partials)), alike

    def report(name: str, results: list[tuple[bool, float | None]]) -> None:
        alike = [a for _, a in results if a is not None]
        print(
            f"{name:44s} noted {np.mean([noted for noted, _ in results]):6.1%} of {len(results):3d}  "
            f"judged {len(alike):3d}, cosine {min(alike):.3f}-{max(alike):.3f}"
        )

    for half in ("chosen", "held out"):
        stems = [s for s in waves if (s in CHOSEN_ON) == (half == "chosen")]
        report(f"{half}: one reader", [judged(waves[s]) for s in stems])
        halves = {s: waves[s][: len(waves[s]) // 2] for s in stems}
        pairs = itertools.permutations(stems, 2)
        report(f"{half}: two readers, half of each", [judged(np.concatenate([halves[a], halves[b]])) for a, b in pairs])
    harder = {
        "pink noise 10 dB under": lambda w, seed: with_noise(w, 10, seed),
        "through 8 kHz": lambda w, seed: to_16k(librosa.resample(w, orig_sr=16_000, target_sr=8000), 8000),
        "in a 0.5 s room": lambda w, seed: in_room(w, 0.5, seed),
    }
    for name, made in harder.items():
        report(f"all 40, one reader, {name}", [judged(made(w, zlib.crc32(s.encode()))) for s, w in waves.items()])


if __name__ == "__main__":
    main()
