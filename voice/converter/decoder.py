"""The converter's decoder: voxlip's HiFi-GAN generator on the latent z, plus a bias from the speaker embedding.

It is HiFi-GAN V1's layout (same upsampling stages and res blocks, `voice.vocoder.hifigan`) with
two differences: `cond`, a 1x1 conv of the embedding added after `conv_pre`, and a `conv_post`
without bias.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from voice.vocoder.hifigan import HiFiGANConfig, upsample, upsampling_layers


class ConditionedHiFiGAN(nn.Module):
    """(B, latent, T) z and (B, gin, 1) embedding -> (B, 1, T * hop) waveform in [-1, 1]."""

    def __init__(self, config: HiFiGANConfig, gin_channels: int):
        super().__init__()
        self.conv_pre = nn.Conv1d(config.num_mels, config.upsample_initial_channel, 7, padding=3)
        self.ups, self.resblocks = upsampling_layers(config)
        self.conv_post = nn.Conv1d(self.ups[-1].out_channels, 1, 7, padding=3, bias=False)
        self.cond = nn.Conv1d(gin_channels, config.upsample_initial_channel, 1)

    def forward(self, z: Tensor, g: Tensor) -> Tensor:
        x = upsample(self.conv_pre(z) + self.cond(g), self.ups, self.resblocks)
        return torch.tanh(self.conv_post(F.leaky_relu(x)))
