"""HiFi-GAN generator (jik876/hifi-gan): natural-log mels -> waveform, fully convolutional.

Loads the published generator files (`{"generator": state_dict}`, every conv stored weight-normed
as `weight_g`/`weight_v`) with the `config.json` that comes in the same folder. The weight norm
is folded into plain weights at load time: at inference it is a constant reparametrisation.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.checkpoints import LoadedCheckpoint, load_model
from core.errors import CheckpointError, InputError
from core.files import sha256_file
from core.tensors import model_input
from voice.precision import check_precision

LRELU_SLOPE = 0.1


@dataclass(frozen=True)
class HiFiGANConfig:
    """Generator layout and the mel front-end it was trained on (the fields of hifi-gan's config.json)."""

    resblock: str
    """"1": three dilated conv pairs per block (V1, V2); "2": single convs (V3)."""
    upsample_rates: tuple[int, ...]
    upsample_kernel_sizes: tuple[int, ...]
    upsample_initial_channel: int
    resblock_kernel_sizes: tuple[int, ...]
    resblock_dilation_sizes: tuple[tuple[int, ...], ...]
    num_mels: int = 80
    n_fft: int = 1024
    hop_size: int = 256
    win_size: int = 1024
    sampling_rate: int = 22_050
    fmin: float = 0.0
    fmax: float | None = 8000.0

    def __post_init__(self) -> None:
        if self.resblock not in ("1", "2"):
            raise CheckpointError(f"HiFi-GAN config: resblock must be '1' or '2', got {self.resblock!r}")
        if len(self.upsample_rates) != len(self.upsample_kernel_sizes):
            raise CheckpointError("HiFi-GAN config: upsample_rates and upsample_kernel_sizes differ in length")
        if len(self.resblock_kernel_sizes) != len(self.resblock_dilation_sizes):
            raise CheckpointError("HiFi-GAN config: resblock_kernel_sizes and resblock_dilation_sizes differ in length")
        if int(np.prod(self.upsample_rates)) != self.hop_size:
            raise CheckpointError(
                f"HiFi-GAN config: upsample_rates {self.upsample_rates} multiply to "
                f"{int(np.prod(self.upsample_rates))}, not hop_size {self.hop_size}"
            )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], source: str = "config") -> "HiFiGANConfig":
        """From the parsed config.json; training-only keys (batch_size, learning_rate, ...) are ignored."""
        required = [f.name for f in fields(cls) if f.default is MISSING]
        missing = [name for name in required if name not in values]
        if missing:
            raise CheckpointError(f"{source} is not a HiFi-GAN config: it lacks {', '.join(missing)}")
        kwargs = {f.name: values[f.name] for f in fields(cls) if f.name in values}
        for name in ("upsample_rates", "upsample_kernel_sizes", "resblock_kernel_sizes"):
            kwargs[name] = tuple(int(v) for v in kwargs[name])
        kwargs["resblock_dilation_sizes"] = tuple(tuple(int(v) for v in d) for d in kwargs["resblock_dilation_sizes"])
        kwargs["resblock"] = str(kwargs["resblock"])
        return cls(**kwargs)

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "HiFiGANConfig":
        path = Path(path)
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise CheckpointError(f"cannot read the HiFi-GAN config {path}: {e}") from None
        if not isinstance(values, dict):
            raise CheckpointError(f"{path} is not a HiFi-GAN config: expected a JSON object")
        return cls.from_dict(values, source=str(path))


def _conv_padding(kernel_size: int, dilation: int = 1) -> int:
    return (kernel_size * dilation - dilation) // 2


class ResBlock1(nn.Module):
    """Per dilation d: lrelu -> conv(d) -> lrelu -> conv(1), added to the input."""

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...]):
        super().__init__()
        self.convs1 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=_conv_padding(kernel_size, d))
            for d in dilations
        )
        self.convs2 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, padding=_conv_padding(kernel_size)) for _ in dilations
        )

    def forward(self, x: Tensor) -> Tensor:
        for conv1, conv2 in zip(self.convs1, self.convs2):
            x = x + conv2(F.leaky_relu(conv1(F.leaky_relu(x, LRELU_SLOPE)), LRELU_SLOPE))
        return x


class ResBlock2(nn.Module):
    """Per dilation d: lrelu -> conv(d), added to the input."""

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...]):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=_conv_padding(kernel_size, d))
            for d in dilations
        )

    def forward(self, x: Tensor) -> Tensor:
        for conv in self.convs:
            x = x + conv(F.leaky_relu(x, LRELU_SLOPE))
        return x


def upsampling_layers(config: HiFiGANConfig) -> tuple[nn.ModuleList, nn.ModuleList]:
    """The generator's transposed convs (each halving the channels) and, per stage, one res block per kernel size."""
    block = ResBlock1 if config.resblock == "1" else ResBlock2
    ups, resblocks = nn.ModuleList(), nn.ModuleList()
    channels = config.upsample_initial_channel
    for rate, kernel in zip(config.upsample_rates, config.upsample_kernel_sizes):
        ups.append(nn.ConvTranspose1d(channels, channels // 2, kernel, rate, padding=(kernel - rate) // 2))
        channels //= 2
        for k, dilations in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes):
            resblocks.append(block(channels, k, dilations))
    return ups, resblocks


def upsample(x: Tensor, ups: nn.ModuleList, resblocks: nn.ModuleList) -> Tensor:
    """Per stage: lrelu -> transposed conv -> the mean of that stage's res blocks."""
    kernels = len(resblocks) // len(ups)
    for i, up in enumerate(ups):
        x = up(F.leaky_relu(x, LRELU_SLOPE))
        blocks = resblocks[i * kernels : (i + 1) * kernels]
        total = blocks[0](x)
        for block in blocks[1:]:
            total = total + block(x)
        x = total / kernels
    return x


class HiFiGAN(nn.Module):
    """The generator: conv -> (lrelu, transposed-conv upsampling, mean of multi-kernel res blocks)* -> conv -> tanh."""

    def __init__(self, config: HiFiGANConfig):
        super().__init__()
        self.config = c = config
        self.conv_pre = nn.Conv1d(c.num_mels, c.upsample_initial_channel, 7, padding=3)
        self.ups, self.resblocks = upsampling_layers(c)
        self.conv_post = nn.Conv1d(self.ups[-1].out_channels, 1, 7, padding=3)
        self.checkpoint_name = "untrained"
        self.checkpoint_sha256 = ""
        self.config_sha256 = ""
        """That of the config.json it was built from (of the config's fields as JSON, if given as a HiFiGANConfig)."""

    @property
    def device(self) -> torch.device:
        return self.conv_pre.weight.device

    def forward(self, mel: Tensor) -> Tensor:
        """(B, num_mels, frames) natural-log mels (a tensor or numpy array of floats) -> (B, 1, frames * hop_size)
        waveform in [-1, 1]."""
        mel = model_input(mel, self, "HiFi-GAN's mels")
        x = upsample(self.conv_pre(mel), self.ups, self.resblocks)
        return torch.tanh(self.conv_post(F.leaky_relu(x)))

    @torch.inference_mode()
    def generate(self, mel: np.ndarray | Tensor, precision: str = "float32") -> np.ndarray:
        """One (num_mels, frames) natural-log mel of this model's front-end -> float32 waveform at `sampling_rate`.

        `precision` "bfloat16" runs the convolutions in bf16 with float32 accumulation (about 2x
        faster on CPUs with AVX512-BF16; samples move by ~1e-2 at most); "float32" is the original.
        """
        check_precision(precision, "HiFi-GAN")
        mel = torch.as_tensor(mel)
        n_mels = self.config.num_mels
        if mel.ndim == 3 and mel.shape[0] == 1:
            mel = mel[0]
        if mel.ndim != 2 or mel.shape[0] != n_mels or mel.shape[1] < 1:
            raise InputError(
                f"HiFi-GAN needs one log-mel of shape ({n_mels}, frames), got {tuple(mel.shape)}; "
                "convert synthesizer mels with sv2tts_to_hifigan_mel first"
            )
        if not mel.is_floating_point() or not torch.isfinite(mel).all():
            raise InputError("the mel must hold finite floating-point values (natural-log magnitudes)")
        mel = mel.to(self.device, torch.float32).unsqueeze(0)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=precision == "bfloat16"):
            wave = self(mel)
        return wave.reshape(-1).float().cpu().numpy()


def fold_weight_norm(state_dict: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """Replace each `<name>.weight_g` / `<name>.weight_v` pair by `<name>.weight = g * v / ||v||`.

    The norm runs over all axes but the first, as torch's weight_norm(dim=0) does; for transposed
    convs that first axis is the input channel.
    """
    folded: dict[str, Tensor] = {}
    for key, value in state_dict.items():
        if key.endswith(".weight_g") and key[: -len("_g")] + "_v" in state_dict:
            v = state_dict[key[: -len("_g")] + "_v"]
            norm = torch.linalg.vector_norm(v, dim=tuple(range(1, v.ndim)), keepdim=True)
            folded[key[: -len("_g")]] = v * (value / norm)
        elif key.endswith(".weight_v") and key[: -len("_v")] + "_g" in state_dict:
            continue
        else:
            folded[key] = value
    return folded


def load_hifigan(
    name_or_path: str | os.PathLike = "hifigan-lj-v1",
    device: str | torch.device = "cpu",
    config: HiFiGANConfig | str | os.PathLike | None = None,
) -> HiFiGAN:
    """A HiFi-GAN generator from a registry name or a generator file (`generator_v1`, `g_02500000`, ...).

    `config` is a HiFiGANConfig or the path of a config.json; by default the `config.json` next to
    the checkpoint file is used, as hifi-gan's inference.py does.
    """

    def build(checkpoint: LoadedCheckpoint, _) -> HiFiGAN:
        chosen = config
        if chosen is None:
            chosen = checkpoint.path.parent / "config.json"
            if not chosen.is_file():
                raise CheckpointError(
                    f"no config.json next to {checkpoint.path}: HiFi-GAN generators come with the config.json of "
                    f"their folder (LJ_V1, LJ_V3, UNIVERSAL_V1, ...); put it at {chosen} or pass config=<path>"
                )
        if isinstance(chosen, HiFiGANConfig):
            model = HiFiGAN(chosen)
            model.config_sha256 = hashlib.sha256(json.dumps(asdict(chosen), sort_keys=True).encode()).hexdigest()
        else:
            model = HiFiGAN(HiFiGANConfig.from_json(chosen))
            model.config_sha256 = sha256_file(chosen)
            model.config_path = Path(chosen)
        return model

    what = "HiFi-GAN generator" if config is not None else "HiFi-GAN generator its config.json describes"
    return load_model(
        name_or_path, build, what, fields=("generator",), layout="hifigan", convert=fold_weight_norm, device=device
    )
