"""WaveRNN, the SV2TTS vocoder of Real-Time-Voice-Cloning: synthesizer mels -> 16 kHz speech.

It loads the published `vocoder.pt` as it is and computes the same function: a mel/aux
conditioning network upsampled to audio rate, then two GRUs and three linear layers predicting
a 9-bit mu-law sample per step. Generation runs many slices of the utterance in parallel
("folds") and cross-fades them back together; see `folding.py` and `sampling.py`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import lfilter
from torch import Tensor, nn

from core.checkpoints import load_model
from core.errors import InputError
from core.tensors import model_input
from voice.precision import PRECISIONS, check_precision

from .folding import fold_with_overlap, xfade_and_unfold
from .sampling import fast_samples, reference_samples


@dataclass(frozen=True)
class WaveRNNConfig:
    """Layout of the published RAW-mode vocoder and the audio conventions it was trained with."""

    rnn_dims: int = 512
    fc_dims: int = 512
    bits: int = 9
    pad: int = 2
    """Mel frames of context the aux network sees on each side (its first conv has kernel 2*pad+1)."""
    upsample_factors: tuple[int, ...] = (5, 5, 8)
    n_mels: int = 80
    compute_dims: int = 128
    res_out_dims: int = 128
    res_blocks: int = 10
    hop_length: int = 200
    sample_rate: int = 16_000
    mel_max_abs_value: float = 4.0
    """Synthesizer mels live in [-4, 4]; the vocoder was trained on them divided by this."""
    preemphasis: float = 0.97
    mu_law: bool = True
    target: int = 8000
    """Samples each fold generates in batched generation (RTVC's `infer_waveform` default)."""
    overlap: int = 800
    """Samples shared by neighbouring folds: half warm-up silence, half equal-power cross-fade."""
    fade_out_frames: int = 20
    """The last this-many hops are faded to silence so the audio does not stop abruptly."""
    precision: str = "float32"
    """Of the fast loop's per-step products: "float32" draws the same samples as the reference
    loop; "bfloat16" (logits move by ~1e-2) and "int8" (~1% error per product) are faster
    approximations, see `voice/affine.py`."""

    @property
    def n_classes(self) -> int:
        return 2**self.bits

    @property
    def aux_dims(self) -> int:
        return self.res_out_dims // 4


RTVC = WaveRNNConfig()
"""Real-Time-Voice-Cloning's generation: 8000-sample folds, 800 overlap, float32 (same samples as its loop)."""
REALTIME = WaveRNNConfig(target=2000, overlap=400, precision="int8")
"""More, shorter folds (overlap as in RTVC's training-time generation) and int8 products with the
recurrent state: RTF 0.62 against 5.78 for RTVC's loop on 2 CPU threads (benchmarks/bench_vocoder.py);
other samples than RTVC's, from nearly the same distributions."""


class ResBlock(nn.Module):
    """1x1 conv -> BN -> ReLU -> 1x1 conv -> BN, plus the input."""

    def __init__(self, dims: int):
        super().__init__()
        self.conv1 = nn.Conv1d(dims, dims, kernel_size=1, bias=False)
        self.conv2 = nn.Conv1d(dims, dims, kernel_size=1, bias=False)
        self.batch_norm1 = nn.BatchNorm1d(dims)
        self.batch_norm2 = nn.BatchNorm1d(dims)

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.batch_norm1(self.conv1(x)))
        return self.batch_norm2(self.conv2(y)) + x


class MelResNet(nn.Module):
    """The aux path: a valid conv over 2*pad+1 frames, then residual 1x1 blocks (frames shrink by 2*pad)."""

    def __init__(self, config: WaveRNNConfig):
        super().__init__()
        c = config
        self.conv_in = nn.Conv1d(c.n_mels, c.compute_dims, kernel_size=2 * c.pad + 1, bias=False)
        self.batch_norm = nn.BatchNorm1d(c.compute_dims)
        self.layers = nn.ModuleList(ResBlock(c.compute_dims) for _ in range(c.res_blocks))
        self.conv_out = nn.Conv1d(c.compute_dims, c.res_out_dims, kernel_size=1)

    def forward(self, mels: Tensor) -> Tensor:
        x = F.relu(self.batch_norm(self.conv_in(mels)))
        for layer in self.layers:
            x = layer(x)
        return self.conv_out(x)


class Stretch(nn.Module):
    """Nearest-neighbour upsampling along the last axis."""

    def __init__(self, scale: int):
        super().__init__()
        self.scale = scale

    def forward(self, x: Tensor) -> Tensor:
        return x.repeat_interleave(self.scale, dim=-1)


class UpsampleNetwork(nn.Module):
    """Mels (B, n_mels, frames) -> audio-rate mels (B, samples, n_mels) and aux features (B, samples, res_out_dims).

    The mel path stretches and smooths with a (1, 2s+1) conv per factor s, then drops `pad` frames
    on each side, so both outputs cover the inner `frames - 2*pad` frames.
    """

    def __init__(self, config: WaveRNNConfig):
        super().__init__()
        self.total_scale = math.prod(config.upsample_factors)
        self.indent = config.pad * self.total_scale
        self.resnet = MelResNet(config)
        self.resnet_stretch = Stretch(self.total_scale)
        layers: list[nn.Module] = []
        for scale in config.upsample_factors:
            layers.append(Stretch(scale))
            layers.append(nn.Conv2d(1, 1, kernel_size=(1, 2 * scale + 1), padding=(0, scale), bias=False))
        self.up_layers = nn.ModuleList(layers)

    def forward(self, mels: Tensor) -> tuple[Tensor, Tensor]:
        aux = self.resnet_stretch(self.resnet(mels))
        m = mels
        for stretch, smooth in zip(self.up_layers[::2], self.up_layers[1::2]):
            m = stretch_and_smooth(m, stretch.scale, smooth.weight.view(-1))
        m = m[:, :, self.indent : -self.indent]
        return m.transpose(1, 2), aux.transpose(1, 2)


def stretch_and_smooth(x: Tensor, scale: int, kernel: Tensor) -> Tensor:
    """`Stretch(scale)` then a zero-padded (1, 2*scale+1) convolution along the last axis, computed polyphase.

    After stretching, output sample m*scale + p only sees x[m-1], x[m] and x[m+1], each through the
    sum of the kernel taps that land on its copies: a (scale, 3) matrix applied to 3-sample windows
    of the unstretched input. Same function as the two layers (to float rounding), ~50x less work.
    """
    if kernel.numel() != 2 * scale + 1:
        raise ValueError(f"the smoothing kernel must have {2 * scale + 1} taps for scale {scale}, not {kernel.numel()}")
    taps = torch.arange(2 * scale + 1, device=kernel.device)
    phases = torch.arange(scale, device=kernel.device)
    offset = torch.div(phases[:, None] + taps[None, :] - scale, scale, rounding_mode="floor") + 1
    polyphase = torch.zeros(scale, 3, dtype=kernel.dtype, device=kernel.device)
    polyphase.scatter_add_(1, offset, kernel.expand(scale, -1).contiguous())
    padded = F.pad(x, (1, 1))
    windows = padded.unfold(-1, 3, 1)
    return torch.matmul(windows, polyphase.t()).flatten(-2)


class WaveRNN(nn.Module):
    """RAW-mode WaveRNN with Real-Time-Voice-Cloning's module names (`vocoder.pt` loads strictly)."""

    def __init__(self, config: WaveRNNConfig = WaveRNNConfig()):
        super().__init__()
        c = self.config = config
        self.upsample = UpsampleNetwork(config)
        self.I = nn.Linear(1 + c.n_mels + c.aux_dims, c.rnn_dims)
        self.rnn1 = nn.GRU(c.rnn_dims, c.rnn_dims, batch_first=True)
        self.rnn2 = nn.GRU(c.rnn_dims + c.aux_dims, c.rnn_dims, batch_first=True)
        self.fc1 = nn.Linear(c.rnn_dims + c.aux_dims, c.fc_dims)
        self.fc2 = nn.Linear(c.fc_dims + c.aux_dims, c.fc_dims)
        self.fc3 = nn.Linear(c.fc_dims, c.n_classes)
        self.register_buffer("step", torch.zeros(1, dtype=torch.long))
        """Training step stored in the checkpoint; unused for inference."""
        self.checkpoint_name = "untrained"
        self.checkpoint_sha256 = ""

    @property
    def device(self) -> torch.device:
        return self.fc3.weight.device

    def forward(self, x: Tensor, mels: Tensor) -> Tensor:
        """Teacher-forced logits (B, samples, n_classes) of the next sample given the previous ones.

        x: (B, samples) previous samples in [-1, 1]; mels: (B, n_mels, samples/hop + 2*pad) vocoder
        mels (synthesizer mels / 4), with `pad` frames of context on each side. Either may be a numpy array or
        float64: they are taken in the weights' dtype.
        """
        x, mels = model_input(x, self, "WaveRNN's previous samples"), model_input(mels, self, "WaveRNN's mels")
        mels, aux = self.upsample(mels)
        a1, a2, a3, a4 = aux.split(self.config.aux_dims, dim=2)
        h = self.I(torch.cat([x.unsqueeze(-1), mels, a1], dim=2))
        h = self.rnn1(h)[0] + h
        h = self.rnn2(torch.cat([h, a2], dim=2))[0] + h
        h = F.relu(self.fc1(torch.cat([h, a3], dim=2)))
        h = F.relu(self.fc2(torch.cat([h, a4], dim=2)))
        return self.fc3(h)

    @torch.inference_mode()
    def conditioning(self, mel: Tensor) -> tuple[Tensor, Tensor]:
        """Vocoder mel (n_mels, frames) -> audio-rate mels (1, frames*hop, n_mels) and aux (1, frames*hop,
        res_out_dims)."""
        padded = F.pad(mel.unsqueeze(0), (self.config.pad, self.config.pad))
        return self.upsample(padded)

    @torch.inference_mode()
    def generate(
        self,
        mel: np.ndarray | Tensor,
        generator: torch.Generator | None = None,
        target: int | None = None,
        overlap: int | None = None,
        method: str = "fast",
        precision: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> np.ndarray:
        """Synthesizer mel (n_mels, frames) in [-4, 4] -> float32 waveform of (frames - 1) * hop samples.

        Folds of `target` samples (plus `overlap` on each side) are generated in parallel and
        cross-faded. `generator` seeds the sampling; `method` is "fast" (the default) or "reference",
        a step-by-step loop written like the original, kept to check the fast one against.
        Unset `target`, `overlap` and `precision` come from the config. `progress(share done)` is
        called as the fast method goes.
        """
        c = self.config
        mel = self._checked_mel(mel)
        target = c.target if target is None else int(target)
        overlap = c.overlap if overlap is None else int(overlap)
        precision = c.precision if precision is None else precision
        if target < 1 or overlap < 0:
            raise InputError(f"target must be >= 1 and overlap >= 0 samples, got target={target}, overlap={overlap}")
        if method not in ("fast", "reference"):
            raise InputError(f"unknown WaveRNN generation method {method!r}: use 'fast' or 'reference'")
        check_precision(precision, "WaveRNN", PRECISIONS)

        mels, aux = self.conditioning(mel / c.mel_max_abs_value)
        mels = fold_with_overlap(mels, target, overlap)
        aux = fold_with_overlap(aux, target, overlap)
        uniforms = torch.rand(mels.shape[1], mels.shape[0], generator=generator).to(self.device)
        if method == "reference":
            folds = reference_samples(self, mels, aux, uniforms)
        else:
            folds = fast_samples(self, mels, aux, uniforms, precision, progress=progress)
        wave = xfade_and_unfold(folds.cpu().numpy().astype(np.float64), overlap)
        return self.finish(wave, n_samples=(mel.shape[1] - 1) * c.hop_length)

    def finish(self, wave: np.ndarray, n_samples: int) -> np.ndarray:
        """Unfolded samples in [-1, 1] -> audio: mu-law expansion, de-emphasis, length and fade-out."""
        c = self.config
        if c.mu_law:
            wave = decode_mu_law(wave, c.n_classes)
        wave = lfilter([1.0], [1.0, -c.preemphasis], wave)[:n_samples]
        fade = min(len(wave), c.fade_out_frames * c.hop_length)
        if fade:
            wave[-fade:] *= np.linspace(1.0, 0.0, c.fade_out_frames * c.hop_length)[-fade:]
        return wave.astype(np.float32)

    def _checked_mel(self, mel: np.ndarray | Tensor) -> Tensor:
        n_mels = self.config.n_mels
        mel = torch.as_tensor(mel)
        if mel.ndim == 3 and mel.shape[0] == 1:
            mel = mel[0]
        if mel.ndim != 2 or mel.shape[0] != n_mels:
            raise InputError(
                f"the vocoder needs one mel spectrogram of shape ({n_mels}, frames), got {tuple(mel.shape)}; "
                f"pass the synthesizer output for one sentence (transpose it if it is (frames, {n_mels}))"
            )
        if mel.shape[1] < 2:
            raise InputError(f"the mel has {mel.shape[1]} frame(s): at least 2 are needed to make any audio")
        if not mel.is_floating_point() or not torch.isfinite(mel).all():
            raise InputError("the mel must hold finite floating-point values (synthesizer output in [-4, 4])")
        peak, limit = float(mel.abs().max()), self.config.mel_max_abs_value
        if peak > MEL_RANGE_MARGIN * limit:
            raise InputError(
                f"the mel reaches {peak:.4g}, far outside the synthesizer's [-{limit:g}, {limit:g}]: give the "
                "synthesizer's output as it comes (scaled dB), not a mel of another scale"
            )
        return mel.to(self.device, torch.float32)


MEL_RANGE_MARGIN = 2.0
"""A mel beyond this many times `mel_max_abs_value` is refused (a mel of another scale): room for the synthesizer's
outputs, which are not clipped to the range they were trained in and may overshoot it a little."""


def decode_mu_law(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Expand mu-law companded values in [-1, 1] (mu = n_classes - 1)."""
    mu = n_classes - 1
    return np.sign(y) / mu * ((1 + mu) ** np.abs(y) - 1)


def load_wavernn(
    name_or_path: str | os.PathLike = "rtvc-vocoder",
    device: str | torch.device = "cpu",
    config: WaveRNNConfig | None = None,
) -> WaveRNN:
    """The WaveRNN vocoder from a registry name ("rtvc-vocoder") or a `vocoder.pt`-style file.

    `config` may change the generation settings (fold size, overlap, precision; see
    `REALTIME`); its layout fields must match the checkpoint.
    """
    return load_model(
        name_or_path,
        lambda *_: WaveRNN(config or WaveRNNConfig()),
        "WaveRNN vocoder",
        fields=("model_state",),
        layout="wavernn",
        device=device,
    )
