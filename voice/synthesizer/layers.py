"""Building blocks shared by the encoder and the postnet: pre-net, highway layers and CBHG."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

Generators = torch.Generator | Sequence[torch.Generator] | None
"""What pre-net dropout draws from: one generator for the whole batch, or one per row."""


def prenet_dropout(x: Tensor, p: float, generator: Generators, lengths: Tensor | None = None) -> Tensor:
    """Dropout that stays on at inference (Tacotron relies on it), drawn from `generator`.

    With one generator per row, row i's mask is drawn from `generator[i]` alone, over its first `lengths[i]`
    positions when `x` is (B, N, C) (padding is kept), which is what the row draws when it is alone.
    """
    if p == 0.0:
        return x
    if generator is None or isinstance(generator, torch.Generator):
        keep = torch.empty_like(x).bernoulli_(1.0 - p, generator=generator)
    else:
        keep = torch.ones_like(x)
        for row, row_generator in enumerate(generator):
            drawn = keep[row] if lengths is None else keep[row, : int(lengths[row])]
            drawn.bernoulli_(1.0 - p, generator=row_generator)
    return x * keep / (1.0 - p)


def sequence_mask(lengths: Tensor, size: int) -> Tensor:
    """(B, size) bool, True at positions before each row's length."""
    return torch.arange(size, device=lengths.device) < lengths.unsqueeze(1)


class PreNet(nn.Module):
    """Two ReLU layers, each followed by dropout."""

    def __init__(self, in_dims: int, fc1_dims: int, fc2_dims: int):
        super().__init__()
        self.fc1 = nn.Linear(in_dims, fc1_dims)
        self.fc2 = nn.Linear(fc1_dims, fc2_dims)

    def forward(
        self, x: Tensor, dropout: float = 0.0, generator: Generators = None, lengths: Tensor | None = None
    ) -> Tensor:
        x = prenet_dropout(F.relu(self.fc1(x)), dropout, generator, lengths)
        return prenet_dropout(F.relu(self.fc2(x)), dropout, generator, lengths)


class Highway(nn.Module):
    """y = g * relu(W1 x) + (1 - g) * x with the gate g = sigmoid(W2 x)."""

    def __init__(self, size: int):
        super().__init__()
        self.W1 = nn.Linear(size, size)
        self.W2 = nn.Linear(size, size)

    def forward(self, x: Tensor) -> Tensor:
        gate = torch.sigmoid(self.W2(x))
        return gate * F.relu(self.W1(x)) + (1.0 - gate) * x


class BatchNormConv(nn.Module):
    """Conv1d without bias, optional ReLU, then BatchNorm (after the ReLU, as SV2TTS trained it)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, relu: bool = True):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel, padding=kernel // 2, bias=False)
        self.bnorm = nn.BatchNorm1d(out_channels)
        self.relu = relu

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        return self.bnorm(F.relu(x) if self.relu else x)


class CBHG(nn.Module):
    """Conv bank, max-pool, two projections, residual, highways, bidirectional GRU: (B, C, T) -> (B, T, channels).

    With `lengths`, positions past each row's length are zeroed before every convolution and skipped by
    the GRU, so a row's output does not depend on how much padding the batch adds.
    """

    def __init__(self, K: int, in_channels: int, channels: int, proj_channels: tuple[int, int], num_highways: int):
        super().__init__()
        self.conv1d_bank = nn.ModuleList(BatchNormConv(in_channels, channels, k) for k in range(1, K + 1))
        self.maxpool = nn.MaxPool1d(kernel_size=2, stride=1, padding=1)
        self.conv_project1 = BatchNormConv(K * channels, proj_channels[0], 3)
        self.conv_project2 = BatchNormConv(proj_channels[0], proj_channels[1], 3, relu=False)
        self.pre_highway = nn.Linear(proj_channels[1], channels, bias=False) if proj_channels[1] != channels else None
        self.highways = nn.ModuleList(Highway(channels) for _ in range(num_highways))
        self.rnn = nn.GRU(channels, channels // 2, batch_first=True, bidirectional=True)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        steps = x.size(-1)
        if lengths is not None and bool((lengths >= steps).all()):
            lengths = None
        mask = None if lengths is None else sequence_mask(lengths, steps).unsqueeze(1).to(x.dtype)

        def padded_with_zeros(y: Tensor) -> Tensor:
            return y if mask is None else y * mask

        residual = x
        x = padded_with_zeros(x)
        bank = torch.cat([conv(x)[:, :, :steps] for conv in self.conv1d_bank], dim=1)
        x = self.maxpool(bank)[:, :, :steps]
        x = self.conv_project1(padded_with_zeros(x))
        x = self.conv_project2(padded_with_zeros(x))
        x = (x + residual).transpose(1, 2)
        if self.pre_highway is not None:
            x = self.pre_highway(x)
        for highway in self.highways:
            x = highway(x)
        if lengths is None:
            return self.rnn(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=steps)[0]
