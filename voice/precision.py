"""The number formats voxlip's neural models can compute their products in, checked at the edge."""

from __future__ import annotations

from core.errors import InputError

PRECISIONS = ("float32", "bfloat16", "int8")
MODEL_PRECISIONS = ("float32", "bfloat16")
"""What a whole model runs in; int8 is offered only for WaveRNN's per-step products."""


def check_precision(precision: str, what: str, allowed: tuple[str, ...] = MODEL_PRECISIONS) -> None:
    """InputError naming `what` and the allowed values unless `precision` is one of them."""
    if precision not in allowed:
        raise InputError(f"unknown {what} precision {precision!r}: use one of {', '.join(allowed)}")
