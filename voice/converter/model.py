"""The OpenVoice V2 tone-colour converter as one module, with the state-dict layout of the published file."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .config import ConverterConfig
from .decoder import ConditionedHiFiGAN
from .flow import ResidualCouplingFlow
from .posterior import PosteriorEncoder
from .reference import ReferenceEncoder


class ToneColourConverter(nn.Module):
    """VITS without its text side: spectrogram -> z (enc_q) -> speaker-free z_p (flow) -> target z -> wave (dec).

    `ref_enc` makes the embeddings that steer the flow. Submodule names are the checkpoint's key prefixes.
    """

    def __init__(self, config: ConverterConfig):
        super().__init__()
        self.config = c = config
        self.dec = ConditionedHiFiGAN(c.decoder, c.gin_channels)
        self.enc_q = PosteriorEncoder(
            c.spectrogram.bins,
            c.inter_channels,
            c.hidden_channels,
            c.posterior_kernel,
            c.posterior_layers,
            c.gin_channels,
        )
        self.flow = ResidualCouplingFlow(
            c.inter_channels, c.hidden_channels, c.flow_kernel, c.flow_layers, c.flow_couplings, c.gin_channels
        )
        self.ref_enc = ReferenceEncoder(c.spectrogram.bins, c.reference_filters, c.reference_hidden, c.gin_channels)
        self.checkpoint_name = "untrained"
        self.checkpoint_sha256 = ""
        self.config_sha256 = ""
        """That of the config.json it was built from."""

    @property
    def device(self) -> torch.device:
        return self.dec.conv_pre.weight.device

    def embed(self, spec: Tensor) -> Tensor:
        """(B, bins, T) spectrograms -> (B, gin, 1) tone-colour embeddings."""
        return self.ref_enc(spec).unsqueeze(-1)

    def _unconditioned(self, g: Tensor) -> Tensor:
        """What enc_q and dec see of an embedding: nothing in V2 (zero_g), the embedding itself otherwise."""
        return torch.zeros_like(g) if self.config.zero_g else g

    def posterior(self, spec: Tensor, g_source: Tensor) -> tuple[Tensor, Tensor]:
        """Mean and log-std of the latent z of a spectrogram."""
        return self.enc_q(spec, self._unconditioned(g_source))

    def decode(self, z: Tensor, g_target: Tensor) -> Tensor:
        """(B, latent, T) -> (B, 1, T * hop) waveform."""
        return self.dec(z, self._unconditioned(g_target))

    def target_latent(
        self,
        spec: Tensor,
        g_source: Tensor,
        g_target: Tensor,
        tau: float = 0.3,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """(B, bins, T) spectrogram of the source voice -> the latent of the same speech in the target's tone colour.

        z is sampled as mean + tau * std * noise (tau 0: the mean), freed of the source's tone colour
        by the flow, and given the target's by the flow in reverse.
        """
        mean, log_std = self.posterior(spec, g_source)
        z = mean
        if tau:
            noise = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
            z = mean + noise * tau * torch.exp(log_std)
        return self.flow(self.flow(z, g_source), g_target, reverse=True)

    def forward(
        self,
        spec: Tensor,
        g_source: Tensor,
        g_target: Tensor,
        tau: float = 0.3,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """(B, bins, T) source spectrogram -> (B, 1, T * hop) the same speech in the target's tone colour."""
        return self.decode(self.target_latent(spec, g_source, g_target, tau, generator), g_target)
