"""Location-sensitive attention over the encoder output."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn


class Memory(NamedTuple):
    """The encoder output as the decoder sees it, prepared once per utterance batch."""

    seq: Tensor
    """(B, N, context_dims) text features with the speaker embedding appended."""
    proj: Tensor
    """(B, N, decoder_dims) `encoder_proj(seq)`, the attention keys."""
    keep: Tensor
    """(B, N) float, 0 where the id is the pad id 0: energies are multiplied by it (SV2TTS's masking)."""
    valid: Tensor | None
    """(B, N) bool, False past each row's length (those ids get no attention at all); None = all valid."""


class LocationSensitiveAttention(nn.Module):
    """Additive attention whose energies also see a convolution of the cumulative attention so far."""

    def __init__(self, attn_dims: int, filters: int = 32, kernel_size: int = 31):
        super().__init__()
        self.conv = nn.Conv1d(1, filters, kernel_size, padding=(kernel_size - 1) // 2)
        self.L = nn.Linear(filters, attn_dims, bias=False)
        self.W = nn.Linear(attn_dims, attn_dims)
        self.v = nn.Linear(attn_dims, 1, bias=False)

    def forward(self, memory: Memory, query: Tensor, cumulative: Tensor) -> Tensor:
        """Attention weights (B, N) for the decoder state `query` (B, attn_dims)."""
        location = self.L(self.conv(cumulative.unsqueeze(1)).transpose(1, 2))
        energies = self.v(torch.tanh(self.W(query).unsqueeze(1) + memory.proj + location)).squeeze(-1)
        energies = energies * memory.keep
        if memory.valid is not None:
            energies = energies.masked_fill(~memory.valid, float("-inf"))
        return torch.softmax(energies, dim=1)
