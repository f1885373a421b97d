"""Loading the published converter/checkpoint.pth with the config.json of its folder."""

from __future__ import annotations

import os

import torch

from core.checkpoints import LoadedCheckpoint, load_model
from core.errors import CheckpointError
from core.files import sha256_file
from voice.vocoder.hifigan import fold_weight_norm

from .config import ConverterConfig
from .model import ToneColourConverter

WHAT = "OpenVoice V2 tone-colour converter"
_TTS_PARTS = {
    "enc_p": "text encoder",
    "dp": "duration predictor",
    "sdp": "duration predictor",
    "emb_g": "speaker table",
}


def load_converter(
    name_or_path: str | os.PathLike = "openvoice-v2", device: str | torch.device = "cpu"
) -> ToneColourConverter:
    """The converter from a registry name or a `checkpoint.pth` of the `{"model": state_dict}` layout, in eval mode.

    Its hyper-parameters come from the `config.json` in the checkpoint's folder, as OpenVoice ships
    them. Weight norm is folded into plain weights at load: a constant at inference.
    """
    return load_model(
        name_or_path, _build, WHAT, fields=("model",), layout="openvoice", convert=fold_weight_norm, device=device
    )


def _build(checkpoint: LoadedCheckpoint, weights: dict[str, torch.Tensor]) -> ToneColourConverter:
    tts_parts = sorted({_TTS_PARTS[k.split(".")[0]] for k in weights if k.split(".")[0] in _TTS_PARTS})
    if tts_parts:
        raise CheckpointError(
            f"{checkpoint.path} is a VITS text-to-speech checkpoint (it has a {' and a '.join(tts_parts)}, e.g. "
            f"enc_p.*), not the {WHAT}: use converter/checkpoint.pth of https://huggingface.co/myshell-ai/OpenVoiceV2"
        )
    config_path = checkpoint.path.parent / "config.json"
    if not config_path.is_file():
        raise CheckpointError(
            f"no config.json next to {checkpoint.path}: the {WHAT} comes with converter/config.json "
            f"(https://huggingface.co/myshell-ai/OpenVoiceV2); put it at {config_path}"
        )
    model = ToneColourConverter(ConverterConfig.from_json(config_path))
    model.config_sha256 = sha256_file(config_path)
    model.config_path = config_path
    return model
