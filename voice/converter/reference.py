"""Reference encoder: a spectrogram of any length -> one tone-colour embedding (OpenVoice's speaker vector).

Strided 2-D convs shrink time and frequency 64x; a GRU reads what is left frame by frame and its
final state, projected, is the embedding (no normalisation: the flow was trained on it raw).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


def _strided_size(size: int, layers: int) -> int:
    """Length after `layers` convs of kernel 3, stride 2, padding 1."""
    for _ in range(layers):
        size = (size - 3 + 2) // 2 + 1
    return size


class ReferenceEncoder(nn.Module):
    """LayerNorm over frequency -> 3x3 stride-2 convs with ReLU -> GRU -> linear."""

    def __init__(self, bins: int, filters: tuple[int, ...], hidden: int, embedding: int):
        super().__init__()
        channels = (1, *filters)
        self.convs = nn.ModuleList(
            nn.Conv2d(channels[i], channels[i + 1], 3, stride=2, padding=1) for i in range(len(filters))
        )
        self.gru = nn.GRU(filters[-1] * _strided_size(bins, len(filters)), hidden, batch_first=True)
        self.proj = nn.Linear(hidden, embedding)
        self.layernorm = nn.LayerNorm(bins)

    def forward(self, spec: Tensor) -> Tensor:
        """(B, bins, T) spectrogram -> (B, embedding)."""
        x = self.layernorm(spec.transpose(1, 2)).unsqueeze(1)  # (B, 1, T, bins)
        for conv in self.convs:
            x = F.relu(conv(x))
        x = x.transpose(1, 2).flatten(2)  # (B, T', channels * bins'), channel-major
        _, state = self.gru(x)
        return self.proj(state[-1])
