"""The whole SV2TTS path on a 317-character text (3 sentences): Tacotron, then each vocoder; seeded weights.

Tacotron synthesizes the sentences as one batch, in float32 (the original's numbers) and bfloat16
(`--precision bfloat16`); each vocoder row adds the Tacotron time of its own precision. WaveRNN runs
two ways on the same mels and the same layout (RTVC's folds of 8000 + 800 samples, float32): one
call per sentence (the baseline), and one call on the sentences' mels joined and cut back at their
ends (RTVC's toolbox's way, and voxlip's), so that every sentence's folds share one batch. Seeded
weights never predict "stop": each sentence runs to the length of real speech at ~14 characters per
second.

bfloat16 rows are timed only on a CPU with bfloat16 instructions (AVX512-BF16 or AMX) unless `--bfloat16 run`:
elsewhere torch emulates them, many times slower than float32 (RTF 11 for Tacotron on a Zen 3 EPYC).

    .venv/bin/python benchmarks/bench_say.py [--threads 2] [--bfloat16 auto|run|skip]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from bench_streaming import CHARS_PER_SECOND, TEXT, seeded, speaker_embedding
from common import add_bfloat16_flag, add_threads_flag, bfloat16_rows, run_script

from voice.cloning import VoiceCloner
from voice.synthesizer import pad_sequences
from voice.text.splitting import split_text
from voice.text.sv2tts import text_to_sequence


def synthesize(
    cloner: VoiceCloner, chunks: list[str], embedding: np.ndarray, precision: str = "float32"
) -> tuple[list[np.ndarray], float]:
    """The chunks' mels, each cut to the length of real speech, and the seconds Tacotron took."""
    config = cloner.tacotron.config
    steps = [int(len(c) / CHARS_PER_SECOND * config.sample_rate / config.hop_size / config.r) for c in chunks]
    chars, lengths = pad_sequences([text_to_sequence(c) for c in chunks])
    embeddings = torch.from_numpy(np.repeat(embedding[None], len(chunks), axis=0))
    started = time.perf_counter()
    generation = cloner.tacotron.generate(
        chars, embeddings, lengths, max_steps=max(steps), stop_early=False, precision=precision
    )
    seconds = time.perf_counter() - started
    mels = generation.spectrograms()
    return [mel[:, : n * config.r] for mel, n in zip(mels, steps)], seconds


def timed(function) -> tuple[object, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_threads_flag(parser)
    add_bfloat16_flag(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    precisions = ("float32", "bfloat16") if bfloat16_rows(args.bfloat16) else ("float32",)
    embedding = speaker_embedding()
    chunks = split_text(TEXT)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        synthesizer = seeded(folder, "rtvc_tacotron", "synthesizer.pt")
        wavernn = seeded(folder, "rtvc_wavernn", "vocoder.pt")

        def cloner(kind: str = "wavernn", vocoder: Path = wavernn, **options) -> VoiceCloner:
            return VoiceCloner("cpu", str(synthesizer), kind, str(vocoder), **options)

        models = {precision: cloner(precision=precision) for precision in precisions}
        exact = models["float32"]
        tacotron = {}
        for precision, model in models.items():
            synthesize(model, ["Warm up."], embedding, precision)
            produced, tacotron[precision] = synthesize(model, chunks, embedding, precision)
            if precision == "float32":  # the vocoders' input: every row vocodes the same mels
                mels = produced
                hop = exact.vocoder.config.hop_length
                audio_seconds = sum(m.shape[1] for m in mels) * hop / 16_000
                print(
                    f"{len(TEXT)} characters in {len(chunks)} sentences, {audio_seconds:.1f} s of audio; "
                    f"{args.threads} threads"
                )
            seconds = tacotron[precision]
            print(f"Tacotron {precision}, sentences batched: {seconds:.2f} s (RTF {seconds / audio_seconds:.3f})")
        print()

        def row(label: str, precision: str, seconds: float) -> None:
            rtf, whole = seconds / audio_seconds, (seconds + tacotron[precision]) / audio_seconds
            print(f"{label:52s} {seconds:6.2f} s  RTF {rtf:5.3f}  with Tacotron {precision}: RTF {whole:5.3f}")

        joined = np.concatenate(mels, axis=1)
        exact.vocode(mels[0][:, :40], seed=0)  # warm-up
        apart, apart_seconds = timed(lambda: [exact.vocode(m, seed=0)[0] for m in mels])
        row("WaveRNN float32, RTVC folds, one call per sentence", "float32", apart_seconds)
        together = together_seconds = None
        wavernn_rows = [("WaveRNN float32, RTVC folds, sentences as one mel", exact, "float32")]
        if "bfloat16" in models:
            wavernn_rows.append(("WaveRNN bfloat16 (2000/400 folds), one mel", models["bfloat16"], "bfloat16"))
        wavernn_rows.append(("WaveRNN --fast-vocoder (int8, 2000/400), one mel", cloner(fast_vocoder=True), "float32"))
        for label, model, precision in wavernn_rows:
            model.vocode(mels[0][:, :40], seed=0)
            (samples, _), seconds = timed(lambda: model.vocode(joined, seed=0))
            if together is None:
                together, together_seconds = samples, seconds
            row(label, precision, seconds)
        for name, label in (("hifigan_v1", "HiFi-GAN V1"), ("hifigan_v3", "HiFi-GAN V3")):
            generator = seeded(folder, name, f"generator_{name[-2:]}")
            for precision in precisions:
                model = cloner("hifigan", generator, precision=precision)
                model.vocode(mels[0][:, :40])
                _, seconds = timed(lambda: [model.vocode(m) for m in mels])
                row(f"{label} {precision}, one call per sentence", precision, seconds)
        print(
            f"\none mel vs one call per sentence (WaveRNN float32): x{apart_seconds / together_seconds:.2f}; "
            f"{sum(len(a) for a in apart)} vs {len(together)} samples"
        )


if __name__ == "__main__":
    run_script(main)
