"""x @ W.T (+ bias or a per-row addend) for one fixed weight, with the fastest CPU kernel torch offers.

WaveRNN's sample loop and Tacotron's decoder multiply small batches (one to hundreds of rows) by
the same few matrices thousands of times; the kernel matters more than anything else there.
torch's addmm is slowest exactly there: (3, 2048) by (2048, 4096) takes 3.4 ms, oneDNN with a
prepacked weight 0.37 ms. Measured on 2 AMD EPYC (Zen 4) threads, 6 products of (34, 512) by
(512, <= 1536):
- "float32": oneDNN with the weight reordered once for the batch size, 1.5 ms (addmm: 2.1 ms);
- "bfloat16": the same in bf16 with float32 accumulation, 0.9-1.0 ms;
- "int8": fbgemm dynamic quantization (int8 weights per output channel, activations quantized
  per call), 0.6 ms; about 1% relative error per product.
The oneDNN and fbgemm entry points are internal ops of torch's x86 builds, so each is probed
once and the next best kernel is used where one is missing or disagrees.
"""

from __future__ import annotations

import functools
import logging
import warnings

import torch
from torch import Tensor

from .precision import PRECISIONS


def _probe_inputs() -> tuple[Tensor, Tensor, Tensor, Tensor]:
    g = torch.Generator().manual_seed(0)
    weight, bias = torch.randn(24, 16, generator=g) / 4, torch.randn(24, generator=g)
    x, addend = torch.rand(5, 16, generator=g) * 2 - 1, torch.randn(5, 24, generator=g)
    return weight, bias, x, addend


@functools.lru_cache(maxsize=4)
def onednn_works(dtype: torch.dtype) -> bool:
    """Whether this torch build has oneDNN's prepacked linear for `dtype` and it computes x @ W.T + b."""
    weight, bias, x, addend = _probe_inputs()
    tolerance = 1e-5 if dtype == torch.float32 else 5e-2
    try:
        with torch.inference_mode():
            kernel = _OneDNN(weight, bias, 5, dtype)
            plain, fused = kernel(x), _OneDNN(weight, None, 5, dtype)(x, addend)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return torch.allclose(plain, x @ weight.T + bias, atol=tolerance) and torch.allclose(
        fused, x @ weight.T + addend, atol=tolerance
    )


@functools.lru_cache(maxsize=1)
def int8_works() -> bool:
    """Whether this torch build has fbgemm's dynamically quantized linear and it is about right."""
    weight, bias, x, _ = _probe_inputs()
    try:
        with torch.inference_mode():
            y = _Int8(weight, bias)(x)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return torch.allclose(y, x @ weight.T + bias, atol=5e-2)


class _OneDNN:
    def __init__(self, weight: Tensor, bias: Tensor | None, batch: int, dtype: torch.dtype):
        self.dtype = dtype
        self.weight = torch.ops.mkldnn._reorder_linear_weight(weight.detach().to(dtype).contiguous(), batch)
        self.bias = bias

    def __call__(self, x: Tensor, addend: Tensor | None = None) -> Tensor:
        if self.dtype == torch.float32:
            if addend is None:
                return torch.ops.mkldnn._linear_pointwise(x, self.weight, self.bias, "none", [], "")
            return torch.ops.mkldnn._linear_pointwise.binary(x, addend, self.weight, None, "add")
        product = torch.ops.mkldnn._linear_pointwise(x.to(self.dtype), self.weight, None, "none", [], "")
        base = addend if addend is not None else self.bias
        return product.float() if base is None else torch.add(base, product)


class _Int8:
    def __init__(self, weight: Tensor, bias: Tensor | None):
        weight = weight.detach().float().contiguous()
        scales = (weight.abs().amax(dim=1) / 127).clamp_min(1e-12).double()
        zero_points = torch.zeros(weight.shape[0], dtype=torch.long)
        with warnings.catch_warnings():  # quantized tensors are deprecated, the fbgemm kernels are not replaced yet
            warnings.simplefilter("ignore")
            quantized = torch.quantize_per_channel(weight, scales, zero_points, 0, torch.qint8)
        self.packed = torch.ops.quantized.linear_prepack(quantized, None)
        self.bias = bias

    def __call__(self, x: Tensor, addend: Tensor | None = None) -> Tensor:
        product = torch.ops.quantized.linear_dynamic(x, self.packed, True)
        base = addend if addend is not None else self.bias
        return product if base is None else product.add_(base)


class _Addmm:
    def __init__(self, weight: Tensor, bias: Tensor | None, dtype: torch.dtype):
        self.dtype = dtype
        self.weight = weight.detach().to(dtype).t().contiguous()
        self.bias = bias

    def __call__(self, x: Tensor, addend: Tensor | None = None) -> Tensor:
        base = addend if addend is not None else self.bias
        if self.dtype != torch.float32:
            product = torch.mm(x.to(self.dtype), self.weight)
            return product.float() if base is None else torch.add(base, product)
        return torch.mm(x, self.weight) if base is None else torch.addmm(base, x, self.weight)


@functools.lru_cache(maxsize=None)
def _warn_once(message: str) -> None:
    logging.getLogger(__name__).warning(message)


class Affine:
    """y = x @ weight.T + bias, or x @ weight.T + `addend` (a per-row term that replaces the bias).

    `precision` is that of the product (the result is float32): "float32", "bfloat16" (inputs
    rounded to bf16, float32 accumulation) or "int8" (see the module docstring). `batch` is the
    number of rows the kernel is tuned for.
    """

    def __init__(self, weight: Tensor, bias: Tensor | None, batch: int, precision: str = "float32"):
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        on_cpu = weight.device.type == "cpu"
        if precision == "int8" and not (on_cpu and int8_works()):
            _warn_once(
                "int8 products are not available here (torch build without fbgemm, or not on CPU): using bfloat16"
            )
            precision = "bfloat16"
        self.precision = precision
        if precision == "int8":
            self.kernel = _Int8(weight, bias)
        else:
            dtype = torch.float32 if precision == "float32" else torch.bfloat16
            use_onednn = on_cpu and onednn_works(dtype)
            self.kernel = _OneDNN(weight, bias, batch, dtype) if use_onednn else _Addmm(weight, bias, dtype)

    def __call__(self, x: Tensor, addend: Tensor | None = None) -> Tensor:
        return self.kernel(x, addend)
