"""Loading the published SV2TTS synthesizer.pt (or a file of the same layout)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from pipeline.checkpoints import load_weights, read_checkpoint, state_dict_of
from pipeline.errors import CheckpointError

from .config import TacotronConfig
from .model import Tacotron

WHAT = "SV2TTS Tacotron synthesizer"


def load_synthesizer(name_or_path: str | Path = "rtvc-synthesizer", device: str | torch.device = "cpu") -> Tacotron:
    """The synthesizer from a registry name or a file of the `{"model_state": ...}` layout, in eval mode.

    The reduction factor comes from the file's `decoder.r` buffer.
    """
    checkpoint = read_checkpoint(name_or_path)
    state = state_dict_of(checkpoint.contents, fields=("model_state",), what=WHAT)
    config = TacotronConfig()
    if "decoder.r" in state:
        r = int(state["decoder.r"])
        if not 1 <= r <= config.max_r:
            raise CheckpointError(f"{checkpoint.label}: decoder.r = {r} is outside 1..{config.max_r}; is it a {WHAT}?")
        config = dataclasses.replace(config, r=r)
    model = Tacotron(config)
    load_weights(model, state, what=WHAT)
    model.checkpoint_name = checkpoint.label
    model.checkpoint_sha256 = checkpoint.sha256
    return model.to(device).eval()
