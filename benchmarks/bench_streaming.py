"""How soon the first audio of a long text is ready: SV2TTS streaming, seeded weights, 2 CPU threads.

`VoiceCloner.stream` synthesizes a short first piece (`split_for_streaming`: <= 16 characters, then
pieces growing 3x) and vocodes it before the rest; this measures that first piece end to end (text
-> Tacotron -> vocoder) for each vocoder, next to making the whole text before playing anything.
Seeded weights never predict "stop", so every piece runs to the step limit voxlip derives from its
length: the durations are those of real speech at ~14 characters per second, and the times those of
the real models.

    .venv/bin/python benchmarks/bench_streaming.py [--threads 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from common import add_threads_flag, run_script, shared_dir

from voice.cloning import VoiceCloner
from voice.text.splitting import split_for_streaming, split_text
from voice.text.sv2tts import text_to_sequence

TEXT = (
    "When the evening train finally pulled into the station, the passengers gathered their bags and "
    "stepped out onto the cold platform. Nobody had expected the journey to take so long. A porter "
    "walked along the carriages, calling out the names of the connecting lines, while the lights of "
    "the town flickered on one by one."
)
CHARS_PER_SECOND = 14.0


def seeded(folder: Path, name: str, filename: str) -> Path:
    compat = shared_dir() / "compat"
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", compat / "seeded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest = module.load_manifest(compat / "manifests" / f"{name}.json")
    path = folder / name / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    module.write_checkpoint(manifest, str(path))
    if "hparams" in manifest and name.startswith("hifigan"):
        (path.parent / "config.json").write_text(json.dumps(manifest["hparams"]))
    return path


def speaker_embedding(seed: int = 0) -> np.ndarray:
    """A random unit-length GE2E-sized embedding: seeded weights make any speaker as good as another."""
    embedding = np.random.default_rng(seed).normal(size=256).astype(np.float32)
    return embedding / np.linalg.norm(embedding)


def threads_from_command_line(description: str) -> int:
    """Parse `--threads` (the benchmarks' one flag), set torch's CPU threads to it and return it."""
    parser = argparse.ArgumentParser(description=description)
    add_threads_flag(parser)
    threads = parser.parse_args().threads
    torch.set_num_threads(threads)
    return threads


def first_audio(cloner: VoiceCloner, text: str, embedding: np.ndarray) -> tuple[float, float]:
    """(seconds until the piece's samples exist, seconds of audio in it) for one piece of text."""
    config = cloner.tacotron.config
    steps = int(len(text) / CHARS_PER_SECOND * config.sample_rate / config.hop_size / config.r)
    chars = torch.tensor([text_to_sequence(text)])
    started = time.perf_counter()
    generation = cloner.tacotron.generate(chars, torch.from_numpy(embedding[None]), max_steps=steps, stop_early=False)
    mel = generation.spectrograms()[0]
    samples, sr = cloner.vocode(mel, seed=0)
    return time.perf_counter() - started, len(samples) / sr


def main() -> None:
    threads = threads_from_command_line(__doc__.splitlines()[0])
    embedding = speaker_embedding()
    pieces, sentences = split_for_streaming(TEXT), split_text(TEXT)
    print(f"{len(TEXT)} characters; first streamed piece {pieces[0]!r} ({len(pieces[0])} chars); {threads} threads")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        synthesizer = seeded(folder, "rtvc_tacotron", "synthesizer.pt")
        vocoders = [
            ("hifigan", seeded(folder, "hifigan_v3", "generator_v3"), "HiFi-GAN V3"),
            ("hifigan", seeded(folder, "hifigan_v1", "generator_v1"), "HiFi-GAN V1"),
            ("wavernn", seeded(folder, "rtvc_wavernn", "vocoder.pt"), "WaveRNN (float32)"),
        ]
        for kind, path, label in vocoders:
            cloner = VoiceCloner("cpu", str(synthesizer), kind, str(path))
            first_audio(cloner, "Warm up.", embedding)
            first, first_seconds = first_audio(cloner, pieces[0], embedding)
            sentence, sentence_seconds = first_audio(cloner, sentences[0], embedding)
            print(
                f"{label:18s} first piece ready after {first:5.2f} s ({first_seconds:.1f} s of audio); "
                f"without streaming the first sentence takes {sentence:5.2f} s ({sentence_seconds:.1f} s of audio)"
            )


if __name__ == "__main__":
    run_script(main)
