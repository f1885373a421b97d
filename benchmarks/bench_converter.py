"""Tone-colour conversion time for 5 s of speech: voxlip vs OpenVoice's own code, same seeded weights, same run.

    .venv/bin/python benchmarks/bench_converter.py [--openvoice CHECKOUT] [--audio FILE] [--repeats N]

CHECKOUT (or $OPENVOICE_CHECKOUT) is a folder holding OpenVoice's `openvoice/` package (e.g.
`git archive 74a1d14` of myshell-ai/OpenVoice); its model files are imported from there at run time,
nothing is installed. Without it, only voxlip is timed. Weights are the seeded stand-ins of
shared/compat (the published layout and size), so the timings are those of the real model; the
audio itself is meaningless. Both sides time spectrogram -> converted wave at tau 0. RTF = compute
seconds / audio seconds.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import torch
from common import add_bfloat16_flag, add_threads_flag, bfloat16_rows, run_script, shared_dir, speech_dir

from voice.audio import load_audio
from voice.converter import convert, load_converter, tone_colour_embedding

RATE = 22_050
SOURCE_SPEECH = "26-495-0000.flac"
TARGET_VOICE = "32-21625-0000.flac"


def write_seeded(shared: Path, folder: Path) -> Path:
    """The seeded converter/checkpoint.pth with the manifest's config.json beside it."""
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", shared / "compat" / "seeded.py")
    seeded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seeded)
    manifest = seeded.load_manifest(shared / "compat" / "manifests" / "openvoice_v2.json")
    path = folder / "checkpoint.pth"
    seeded.write_checkpoint(manifest, str(path))
    (folder / "config.json").write_text(json.dumps(manifest["hparams"]["config_json"]))
    return path


def import_openvoice(checkout: Path) -> tuple[ModuleType, ModuleType]:
    """OpenVoice's models.py and mel_processing.py, imported as the package `openvoice` from the checkout."""
    package = checkout / "openvoice"
    spec = importlib.util.spec_from_file_location(
        "openvoice", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["openvoice"] = module
    spec.loader.exec_module(module)
    return importlib.import_module("openvoice.models"), importlib.import_module("openvoice.mel_processing")


def openvoice_converter(checkout: Path, checkpoint: Path):
    """A function wave -> converted wave running OpenVoice's SynthesizerTrn as its api.py builds and loads it."""
    models, mel_processing = import_openvoice(checkout)
    config = json.loads((checkpoint.parent / "config.json").read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation warning for the legacy weight_norm
        model = models.SynthesizerTrn(
            0, config["data"]["filter_length"] // 2 + 1, n_speakers=config["data"]["n_speakers"], **config["model"]
        )
    model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True)["model"], strict=False)
    model.eval()
    data = config["data"]

    def run(wave: np.ndarray, source: torch.Tensor, target: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            spec = mel_processing.spectrogram_torch(
                torch.FloatTensor(wave)[None],
                data["filter_length"],
                data["sampling_rate"],
                data["hop_length"],
                data["win_length"],
                center=False,
            )
            lengths = torch.LongTensor([spec.size(-1)])
            out = model.voice_conversion(spec, lengths, sid_src=source, sid_tgt=target, tau=0.0)
            return out[0][0, 0].numpy()

    return run


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
        "--openvoice",
        type=Path,
        default=os.environ.get("OPENVOICE_CHECKOUT"),
        help="folder with OpenVoice's openvoice/ package (default: $OPENVOICE_CHECKOUT)",
    )
    parser.add_argument(
        "--audio", type=Path, default=None, help=f"speech to convert (default: {SOURCE_SPEECH} of the shared speech)"
    )
    parser.add_argument(
        "--reference", type=Path, default=None, help=f"target voice (default: {TARGET_VOICE} of the shared speech)"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length converted (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side (default: %(default)s)")
    parser.add_argument(
        "--bf16-repeats",
        type=int,
        default=1,
        help="timed bfloat16 runs, 0: none (default: %(default)s; slow on CPUs without AVX512-BF16: torch emulates it)",
    )
    add_bfloat16_flag(parser)
    add_threads_flag(parser)
    parser.add_argument(
        "--shared",
        type=Path,
        default=shared_dir(),
        help="the shared folder (default: $VOXLIP_SHARED or ../shared, here %(default)s)",
    )
    args = parser.parse_args()
    speech = speech_dir(args.shared)
    args.audio = args.audio or speech / SOURCE_SPEECH
    args.reference = args.reference or speech / TARGET_VOICE
    torch.set_num_threads(args.threads)

    wave = load_audio(args.audio, RATE)[: int(args.seconds * RATE)]
    seconds = len(wave) / RATE
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = write_seeded(args.shared, Path(folder))
        ours = load_converter(checkpoint)
        source = tone_colour_embedding(ours, wave).reshape(1, -1, 1)
        target = tone_colour_embedding(ours, load_audio(args.reference, RATE)).reshape(1, -1, 1)
        functions = {"voxlip float32": lambda: convert(ours, wave, source, target, tau=0.0)}
        skipped = None
        if args.openvoice is None:
            skipped = "no OpenVoice checkout given (--openvoice or $OPENVOICE_CHECKOUT)"
        elif not (args.openvoice / "openvoice" / "models.py").is_file():
            skipped = f"{args.openvoice} has no openvoice/models.py"
        else:
            theirs = openvoice_converter(args.openvoice, checkpoint)
            functions = {"OpenVoice 74a1d14": lambda: theirs(wave, source, target), **functions}
        measured = interleaved_medians(functions, args.repeats)
        print(
            f"{seconds:.1f} s of speech from {args.audio.name}, {args.threads} threads, median of {args.repeats}; "
            f"torch CPU capability {torch.backends.cpu.get_cpu_capability()}"
        )
        print(f"{'':22}{'seconds':>10}{'RTF':>10}")
        for name, (elapsed, _) in measured.items():
            print(f"{name:22}{elapsed:10.3f}{elapsed / seconds:10.3f}", flush=True)
        ours_f32 = measured["voxlip float32"]
        if skipped:
            print(f"OpenVoice column skipped: {skipped}")
        else:
            elapsed, reference = measured["OpenVoice 74a1d14"]
            print(
                f"voxlip float32 vs OpenVoice: speed-up x{elapsed / ours_f32[0]:.2f}; max |difference| "
                f"{np.abs(ours_f32[1][: len(reference)] - reference).max():.2e} over its {len(reference)} samples",
                flush=True,
            )
        if args.bf16_repeats < 1:
            print("bfloat16 skipped: --bf16-repeats 0")
            return
        if not bfloat16_rows(args.bfloat16):
            return
        bf16 = {"voxlip bfloat16": lambda: convert(ours, wave, source, target, tau=0.0, precision="bfloat16")}
        elapsed, converted = interleaved_medians(bf16, args.bf16_repeats)["voxlip bfloat16"]
    print(f"{'voxlip bfloat16':22}{elapsed:10.3f}{elapsed / seconds:10.3f}  (median of {args.bf16_repeats})")
    print(
        f"voxlip bfloat16 vs float32: x{ours_f32[0] / elapsed:.2f}, max |difference| "
        f"{np.abs(converted - ours_f32[1]).max():.2e}"
    )


if __name__ == "__main__":
    run_script(main)
