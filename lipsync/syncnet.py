"""Wav2Lip's lip-sync expert (SyncNet_color): embeds a 0.2 s mel window and the 5 matching mouths.

In sync, the two unit-length embeddings point the same way (high cosine). Layout, names and
arithmetic follow Rudrabha/Wav2Lip models/syncnet.py, so `lipsync_expert.pth` loads strictly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.checkpoints import load_model
from core.errors import InputError
from core.tensors import model_input

from .wav2lip import ConvBlock, conv_stage, fuse_batchnorm_


@dataclass(frozen=True)
class SyncNetConfig:
    num_mels: int = 80
    mel_window: int = 16
    frames: int = 5
    """Consecutive video frames per window (0.2 s at 25 fps), BGR, stacked on channels."""
    face_height: int = 48
    """Only the lower half (rows 48:96) of the 96x96 face is seen."""
    face_width: int = 96
    embedding_dim: int = 512


class SyncNet(nn.Module):
    """Two convolutional towers, audio and mouth, ending in L2-normalised 512-d embeddings."""

    def __init__(self, config: SyncNetConfig = SyncNetConfig()):
        super().__init__()
        self.config = config
        self.batchnorm_fused = False
        dim = config.embedding_dim
        self.face_encoder = nn.Sequential(  # (48, 96) -> (46, 47) -> 23x24 -> 12 -> 6 -> 3 -> 1
            ConvBlock(3 * config.frames, 32, 7, 1, 3),
            *conv_stage(32, 64, 2, kernel_size=5, stride=(1, 2)),
            *conv_stage(64, 128, 3),
            *conv_stage(128, 256, 2),
            *conv_stage(256, 512, 2),
            ConvBlock(512, 512, 3, 2, 1),
            ConvBlock(512, 512, 3, 1, 0),
            ConvBlock(512, dim, 1, 1, 0),
        )
        self.audio_encoder = nn.Sequential(  # (80, 16) -> (27, 16) -> (9, 6) -> (3, 3) -> (1, 1)
            *conv_stage(1, 32, 2, stride=1),
            *conv_stage(32, 64, 2, stride=(3, 1)),
            *conv_stage(64, 128, 2, stride=3),
            *conv_stage(128, 256, 2, stride=(3, 2)),
            ConvBlock(256, 512, 3, 1, 0),
            ConvBlock(512, dim, 1, 1, 0),
        )

    def forward(self, audio: Tensor, face: Tensor) -> tuple[Tensor, Tensor]:
        """Mel windows (B, 1, 80, 16) and mouths (B, 15, 48, 96) -> (audio, face) embeddings (B, 512); numpy arrays
        and float64 are taken in the weights' dtype."""
        return self.embed_audio(audio), self.embed_face(face)

    def embed_audio(self, audio: Tensor) -> Tensor:
        c = self.config
        audio = _checked(self, audio, (1, c.num_mels, c.mel_window), "mel windows")
        return F.normalize(self.audio_encoder(audio).flatten(1), p=2, dim=1)

    def embed_face(self, face: Tensor) -> Tensor:
        c = self.config
        face = _checked(self, face, (3 * c.frames, c.face_height, c.face_width), "mouth windows")
        return F.normalize(self.face_encoder(face).flatten(1), p=2, dim=1)

    def fuse_batchnorm(self) -> SyncNet:
        """Fold BatchNorm into the convolutions (in place, inference only; returns self)."""
        return fuse_batchnorm_(self)


def _checked(model: SyncNet, x: Tensor, per_item: tuple[int, ...], what: str) -> Tensor:
    """`x` in the weights' dtype, once its shape is (B, *per_item)."""
    x = model_input(x, model, f"SyncNet {what}")
    if x.dim() != 1 + len(per_item) or tuple(x.shape[1:]) != per_item:
        raise InputError(f"SyncNet {what} must have shape (B, {', '.join(map(str, per_item))}); got {tuple(x.shape)}")
    return x


def mouth_windows(faces: Tensor, frames: int = 5) -> Tensor:
    """96x96 BGR faces in [0, 1], (N, 3, 96, 96) -> every run of `frames` consecutive mouths.

    Returns (N - frames + 1, 3 * frames, 48, 96): the lower halves, frame after frame on channels.
    """
    if faces.dim() != 4 or faces.shape[1] != 3 or faces.shape[0] < frames:
        raise InputError(f"need at least {frames} faces shaped (N, 3, H, W); got {tuple(faces.shape)}")
    lower = faces[:, :, faces.shape[2] // 2 :]
    runs = lower.unfold(0, frames, 1)  # (W, 3, h, w, frames)
    return runs.permute(0, 4, 1, 2, 3).flatten(1, 2).contiguous()


def load_syncnet(
    name_or_path: str | os.PathLike = "syncnet",
    device: str | torch.device = "cpu",
    fuse_batchnorm: bool = True,
) -> SyncNet:
    """The SyncNet expert from `lipsync_expert.pth` (registry name `syncnet`) or a file, in eval mode.

    Keys with or without DataParallel's `module.` prefix are accepted.
    """
    model = load_model(
        name_or_path,
        lambda *_: SyncNet(),
        "SyncNet lip-sync expert",
        fields=("state_dict",),
        layout="syncnet",
        device=device,
    )
    return model.fuse_batchnorm() if fuse_batchnorm else model
