"""Vocoder speed on seeded weights: WaveRNN (reference loop vs fast loop) and HiFi-GAN V1/V3, 2 CPU threads.

    .venv/bin/python benchmarks/bench_vocoder.py [--frames 400] [--reference-steps N] [--shared DIR] [--bfloat16 auto]

Weights are the seeded stand-ins of shared/compat (same layout and size as the published files),
so the timings are those of the real models; the audio itself is meaningless. RTF = compute
seconds / audio seconds (lower is faster; < 1 is faster than real time).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import torch
from common import add_bfloat16_flag, add_threads_flag, bfloat16_rows, run_script, shared_dir

from voice.vocoder.folding import fold_with_overlap, xfade_and_unfold
from voice.vocoder.hifigan import HiFiGANConfig, load_hifigan
from voice.vocoder.melspec import sv2tts_to_hifigan_mel
from voice.vocoder.sampling import fast_samples, reference_samples
from voice.vocoder.wavernn import WaveRNN, load_wavernn


def load_seeded(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", shared / "compat" / "seeded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_seeded(seeded: ModuleType, shared: Path, name: str, folder: Path) -> tuple[Path, dict]:
    manifest = seeded.load_manifest(shared / "compat" / "manifests" / f"{name}.json")
    path = folder / name / f"{name}.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    seeded.write_checkpoint(manifest, str(path))
    return path, manifest


def synthesizer_like_mel(frames: int, seed: int = 0) -> torch.Tensor:
    """(80, frames) mel in [-4, 4], smooth over time like a synthesizer's output."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 80, frames // 8 + 2, generator=g) * 6 - 4
    return torch.nn.functional.interpolate(coarse, size=frames, mode="linear", align_corners=True)[0]


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def folded_conditioning(model: WaveRNN, mel: torch.Tensor, target: int, overlap: int):
    with torch.inference_mode():
        mels, aux = model.conditioning(mel / model.config.mel_max_abs_value)
        return fold_with_overlap(mels, target, overlap), fold_with_overlap(aux, target, overlap)


def bench_wavernn(model: WaveRNN, frames: int, reference_steps: int | None, bfloat16: bool = True) -> None:
    """Times the reference loop against the fast one, then generate() end to end per layout and precision (its
    bfloat16 rows only if `bfloat16`)."""
    c = model.config
    seconds = frames * c.hop_length / c.sample_rate
    mel = synthesizer_like_mel(frames)
    print(
        f"WaveRNN (RTVC vocoder.pt layout): {frames} mel frames = {seconds:.2f} s of 16 kHz audio, "
        f"{torch.get_num_threads()} threads"
    )

    # Reference loop vs fast loop on the same folds and uniforms, RTVC's layout (target 8000, overlap 800).
    mels, aux = folded_conditioning(model, mel, c.target, c.overlap)
    folds, steps = mels.shape[:2]
    measured = min(reference_steps or steps, steps)
    mels, aux = mels[:, :measured].contiguous(), aux[:, :measured].contiguous()
    uniforms = torch.rand(measured, folds, generator=torch.Generator().manual_seed(1))
    for warm_up in (reference_samples, fast_samples):  # builds the fused kernels on first use, packs weights
        warm_up(model, mels[:, :50].contiguous(), aux[:, :50].contiguous(), uniforms[:50])
    reference, t_ref = timed(lambda: reference_samples(model, mels, aux, uniforms))
    fast, t_fast = timed(lambda: fast_samples(model, mels, aux, uniforms))
    scale = steps / measured
    print(f"  RTVC layout: {folds} folds x {steps} steps (target {c.target}, overlap {c.overlap})")
    if measured < steps:
        print(
            f"  (reference vs fast measured on the first {measured} of the {steps} steps, times x{scale:.2f} "
            "to the full mel)"
        )
    print(f"  reference loop   {t_ref * scale:7.2f} s  RTF {t_ref * scale / seconds:5.2f}")
    print(
        f"  fast loop        {t_fast * scale:7.2f} s  RTF {t_fast * scale / seconds:5.2f}  speed-up "
        f"x{t_ref / t_fast:.2f}"
    )
    same = (reference == fast).float().mean().item()
    print(
        f"  same uniforms: {same:.4%} of samples identical, max |difference| "
        f"{(reference - fast).abs().max().item():.2e} "
        "(samples in [-1, 1] before mu-law expansion)"
    )
    if measured == steps:
        n_samples = (frames - 1) * c.hop_length
        wav_ref, wav_fast = (
            model.finish(xfade_and_unfold(s.numpy().astype(np.float64), c.overlap), n_samples)
            for s in (reference, fast)
        )
        print(f"  final waveforms: max |difference| {np.abs(wav_ref - wav_fast).max():.2e}")

    print("  generate() end to end (conditioning, folded sampling, cross-fade, mu-law, de-emphasis):")
    for target, overlap, precision in [
        (c.target, c.overlap, "float32"),
        (c.target, c.overlap, "bfloat16"),
        (2000, 400, "float32"),
        (2000, 400, "bfloat16"),
        (2000, 400, "int8"),
        (1000, 400, "int8"),
    ]:
        if precision == "bfloat16" and not bfloat16:
            continue
        generator = torch.Generator().manual_seed(0)
        _, t = timed(lambda: model.generate(mel, generator, target=target, overlap=overlap, precision=precision))
        layout = fold_with_overlap(torch.zeros(1, frames * c.hop_length, 1), target, overlap).shape
        print(
            f"    {precision:8s} target {target:5d} overlap {overlap:4d}: {layout[0]:3d} folds x {layout[1]:5d} steps"
            f"  {t:6.2f} s  RTF {t / seconds:5.2f}"
        )


def bench_hifigan(path: Path, manifest: dict, frames: int, label: str, bfloat16: bool = True) -> None:
    """Times the mel conversion and the generator in float32, then the generator in bfloat16 (only if `bfloat16`)."""
    config = HiFiGANConfig.from_dict(manifest["hparams"])
    (path.parent / "config.json").write_text(json.dumps(manifest["hparams"]))
    model = load_hifigan(path)
    sv2tts = synthesizer_like_mel(frames).numpy()
    sv2tts_to_hifigan_mel(sv2tts[:, :8], config)  # builds the cached filterbank matrices
    log_mel, t_convert = timed(lambda: sv2tts_to_hifigan_mel(sv2tts, config))
    model.generate(log_mel[:, :32])  # warm-up
    wav, t_generate = timed(lambda: model.generate(log_mel))
    seconds = len(wav) / config.sampling_rate
    print(
        f"HiFi-GAN {label}: {log_mel.shape[1]} frames = {seconds:.2f} s at {config.sampling_rate} Hz: "
        f"generator {t_generate:.2f} s RTF {t_generate / seconds:.3f}; mel conversion {t_convert * 1e3:.0f} ms; "
        f"path RTF {(t_generate + t_convert) / seconds:.3f}"
    )
    if bfloat16:
        model.generate(log_mel[:, :32], precision="bfloat16")  # warm-up
        _, t_bfloat16 = timed(lambda: model.generate(log_mel, precision="bfloat16"))
        print(
            f"  bfloat16 generator {t_bfloat16:.2f} s RTF {t_bfloat16 / seconds:.3f} "
            f"(x{t_generate / t_bfloat16:.2f} of float32's speed)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--frames", type=int, default=400, help="mel frames to vocode (400 = 5 s; default: %(default)s)"
    )
    parser.add_argument(
        "--reference-steps",
        type=int,
        default=None,
        help="time the slow reference loop on only this many sample steps of the folds and extrapolate (default: all)",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=shared_dir(),
        help="shared test data folder (default: $VOXLIP_SHARED or ../shared, here %(default)s)",
    )
    add_threads_flag(parser)
    add_bfloat16_flag(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bfloat16 = bfloat16_rows(args.bfloat16)
    seeded = load_seeded(args.shared)
    with tempfile.TemporaryDirectory() as folder:
        path, _ = write_seeded(seeded, args.shared, "rtvc_wavernn", Path(folder))
        bench_wavernn(load_wavernn(path), args.frames, args.reference_steps, bfloat16)
        for name, label in [("hifigan_v1", "V1"), ("hifigan_v3", "V3")]:
            path, manifest = write_seeded(seeded, args.shared, name, Path(folder))
            bench_hifigan(path, manifest, args.frames, label, bfloat16)


if __name__ == "__main__":
    run_script(main)
