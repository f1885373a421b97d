"""VITS posterior encoder: spectrogram -> mean and log-std of the latent z, through a WaveNet stack (WN).

Inputs are whole utterances (no padding), so VITS's length masks are all ones and are left out.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class WaveNet(nn.Module):
    """Non-causal WaveNet: gated dilated convs with residual and skip outputs, conditioned on an embedding g.

    `cond_layer` is one 1x1 conv making the conditioning of every layer at once; layer i reads
    channels [2H i, 2H (i + 1)). The last layer has no residual output.
    """

    def __init__(self, hidden: int, kernel_size: int, dilation_rate: int, n_layers: int, gin_channels: int):
        super().__init__()
        self.hidden = hidden
        self.cond_layer = nn.Conv1d(gin_channels, 2 * hidden * n_layers, 1)
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for i in range(n_layers):
            dilation = dilation_rate**i
            padding = (kernel_size * dilation - dilation) // 2
            self.in_layers.append(nn.Conv1d(hidden, 2 * hidden, kernel_size, dilation=dilation, padding=padding))
            self.res_skip_layers.append(nn.Conv1d(hidden, 2 * hidden if i < n_layers - 1 else hidden, 1))

    def forward(self, x: Tensor, g: Tensor) -> Tensor:
        """(B, hidden, T) features and (B, gin, 1) embedding -> (B, hidden, T) sum of skips."""
        h = self.hidden
        cond = self.cond_layer(g)
        last = len(self.in_layers) - 1
        output = None
        for i, (in_layer, res_skip) in enumerate(zip(self.in_layers, self.res_skip_layers)):
            a = in_layer(x) + cond[:, 2 * h * i : 2 * h * (i + 1)]
            out = res_skip(torch.tanh(a[:, :h]) * torch.sigmoid(a[:, h:]))
            skip = out if i == last else out[:, h:]
            if i < last:
                x = x + out[:, :h]
            output = skip if output is None else output + skip
        return output


class PosteriorEncoder(nn.Module):
    """1x1 conv in -> WaveNet -> 1x1 conv to (mean, log-std) of z."""

    def __init__(
        self, in_channels: int, out_channels: int, hidden: int, kernel_size: int, n_layers: int, gin_channels: int
    ):
        super().__init__()
        self.out_channels = out_channels
        self.pre = nn.Conv1d(in_channels, hidden, 1)
        self.enc = WaveNet(hidden, kernel_size, 1, n_layers, gin_channels)
        self.proj = nn.Conv1d(hidden, 2 * out_channels, 1)

    def forward(self, spec: Tensor, g: Tensor) -> tuple[Tensor, Tensor]:
        """(B, bins, T) spectrogram, (B, gin, 1) embedding -> mean and log-std, each (B, out_channels, T)."""
        stats = self.proj(self.enc(self.pre(spec), g))
        return stats[:, : self.out_channels], stats[:, self.out_channels :]
