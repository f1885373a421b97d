"""The whole SV2TTS path on a 317-character text (4 sentences): Tacotron, then each vocoder; seeded weights.

Tacotron synthesizes the sentences as one batch. WaveRNN runs two ways on the same mels and the same
layout (RTVC's folds of 8000 + 800 samples, float32): one call per sentence (what voxlip did
before), and one call on the sentences' mels joined and cut back at their ends (what RTVC's
toolbox does, and voxlip now), so that every sentence's folds share one batch. Seeded weights never
predict "stop": each sentence runs to the length of real speech at ~14 characters per second.

    .venv/bin/python benchmarks/bench_say.py [--threads 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from bench_streaming import CHARS_PER_SECOND, TEXT, seeded, speaker_embedding
from voice.cloning import VoiceCloner
from voice.synthesizer import pad_sequences, split_text
from voice.text import text_to_sequence


def synthesize(cloner: VoiceCloner, chunks: list[str], embedding: np.ndarray) -> tuple[list[np.ndarray], float]:
    """The chunks' mels, each cut to the length of real speech, and the seconds Tacotron took."""
    config = cloner.tacotron.config
    steps = [int(len(c) / CHARS_PER_SECOND * config.sample_rate / config.hop_size / config.r) for c in chunks]
    chars, lengths = pad_sequences([text_to_sequence(c) for c in chunks])
    embeddings = torch.from_numpy(np.repeat(embedding[None], len(chunks), axis=0))
    started = time.perf_counter()
    generation = cloner.tacotron.generate(chars, embeddings, lengths, max_steps=max(steps), stop_early=False)
    seconds = time.perf_counter() - started
    mels = generation.spectrograms()
    return [mel[:, : n * config.r] for mel, n in zip(mels, steps)], seconds


def timed(function) -> tuple[object, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default: %(default)s)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    embedding = speaker_embedding()
    chunks = split_text(TEXT)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        synthesizer = seeded(folder, "rtvc_tacotron", "synthesizer.pt")
        wavernn = seeded(folder, "rtvc_wavernn", "vocoder.pt")
        cloner = VoiceCloner("cpu", str(synthesizer), "wavernn", str(wavernn))
        fast = VoiceCloner("cpu", str(synthesizer), "wavernn", str(wavernn), fast_vocoder=True)
        synthesize(cloner, ["Warm up."], embedding)
        mels, tacotron_seconds = synthesize(cloner, chunks, embedding)
        hop = cloner.vocoder.config.hop_length
        audio_seconds = sum(m.shape[1] for m in mels) * hop / 16_000
        tacotron_rtf = tacotron_seconds / audio_seconds
        print(f"{len(TEXT)} characters in {len(chunks)} sentences, {audio_seconds:.1f} s of audio; {args.threads} threads")
        print(f"Tacotron, sentences batched: {tacotron_seconds:.2f} s (RTF {tacotron_rtf:.3f})\n")

        joined = np.concatenate(mels, axis=1)
        cloner.vocode(mels[0][:, :40], seed=0)  # warm-up
        apart, apart_seconds = timed(lambda: [cloner.vocode(m, seed=0)[0] for m in mels])
        (together, _), together_seconds = timed(lambda: cloner.vocode(joined, seed=0))
        (quick, _), quick_seconds = timed(lambda: fast.vocode(joined, seed=0))
        rows = [
            ("WaveRNN float32, RTVC folds, one call per sentence", apart_seconds),
            ("WaveRNN float32, RTVC folds, sentences as one mel", together_seconds),
            ("WaveRNN --fast-vocoder (int8, 2000/400), one mel", quick_seconds),
        ]
        for kind, name, label in (("hifigan", "hifigan_v1", "HiFi-GAN V1"), ("hifigan", "hifigan_v3", "HiFi-GAN V3")):
            hifigan = VoiceCloner("cpu", str(synthesizer), kind, str(seeded(folder, name, f"generator_{name[-2:]}")))
            hifigan.vocode(mels[0][:, :40])
            _, seconds = timed(lambda: [hifigan.vocode(m) for m in mels])
            rows.append((f"{label}, one call per sentence", seconds))
        for label, seconds in rows:
            rtf = seconds / audio_seconds
            print(f"{label:52s} {seconds:6.2f} s  RTF {rtf:5.3f}  with Tacotron: RTF {rtf + tacotron_rtf:5.3f}")
        print(f"\none mel vs one call per sentence: x{apart_seconds / together_seconds:.2f}; "
              f"{sum(len(a) for a in apart)} vs {len(together)} samples")


if __name__ == "__main__":
    main()
