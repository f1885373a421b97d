"""Wav2Lip generator: redraws the lower half of a 96x96 face so its lips match a 0.2 s mel window.

Layer layout, parameter names and arithmetic follow Rudrabha/Wav2Lip (models/wav2lip.py, conv.py),
so the public `wav2lip.pth` / `wav2lip_gan.pth` load strictly. Faces are cv2-style BGR scaled to
[0, 1]; the six input channels are [target face with its lower half zeroed, reference face].
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.checkpoints import load_model
from core.errors import InputError
from core.tensors import model_input


@dataclass(frozen=True)
class Wav2LipConfig:
    img_size: int = 96
    num_mels: int = 80
    mel_window: int = 16
    """Mel frames per video frame: 16 frames of 12.5 ms = 0.2 s of audio starting at the frame."""
    face_channels: int = 6
    """Masked target BGR + reference BGR."""


@torch.no_grad()
def _fold_batchnorm(conv: nn.Conv2d | nn.ConvTranspose2d, bn: nn.BatchNorm2d) -> None:
    """Rewrite `conv` so that it computes bn(conv(x)) with bn's running statistics."""
    scale = bn.weight.double() / torch.sqrt(bn.running_var.double() + bn.eps)
    shape = [1] * conv.weight.dim()
    shape[1 if isinstance(conv, nn.ConvTranspose2d) else 0] = -1
    conv.weight.copy_(conv.weight.double() * scale.view(shape))
    conv.bias.copy_((conv.bias.double() - bn.running_mean.double()) * scale + bn.bias.double())


class ConvBlock(nn.Module):
    """Conv2d -> BatchNorm -> (+ input when residual) -> ReLU, the unit of Wav2Lip and its SyncNet."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int | tuple[int, int] = 1,
        padding: int = 1,
        residual: bool = False,
    ):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
            nn.BatchNorm2d(out_channels),
        )
        self.residual = residual

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv_block(x)
        return torch.relu(y + x if self.residual else y)

    def fuse_batchnorm(self) -> None:
        if isinstance(self.conv_block[1], nn.BatchNorm2d):
            _fold_batchnorm(self.conv_block[0], self.conv_block[1])
            self.conv_block[1] = nn.Identity()


class UpConvBlock(nn.Module):
    """ConvTranspose2d -> BatchNorm -> ReLU: the decoder's upsampling unit."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, padding: int, output_padding: int):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ConvTranspose2d(in_channels, out_channels, 3, stride, padding, output_padding),
            nn.BatchNorm2d(out_channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(self.conv_block(x))

    def fuse_batchnorm(self) -> None:
        if isinstance(self.conv_block[1], nn.BatchNorm2d):
            _fold_batchnorm(self.conv_block[0], self.conv_block[1])
            self.conv_block[1] = nn.Identity()


def conv_stage(
    in_channels: int,
    out_channels: int,
    residuals: int,
    kernel_size: int = 3,
    stride: int | tuple[int, int] = 2,
    padding: int = 1,
) -> list[nn.Module]:
    """One resolution step: a (usually strided) block, then `residuals` 3x3 residual blocks."""
    head = ConvBlock(in_channels, out_channels, kernel_size, stride, padding)
    return [head] + [ConvBlock(out_channels, out_channels, 3, 1, 1, residual=True) for _ in range(residuals)]


def up_stage(in_channels: int, out_channels: int, residuals: int, stride: int = 2) -> nn.Sequential:
    """Transposed-conv upsampling (x2, or 1x1 -> 3x3 when stride is 1), then residual blocks."""
    padding, output_padding = (1, 1) if stride == 2 else (0, 0)
    head = UpConvBlock(in_channels, out_channels, stride, padding, output_padding)
    tail = [ConvBlock(out_channels, out_channels, 3, 1, 1, residual=True) for _ in range(residuals)]
    return nn.Sequential(head, *tail)


def fuse_batchnorm_(model: nn.Module) -> nn.Module:
    """Fold every block's BatchNorm (running statistics) into its convolution, in place."""
    model.eval()
    for module in model.modules():
        if isinstance(module, (ConvBlock, UpConvBlock)):
            module.fuse_batchnorm()
    model.batchnorm_fused = True
    return model


def _decoder_row_starts(first_row: int) -> dict[int, int]:
    """Input row where each of the last three decoder blocks may start so that output rows from
    `first_row` down come out exact: each transposed conv doubles a start, each 3x3 conv after it
    spoils one row at the top of a cut, and the output block's 3x3 conv spoils one more."""
    if first_row <= 3:
        return {}
    start48 = (first_row - 3) // 2
    start24 = max(0, (start48 - 2) // 2)
    start12 = max(0, (start24 - 2) // 2)
    starts = {4: start12, 5: start24, 6: start48}
    return {block: start for block, start in starts.items() if start > 0}


class Wav2Lip(nn.Module):
    """U-Net whose bottleneck is the audio embedding; decoder stages concatenate the encoder's skips."""

    def __init__(self, config: Wav2LipConfig = Wav2LipConfig()):
        super().__init__()
        self.config = config
        self.batchnorm_fused = False
        self.face_encoder_blocks = nn.ModuleList(
            [
                nn.Sequential(*conv_stage(config.face_channels, 16, 0, kernel_size=7, stride=1, padding=3)),  # 96
                nn.Sequential(*conv_stage(16, 32, 2)),  # 48
                nn.Sequential(*conv_stage(32, 64, 3)),  # 24
                nn.Sequential(*conv_stage(64, 128, 2)),  # 12
                nn.Sequential(*conv_stage(128, 256, 2)),  # 6
                nn.Sequential(*conv_stage(256, 512, 1)),  # 3
                nn.Sequential(ConvBlock(512, 512, 3, 1, 0), ConvBlock(512, 512, 1, 1, 0)),  # 1
            ]
        )
        self.audio_encoder = nn.Sequential(  # (80, 16) -> (27, 16) -> (9, 6) -> (3, 3) -> (1, 1)
            *conv_stage(1, 32, 2, stride=1),
            *conv_stage(32, 64, 2, stride=(3, 1)),
            *conv_stage(64, 128, 2, stride=3),
            *conv_stage(128, 256, 1, stride=(3, 2)),
            ConvBlock(256, 512, 3, 1, 0),
            ConvBlock(512, 512, 1, 1, 0),
        )
        self.face_decoder_blocks = nn.ModuleList(
            [
                nn.Sequential(ConvBlock(512, 512, 1, 1, 0)),  # 1
                up_stage(1024, 512, 1, stride=1),  # 3
                up_stage(1024, 512, 2),  # 6
                up_stage(768, 384, 2),  # 12
                up_stage(512, 256, 2),  # 24
                up_stage(320, 128, 2),  # 48
                up_stage(160, 64, 2),  # 96
            ]
        )
        self.output_block = nn.Sequential(
            ConvBlock(80, 32, 3, 1, 1),
            nn.Conv2d(32, 3, kernel_size=1),
            nn.Sigmoid(),
        )

    def forward(self, audio: Tensor, face: Tensor) -> Tensor:
        """Mel windows (B, 1, 80, 16) and faces (B, 6, 96, 96) -> BGR faces (B, 3, 96, 96) in [0, 1].

        Sequences are accepted too: audio (B, T, 1, 80, 16) with face (B, 6, T, 96, 96) give
        (B, 3, T, 96, 96); every time step is generated independently. Numpy arrays and float64 are taken in
        the weights' dtype.
        """
        audio, face = self._check_inputs(audio, face)
        if face.dim() == 5:
            batch, steps = audio.shape[:2]
            audio = audio.transpose(0, 1).flatten(0, 1)
            face = face.permute(2, 0, 1, 3, 4).flatten(0, 1)
            out = self.generate(audio, face)
            return out.unflatten(0, (steps, batch)).permute(1, 2, 0, 3, 4)
        return self.generate(audio, face)

    def generate(self, audio: Tensor, face: Tensor, first_row: int = 0) -> Tensor:
        """The network itself, on already checked 4-D inputs.

        With `first_row` > 0 only output rows from `first_row` down are computed (the same values as
        the full pass: every convolution gets the real rows above its window, not padding); the rows
        above are the reference face's own. The last three decoder stages hold ~70% of the work,
        so a caller that pastes back only the lower face saves that share of the rows.
        """
        skips = []
        x = face
        for block in self.face_encoder_blocks:
            x = block(x)
            skips.append(x)
        x = self.audio_encoder(audio)
        starts = _decoder_row_starts(first_row)
        x_start = 0  # the row (at x's resolution) that x's first row stands for
        for index, block in enumerate(self.face_decoder_blocks):
            skip = skips.pop()
            start = starts.get(index, x_start)
            x = block(x[:, :, start - x_start :])
            x_start = 2 * start if start else 0
            x = torch.cat((x, skip[:, :, x_start:]), dim=1)
        out = self.output_block(x)
        if first_row <= 0:
            return out
        size = self.config.img_size
        reference = face[:, self.config.face_channels // 2 :, :first_row]
        return torch.cat((reference.to(out.dtype), out[:, :, out.shape[2] - (size - first_row) :]), dim=2)

    def fuse_batchnorm(self) -> Wav2Lip:
        """Fold BatchNorm into the convolutions (in place, inference only; returns self)."""
        return fuse_batchnorm_(self)

    def _check_inputs(self, audio: Tensor, face: Tensor) -> tuple[Tensor, Tensor]:
        """`audio` and `face` as tensors in the weights' dtype, once their shapes are those forward takes."""
        c = self.config
        audio, face = model_input(audio, self, "Wav2Lip's mel windows"), model_input(face, self, "Wav2Lip's faces")
        mel = (1, c.num_mels, c.mel_window)
        img = (c.img_size, c.img_size)
        if face.dim() == 4 and audio.dim() == 4:
            ok = tuple(audio.shape[1:]) == mel and tuple(face.shape[1:]) == (c.face_channels, *img)
            ok = ok and audio.shape[0] == face.shape[0]
        elif face.dim() == 5 and audio.dim() == 5:
            ok = tuple(audio.shape[2:]) == mel and face.shape[1] == c.face_channels
            ok = ok and tuple(face.shape[3:]) == img and audio.shape[:2] == (face.shape[0], face.shape[2])
        else:
            ok = False
        if not ok:
            raise InputError(
                f"Wav2Lip needs mel windows (B, 1, {c.num_mels}, {c.mel_window}) with faces "
                f"(B, {c.face_channels}, {c.img_size}, {c.img_size}), or (B, T, 1, {c.num_mels}, {c.mel_window}) "
                f"with (B, {c.face_channels}, T, {c.img_size}, {c.img_size}), same B (and T); got audio "
                f"{tuple(audio.shape)} and face {tuple(face.shape)}"
            )
        return audio, face


def load_wav2lip(
    name_or_path: str | os.PathLike = "wav2lip",
    device: str | torch.device = "cpu",
    fuse_batchnorm: bool = True,
    channels_last: bool = True,
) -> Wav2Lip:
    """A Wav2Lip generator from a public checkpoint (`wav2lip`, `wav2lip-gan` or a file), in eval mode.

    The weights may carry DataParallel's `module.` prefix (the public files do) or not. Both
    options keep the outputs within ~1e-6 of the plain model and make it faster on CPU:
    `fuse_batchnorm` folds the BatchNorms into the convolutions, `channels_last` stores the
    weights NHWC so oneDNN runs every convolution in that layout (inputs may stay NCHW).
    """
    model = load_model(
        name_or_path,
        lambda *_: Wav2Lip(),
        "Wav2Lip generator",
        fields=("state_dict",),
        layout="wav2lip",
        device=device,
    )
    if fuse_batchnorm:
        model.fuse_batchnorm()
    return model.to(memory_format=torch.channels_last) if channels_last else model
