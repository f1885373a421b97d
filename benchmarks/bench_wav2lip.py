"""Wav2Lip generator speed on CPU: the plain fp32 path, then faster variants and how far they drift.

    .venv/bin/python benchmarks/bench_wav2lip.py [--batches 16 128] [--repeats 3] [--threads 2]

Seeded weights from shared/compat stand in for wav2lip.pth (same layers, so the same speed). Every
variant runs on the same inputs, interleaved round by round so that load from other processes
hits them alike; the best round is the figure to compare, the median shows the noise.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import os
import statistics
import tempfile
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

import torch
from common import add_threads_flag, run_script, shared_dir
from torch import Tensor, nn

from lipsync.wav2lip import Wav2Lip, load_wav2lip

REPO = Path(__file__).resolve().parents[1]
GFLOP_PER_FRAME = 7.93  # convolutions only, 2 x multiply-adds, for one 96x96 frame
TOLERANCE = 1e-3
LIPSYNC_FIRST_ROW = 37
"""Where lipsync's blend mask starts on the shared 512x512 clip (nose height): rows above are not generated."""


def load_seeded(compat: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", compat / "seeded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_seeded_wav2lip(folder: Path) -> Path:
    compat = shared_dir() / "compat"
    seeded = load_seeded(compat)
    manifest = seeded.load_manifest(compat / "manifests" / "wav2lip.json")
    path = folder / "wav2lip.pth"
    seeded.write_checkpoint(manifest, str(path))
    return path


def make_inputs(batch: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Mel windows in [-4, 4] and [masked target, reference] faces in [0, 1], as inference.py feeds."""
    generator = torch.Generator().manual_seed(seed)
    audio = torch.rand(batch, 1, 80, 16, generator=generator) * 8 - 4
    face = torch.rand(batch, 6, 96, 96, generator=generator)
    face[:, :3, 48:] = 0
    return audio, face


@dataclass(frozen=True)
class Variant:
    name: str
    model: Callable[[Tensor, Tensor], Tensor]
    bf16: bool = False
    inference_mode: bool = True
    first_row: int = 0
    """Rows above this are not generated (`Wav2Lip.generate(..., first_row)`), as lipsync does."""

    def __call__(self, audio: Tensor, face: Tensor) -> Tensor:
        grad = torch.inference_mode() if self.inference_mode else torch.no_grad()
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else nullcontext()
        with grad, autocast:
            if self.first_row:
                return self.model.generate(audio, face, self.first_row).float()
            return self.model(audio, face).float()


def frozen_torchscript(model: Wav2Lip, audio: Tensor, face: Tensor) -> torch.jit.ScriptModule:
    """TorchScript trace -> freeze -> optimize_for_inference (oneDNN conv fusions)."""
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(model, (audio, face), check_trace=False)
        return torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))


class WinogradConv3x3(nn.Module):
    """A stride-1 3x3 convolution run by NNPACK, which picks Winograd F(6x6, 3x3) for it."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        self.weight, self.bias, self.padding = conv.weight, conv.bias, [conv.padding[0]] * 2 + [conv.padding[1]] * 2

    def forward(self, x: Tensor) -> Tensor:
        return torch._nnpack_spatial_convolution(x.contiguous(), self.weight, self.bias, self.padding)


def with_winograd(model: Wav2Lip) -> Wav2Lip:
    """A copy whose stride-1 3x3 convolutions (about 70% of the FLOPs) go through NNPACK."""
    model = copy.deepcopy(model)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if (
                type(child) is nn.Conv2d
                and child.kernel_size == (3, 3)
                and child.stride == (1, 1)
                and child.groups == 1
            ):
                setattr(parent, name, WinogradConv3x3(child))
    return model


def build_variants(checkpoint: Path, example: tuple[Tensor, Tensor], bf16: bool, script: bool) -> list[Variant]:
    plain = load_wav2lip(checkpoint, fuse_batchnorm=False, channels_last=False)
    fused = load_wav2lip(checkpoint, fuse_batchnorm=True, channels_last=False)
    fused_nhwc = load_wav2lip(checkpoint)  # the loader's defaults
    variants = [
        Variant("fp32 plain: BN, no_grad, NCHW (Wav2Lip's own way)", plain, inference_mode=False),
        Variant("fp32 + inference_mode", plain),
        Variant("fp32 + inference_mode + BN folded", fused),
        Variant("fp32 + BN folded + channels_last (load_wav2lip)", fused_nhwc),
    ]
    if script:
        audio, face = example
        variants.append(Variant("fp32 + BN folded + TorchScript freeze", frozen_torchscript(fused, audio, face)))
    if torch._nnpack_available():  # the call also initialises NNPACK
        variants.append(Variant("fp32 + BN folded + NNPACK Winograd 3x3", with_winograd(fused)))
    rows = f"rows {LIPSYNC_FIRST_ROW}-95 only"
    variants.append(Variant(f"fp32 (load_wav2lip), {rows}", fused_nhwc, first_row=LIPSYNC_FIRST_ROW))
    if bf16:
        variants += [
            Variant("bf16 autocast + BN folded, NCHW", fused, bf16=True),
            Variant("bf16 autocast + BN folded + channels_last", fused_nhwc, bf16=True),
            Variant(f"bf16 autocast (load_wav2lip), {rows}", fused_nhwc, bf16=True, first_row=LIPSYNC_FIRST_ROW),
        ]
    return variants


def time_variants(variants: list[Variant], batch: int, repeats: int, threads: int) -> None:
    audio, face = make_inputs(batch)
    reference = variants[0](audio, face)  # also the warm-up of the baseline
    drift = {}
    for variant in variants[1:]:
        rows = slice(variant.first_row, None)
        drift[variant.name] = (variant(audio, face)[:, :, rows] - reference[:, :, rows]).abs().max().item()  # warm-up
    wall: dict[str, list[float]] = {v.name: [] for v in variants}
    cpu: dict[str, list[float]] = {v.name: [] for v in variants}
    for _ in range(repeats):
        for variant in variants:
            start, start_cpu = time.perf_counter(), time.process_time()
            variant(audio, face)
            wall[variant.name].append(time.perf_counter() - start)
            cpu[variant.name].append((time.process_time() - start_cpu) / threads)

    print(
        f"\nbatch {batch}: best of {repeats} interleaved rounds; wall ms/frame (median), and CPU ms/frame per "
        "thread, which other processes inflate less; GFLOP/s counts a whole frame's work, so rows-only variants "
        "show the work they skip; their diff is over the rows they generate"
    )
    print(f"  {'variant':52s} {'wall ms/frame':>17s} {'fps':>6s} {'cpu ms':>7s} {'GFLOP/s':>8s} {'max |diff|':>11s}")
    for variant in variants:
        best = min(wall[variant.name]) / batch * 1e3
        median = statistics.median(wall[variant.name]) / batch * 1e3
        per_thread = min(cpu[variant.name]) / batch * 1e3
        diff = drift.get(variant.name, 0.0)
        verdict = "" if diff <= TOLERANCE else f"  > {TOLERANCE:g}"
        print(
            f"  {variant.name:52s} {best:6.1f} ({median:7.1f}) {1e3 / best:6.1f} {per_thread:7.1f} "
            f"{GFLOP_PER_FRAME / best * 1e3:8.1f} {diff:11.2e}{verdict}"
        )


def count_dynamic_quantizable(model: nn.Module) -> int:
    """Modules torch.ao.quantization.quantize_dynamic would replace (Linear and recurrent layers)."""
    kinds = (nn.Linear, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)
    return sum(isinstance(m, kinds) for m in model.modules())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[16, 128], help="batch sizes (default: %(default)s)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="interleaved timed rounds, the best kept (default: %(default)s)"
    )
    add_threads_flag(parser)
    parser.add_argument("--no-script", action="store_true", help="skip the TorchScript-freeze variant")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    bf16 = torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU capability "
        f"{torch.backends.cpu.get_cpu_capability()}, oneDNN bf16: {'yes' if bf16 else 'no'}"
    )
    print(
        f"load average at start: {os.getloadavg()[0]:.2f}; {GFLOP_PER_FRAME} GFLOP per frame; "
        f"25 fps for the whole neural path leaves under 40 ms/frame for the generator"
    )

    with tempfile.TemporaryDirectory() as folder:
        checkpoint = write_seeded_wav2lip(Path(folder))
        variants = build_variants(checkpoint, make_inputs(2), bf16, script=not args.no_script)
        print(
            f"int8 dynamic quantisation: {count_dynamic_quantizable(variants[0].model)} Linear/RNN layers "
            "in Wav2Lip (it is all convolutions), so quantize_dynamic would change nothing: not applicable"
        )
        for batch in args.batches:
            time_variants(variants, batch, args.repeats, torch.get_num_threads())
    print(
        f"\nload average at end: {os.getloadavg()[0]:.2f} (other processes on the {os.cpu_count()} cores "
        "inflate the medians)"
    )


if __name__ == "__main__":
    run_script(main)
