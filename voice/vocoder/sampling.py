"""WaveRNN's sample-by-sample loop, twice: as the original wrote it, and fast.

Both draw each sample from the categorical distribution over the 2**bits mu-law levels by
inverse-CDF with one uniform number per sample (`uniforms[step, fold]`), so under the same
uniforms they pick the same levels whenever their logits agree.

The fast loop does per step only what depends on the previous sample:
- everything computed from the mel/aux conditioning (the conditioning columns of I, rnn2, fc1
  and fc2, and rnn1's input projection of I's output, composed into one matrix) is done before
  the loop, as large matrix products over a chunk of steps;
- the previous sample x enters I linearly, so its contribution to I and to rnn1's input
  gates is a precomputed vector times x;
- the remaining 6 products of (folds, 512) by (512, <= 1536) use weights pre-packed for
  oneDNN (`voice/affine.py`), with the conditioning term fused into the product.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from voice.affine import Affine

from . import kernels

CHUNK_ROWS = 1024
"""Fold-steps whose conditioning is projected at once in the fast loop: small enough to stay in
cache until the steps use it (8192 was 10% slower on 41 folds)."""


def sample_levels(n_classes: int, device: torch.device | None = None) -> Tensor:
    """(n_classes + 1, 1) float32 value of each class in [-1, 1]; the extra row repeats the last
    class so an inverse-CDF index that rounding pushed one past the end still maps to it."""
    levels = 2 * torch.arange(n_classes, device=device).float() / (n_classes - 1.0) - 1.0
    return torch.cat([levels, levels[-1:]]).unsqueeze(1)


def inverse_cdf_sample(logits: Tensor, uniforms: Tensor) -> Tensor:
    """(B, n_classes) logits, (B, 1) uniforms in [0, 1) -> (B, 1) class indices (n_classes possible on rounding)."""
    cdf = torch.cumsum(torch.softmax(logits, dim=1), dim=1)
    return torch.searchsorted(cdf, uniforms, right=True)


def _gru_cell(gru: nn.GRU) -> nn.GRUCell:
    """A GRUCell sharing the weights of a one-layer GRU."""
    cell = nn.GRUCell(gru.input_size, gru.hidden_size, device=gru.weight_ih_l0.device)
    cell.weight_ih, cell.weight_hh = gru.weight_ih_l0, gru.weight_hh_l0
    cell.bias_ih, cell.bias_hh = gru.bias_ih_l0, gru.bias_hh_l0
    return cell


@torch.inference_mode()
def reference_samples(model: nn.Module, mels: Tensor, aux: Tensor, uniforms: Tensor) -> Tensor:
    """(folds, steps, n_mels) and (folds, steps, aux) conditioning, (steps, folds) uniforms -> (folds, steps)
    samples."""
    folds, steps, _ = mels.shape
    c = model.config
    rnn1, rnn2 = _gru_cell(model.rnn1), _gru_cell(model.rnn2)
    a1, a2, a3, a4 = aux.split(c.aux_dims, dim=2)
    levels = sample_levels(c.n_classes, mels.device)
    h1 = torch.zeros(folds, c.rnn_dims, device=mels.device)
    h2 = torch.zeros(folds, c.rnn_dims, device=mels.device)
    x = torch.zeros(folds, 1, device=mels.device)
    samples = []
    for t in range(steps):
        y = model.I(torch.cat([x, mels[:, t], a1[:, t]], dim=1))
        h1 = rnn1(y, h1)
        y = y + h1
        h2 = rnn2(torch.cat([y, a2[:, t]], dim=1), h2)
        y = y + h2
        y = torch.relu(model.fc1(torch.cat([y, a3[:, t]], dim=1)))
        y = torch.relu(model.fc2(torch.cat([y, a4[:, t]], dim=1)))
        label = inverse_cdf_sample(model.fc3(y), uniforms[t].unsqueeze(1))
        x = levels[label.squeeze(1)]
        samples.append(x)
    return torch.cat(samples, dim=1)


def _double_new_gate(gates: Tensor) -> Tensor:
    """A copy of GRU gate weights (or biases) with the candidate ("n") rows doubled, see `_gru_update`."""
    hidden = gates.shape[0] // 3
    return torch.cat([gates[: 2 * hidden], 2 * gates[2 * hidden :]])


class StepWeights:
    """WaveRNN's weights split by what they multiply, ready for the fast loop.

    Conditioning parts become `cond_*` projections applied to whole chunks of steps; the parts
    that multiply the recurrent state become `Affine` products tuned for `folds` rows. The
    candidate-gate rows of both GRUs are doubled (exact in floating point), see `_gru_update`.
    """

    def __init__(self, model: nn.Module, folds: int, precision: str):
        c = model.config
        r, fc = c.rnn_dims, c.fc_dims
        w_i, b_i = model.I.weight, model.I.bias
        ih1 = _double_new_gate(model.rnn1.weight_ih_l0)
        ih2 = _double_new_gate(model.rnn2.weight_ih_l0)
        # [mel, a1] -> I's conditioning part, and the same through rnn1's input weights.
        self.cond_i = Affine(w_i[:, 1:], b_i, CHUNK_ROWS)
        self.cond_gates1 = Affine(ih1 @ w_i[:, 1:], ih1 @ b_i + _double_new_gate(model.rnn1.bias_ih_l0), CHUNK_ROWS)
        self.cond_gates2 = Affine(ih2[:, r:], _double_new_gate(model.rnn2.bias_ih_l0), CHUNK_ROWS)
        self.cond_fc1 = Affine(model.fc1.weight[:, r:], model.fc1.bias, CHUNK_ROWS)
        self.cond_fc2 = Affine(model.fc2.weight[:, fc:], model.fc2.bias, CHUNK_ROWS)
        # The previous sample x enters I linearly: its column, and that column through rnn1.
        self.x_to_i = w_i[:, 0].contiguous()
        self.x_to_gates1 = ih1 @ w_i[:, 0]
        self.hh1 = Affine(
            _double_new_gate(model.rnn1.weight_hh_l0), _double_new_gate(model.rnn1.bias_hh_l0), folds, precision
        )
        self.ih2 = Affine(ih2[:, :r], None, folds, precision)
        self.hh2 = Affine(
            _double_new_gate(model.rnn2.weight_hh_l0), _double_new_gate(model.rnn2.bias_hh_l0), folds, precision
        )
        self.fc1 = Affine(model.fc1.weight[:, :r], None, folds, precision)
        self.fc2 = Affine(model.fc2.weight[:, :fc], None, folds, precision)
        self.fc3 = Affine(model.fc3.weight, model.fc3.bias, folds, precision)


def _gru_update(gi: Tensor, gh: Tensor, h: Tensor) -> Tensor:
    """GRU state update in place from input gates `gi` and hidden gates `gh` (r, z, n; biases included).

    The candidate rows of `gi` and `gh` come doubled, so tanh(a) is computed as 2 * sigmoid(2a) - 1:
    torch's CPU sigmoid is 3x faster than its tanh.
    """
    hidden = h.shape[1]
    rz = torch.add(gi[:, : 2 * hidden], gh[:, : 2 * hidden]).sigmoid_()
    n = torch.addcmul(gi[:, 2 * hidden :], rz[:, :hidden], gh[:, 2 * hidden :]).sigmoid_().mul_(2).sub_(1)
    return h.sub_(n).mul_(rz[:, hidden:]).add_(n)


@torch.inference_mode()
def fast_samples(
    model: nn.Module,
    mels: Tensor,
    aux: Tensor,
    uniforms: Tensor,
    precision: str = "float32",
    fused: bool = True,
    progress: Callable[[float], None] | None = None,
) -> Tensor:
    """Same contract as `reference_samples`, several times faster.

    `precision` is that of the products with the recurrent state (see `voice/affine.py`). With
    "float32" the samples are those of the reference loop; "bfloat16" (logits move by ~1e-2) and
    "int8" (~1% error per product) are faster but draw other samples from slightly different
    distributions. `fused` uses the compiled element-wise kernels of `kernels.py` when they build.
    `progress(share of the steps done)` is called every few hundred steps.
    """
    folds, steps, _ = mels.shape
    c = model.config
    d = c.aux_dims
    w = StepWeights(model, folds, precision)
    levels = sample_levels(c.n_classes, mels.device)
    step = _torch_step
    if fused and mels.device.type == "cpu" and (compiled := kernels.load()) is not None:
        step = functools.partial(_fused_step, compiled)

    # Time-major conditioning: row t holds every fold's features at step t.
    mel_a1 = torch.cat([mels, aux[:, :, :d]], dim=2).transpose(0, 1).contiguous()
    a2, a3, a4 = (aux[:, :, k * d : (k + 1) * d].transpose(0, 1).contiguous() for k in (1, 2, 3))
    uniforms = uniforms.unsqueeze(2).contiguous()

    state = _State(
        h1=torch.zeros(folds, c.rnn_dims, device=mels.device),
        h2=torch.zeros(folds, c.rnn_dims, device=mels.device),
        y=torch.empty(folds, c.rnn_dims, device=mels.device),
        x=torch.zeros(folds, 1, device=mels.device),
    )
    samples = torch.empty(steps, folds, 1, device=mels.device)

    chunk = max(1, CHUNK_ROWS // folds)
    for start in range(0, steps, chunk):
        rows = slice(start, min(steps, start + chunk))

        def project(affine: Affine, features: Tensor) -> tuple[Tensor, ...]:
            block = features[rows]
            return affine(block.reshape(-1, block.shape[-1])).view(*block.shape[:2], -1).unbind(0)

        per_step = zip(
            project(w.cond_i, mel_a1),
            project(w.cond_gates1, mel_a1),
            project(w.cond_gates2, a2),
            project(w.cond_fc1, a3),
            project(w.cond_fc2, a4),
            uniforms[rows].unbind(0),
            samples[rows].unbind(0),
        )
        for conditioning in per_step:
            step(w, levels, state, *conditioning)
        if progress is not None:
            progress(rows.stop / steps)
    return samples.squeeze(2).t().contiguous()


@dataclass
class _State:
    h1: Tensor
    h2: Tensor
    y: Tensor
    """I's output plus both GRU residuals (the input of fc1)."""
    x: Tensor
    """The previous sample of each fold, (folds, 1)."""


def _torch_step(
    w: StepWeights, levels: Tensor, s: _State, cond_i, cond_gates1, cond_gates2, cond_fc1, cond_fc2, u, sample
) -> None:
    _gru_update(torch.addcmul(cond_gates1, s.x, w.x_to_gates1), w.hh1(s.h1), s.h1)
    torch.addcmul(cond_i, s.x, w.x_to_i, out=s.y).add_(s.h1)
    _gru_update(w.ih2(s.y, cond_gates2), w.hh2(s.h2), s.h2)
    s.y.add_(s.h2)
    f = w.fc1(s.y, cond_fc1).clamp_min_(0)
    f = w.fc2(f, cond_fc2).clamp_min_(0)
    torch.index_select(levels, 0, inverse_cdf_sample(w.fc3(f), u).view(-1), out=sample)
    s.x = sample


def _fused_step(
    compiled, w: StepWeights, levels: Tensor, s: _State, cond_i, cond_gates1, cond_gates2, cond_fc1, cond_fc2, u, sample
) -> None:
    compiled.first_gru(cond_gates1, s.x, w.x_to_gates1, w.hh1(s.h1), s.h1, cond_i, w.x_to_i, s.y)
    compiled.second_gru(w.ih2(s.y, cond_gates2), w.hh2(s.h2), s.h2, s.y)
    f = w.fc1(s.y, cond_fc1).clamp_min_(0)
    f = w.fc2(f, cond_fc2).clamp_min_(0)
    compiled.draw_levels(w.fc3(f), u, levels, sample)
    s.x = sample
