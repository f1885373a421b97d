"""Loading the published SV2TTS synthesizer.pt (or a file of the same layout)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from core.checkpoints import LoadedCheckpoint, load_model
from core.errors import CheckpointError

from .config import TacotronConfig
from .model import Tacotron

WHAT = "SV2TTS Tacotron synthesizer"


def load_synthesizer(name_or_path: str | Path = "rtvc-synthesizer", device: str | torch.device = "cpu") -> Tacotron:
    """The synthesizer from a registry name or a file of the `{"model_state": ...}` layout, in eval mode.

    The reduction factor comes from the file's `decoder.r` buffer.
    """
    return load_model(name_or_path, _build, WHAT, fields=("model_state",), layout="tacotron", device=device)


def _build(checkpoint: LoadedCheckpoint, state: dict[str, torch.Tensor]) -> Tacotron:
    config = TacotronConfig()
    if "decoder.r" in state:
        r = int(state["decoder.r"])
        if not 1 <= r <= config.max_r:
            raise CheckpointError(f"{checkpoint.name}: decoder.r = {r} is outside 1..{config.max_r}; is it a {WHAT}?")
        config = dataclasses.replace(config, r=r)
    return Tacotron(config)
