"""Hyper-parameters of the OpenVoice V2 tone-colour converter, read from the config.json published with it.

The file has a `data` section (the spectrogram) and a `model` section (the VITS sizes). Only the
fields the converter uses are kept; the text-encoder sizes (`filter_channels`, `n_heads`, ...) are
ignored, as OpenVoice ignores them when it builds the converter. The sizes OpenVoice fixes in its
code rather than in the file are the defaults of `ConverterConfig`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from core.errors import CheckpointError
from voice.vocoder.hifigan import HiFiGANConfig

SUPPORTED_VERSION = "v2"
_DECODER_FIELDS = (
    "resblock",
    "resblock_kernel_sizes",
    "resblock_dilation_sizes",
    "upsample_rates",
    "upsample_initial_channel",
    "upsample_kernel_sizes",
)
_REQUIRED_DATA = ("sampling_rate", "filter_length", "hop_length", "win_length")
_REQUIRED_MODEL = ("inter_channels", "hidden_channels", "gin_channels") + _DECODER_FIELDS


@dataclass(frozen=True)
class SpectrogramConfig:
    """The linear magnitude spectrogram the converter reads (the `data` section)."""

    sample_rate: int = 22_050
    n_fft: int = 1024
    hop_length: int = 256
    win_length: int = 1024

    @property
    def bins(self) -> int:
        return self.n_fft // 2 + 1


@dataclass(frozen=True)
class ConverterConfig:
    """Everything that fixes the converter's layout; `decoder` is a HiFi-GAN layout whose input is the latent."""

    decoder: HiFiGANConfig
    spectrogram: SpectrogramConfig = field(default_factory=SpectrogramConfig)
    inter_channels: int = 192
    """Channels of the latent z (posterior output, flow, decoder input)."""
    hidden_channels: int = 192
    gin_channels: int = 256
    """Size of the tone-colour embedding."""
    zero_g: bool = True
    """V2: the posterior encoder and the decoder get a zero embedding; only the flow sees the speakers."""
    version: str = SUPPORTED_VERSION
    posterior_layers: int = 16
    posterior_kernel: int = 5
    flow_couplings: int = 4
    flow_layers: int = 4
    flow_kernel: int = 5
    reference_filters: tuple[int, ...] = (32, 32, 64, 64, 128, 128)
    reference_hidden: int = 128
    """GRU size of the reference encoder."""

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], source: str = "config") -> "ConverterConfig":
        """From a parsed config.json; refuses V1 converters and VITS text-to-speech configs by name."""
        data, model = values.get("data"), values.get("model")
        if not isinstance(data, Mapping) or not isinstance(model, Mapping):
            raise CheckpointError(
                f"{source} is not an OpenVoice config: it needs the 'data' and 'model' sections of "
                "converter/config.json from https://huggingface.co/myshell-ai/OpenVoiceV2"
            )
        if data.get("n_speakers", 0) != 0 or "symbols" in values:
            raise CheckpointError(
                f"{source} is the config of a VITS text-to-speech model (n_speakers {data.get('n_speakers')}, "
                "e.g. an OpenVoice base speaker), not of the tone-colour converter: use converter/config.json "
                "of https://huggingface.co/myshell-ai/OpenVoiceV2"
            )
        version = values.get("_version_")
        if version != SUPPORTED_VERSION:
            what = "an OpenVoice V1 converter (no '_version_')" if version is None else f"version {version!r}"
            raise CheckpointError(
                f"{source} is the config of {what}; voxlip supports the OpenVoice V2 tone-colour converter "
                "('_version_': 'v2'): run `voxlip fetch openvoice-v2` or get converter/checkpoint.pth and "
                "converter/config.json from https://huggingface.co/myshell-ai/OpenVoiceV2"
            )
        missing = [f"data.{k}" for k in _REQUIRED_DATA if k not in data]
        missing += [f"model.{k}" for k in _REQUIRED_MODEL if k not in model]
        if missing:
            raise CheckpointError(
                f"{source} is not a complete OpenVoice converter config: it lacks {', '.join(missing)}"
            )
        spectrogram = SpectrogramConfig(
            sample_rate=int(data["sampling_rate"]),
            n_fft=int(data["filter_length"]),
            hop_length=int(data["hop_length"]),
            win_length=int(data["win_length"]),
        )
        decoder = HiFiGANConfig.from_dict(
            {
                **{k: model[k] for k in _DECODER_FIELDS},
                "num_mels": int(model["inter_channels"]),
                "n_fft": spectrogram.n_fft,
                "hop_size": spectrogram.hop_length,
                "win_size": spectrogram.win_length,
                "sampling_rate": spectrogram.sample_rate,
            },
            source=source,
        )
        return cls(
            decoder=decoder,
            spectrogram=spectrogram,
            inter_channels=int(model["inter_channels"]),
            hidden_channels=int(model["hidden_channels"]),
            gin_channels=int(model["gin_channels"]),
            zero_g=bool(model.get("zero_g", False)),
            version=version,
        )

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "ConverterConfig":
        path = Path(path)
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"cannot read the OpenVoice converter config {path}: {e}") from None
        if not isinstance(values, dict):
            raise CheckpointError(f"{path} is not an OpenVoice converter config: expected a JSON object")
        return cls.from_dict(values, source=str(path))
