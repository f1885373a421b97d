"""VITS residual-coupling flow: moves the latent between a speaker's z and a speaker-free z_p.

Forward with the source's embedding removes its tone colour, reverse with the target's adds the
target's: that pair of passes is the whole conversion.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .posterior import WaveNet


class MeanCoupling(nn.Module):
    """Shift the second channel half by a WaveNet function of the first (volume-preserving: no scale)."""

    def __init__(self, channels: int, hidden: int, kernel_size: int, n_layers: int, gin_channels: int):
        super().__init__()
        self.half = channels // 2
        self.pre = nn.Conv1d(self.half, hidden, 1)
        self.enc = WaveNet(hidden, kernel_size, 1, n_layers, gin_channels)
        self.post = nn.Conv1d(hidden, self.half, 1)

    def forward(self, x: Tensor, g: Tensor, reverse: bool = False) -> Tensor:
        x0, x1 = x[:, : self.half], x[:, self.half :]
        shift = self.post(self.enc(self.pre(x0), g))
        return torch.cat([x0, x1 - shift if reverse else shift + x1], 1)


class Flip(nn.Module):
    """Reverse the channel order, so the next coupling shifts the other half."""

    def forward(self, x: Tensor, g: Tensor, reverse: bool = False) -> Tensor:
        return x.flip(1)


class ResidualCouplingFlow(nn.Module):
    """`couplings` x (MeanCoupling, Flip); reverse runs the steps backwards. Couplings sit at flows.0, 2, 4, ..."""

    def __init__(self, channels: int, hidden: int, kernel_size: int, n_layers: int, couplings: int, gin_channels: int):
        super().__init__()
        self.flows = nn.ModuleList()
        for _ in range(couplings):
            self.flows.append(MeanCoupling(channels, hidden, kernel_size, n_layers, gin_channels))
            self.flows.append(Flip())

    def forward(self, x: Tensor, g: Tensor, reverse: bool = False) -> Tensor:
        for step in reversed(self.flows) if reverse else self.flows:
            x = step(x, g, reverse)
        return x
