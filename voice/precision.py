"""The number formats voxlip's neural models can compute their products in, checked at the edge."""

from __future__ import annotations

from pathlib import Path

from core.errors import InputError

PRECISIONS = ("float32", "bfloat16", "int8")
MODEL_PRECISIONS = ("float32", "bfloat16")
"""What a whole model runs in; int8 is offered only for WaveRNN's per-step products."""


def check_precision(precision: str, what: str, allowed: tuple[str, ...] = MODEL_PRECISIONS) -> None:
    """InputError naming `what` and the allowed values unless `precision` is one of them."""
    if precision not in allowed:
        raise InputError(f"unknown {what} precision {precision!r}: use one of {', '.join(allowed)}")


BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")
"""CPU features (Linux's names) that compute bfloat16 products natively; without them PyTorch emulates them."""


def bfloat16_is_emulated(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU lacks bfloat16 instructions, as Linux lists them (False where it cannot be told): there,
    bfloat16 runs many times slower than float32 (`voxlip say` with SV2TTS and HiFi-GAN: 27 s against 1.2 s)."""
    try:
        flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), None)
    except OSError:
        return False
    return flags is not None and not any(flag in flags.split() for flag in BFLOAT16_FLAGS)


def precision_note(precision: str, models: str, moved: str = "outputs move slightly") -> str:
    """What a run's result says of its models' `precision`: "" for float32; bfloat16 is faster on a CPU with its
    instructions and many times slower on one without (bfloat16_is_emulated)."""
    if precision == "float32":
        return ""
    if bfloat16_is_emulated():
        return (
            f"precision: {precision} products in the {models}, which this CPU has no instructions for (AVX512-BF16 or "
            "AMX): many times slower than float32 here; leave --precision float32"
        )
    return f"precision: {precision} products in the {models} (faster; {moved})"
