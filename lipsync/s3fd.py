"""S3FD face detector as Wav2Lip runs it: the network, anchor decoding, NMS and score filtering.

`S3FDDetector` makes it the face tracker's detector (`--face-detector s3fd`) in place of BlazeFace.

The network (names, L2Norm, fc6 with padding 3, max-out background on the first head) follows
Wav2Lip's face_detection/detection/sfd; so does post-processing: softmax, candidates above 0.05,
boxes decoded from anchors of stride 4..128 and size 4x stride, NMS at IoU 0.3 (inclusive-pixel
areas), then faces scoring above 0.5.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.checkpoints import load_model
from core.components import Component
from core.errors import InputError


@dataclass(frozen=True)
class DetectionConfig:
    pixel_mean: tuple[float, float, float] = (104.0, 117.0, 123.0)
    """Subtracted from the 0..255 pixels, channel by channel, before the network."""
    candidate_score: float = 0.05
    nms_iou: float = 0.3
    min_score: float = 0.5
    variances: tuple[float, float] = (0.1, 0.2)
    """Scale of the regressed centre offsets and of the log width/height."""


class L2Norm(nn.Module):
    """Per-position L2 normalisation over channels, times a learned per-channel scale."""

    def __init__(self, channels: int, scale: float):
        super().__init__()
        self.weight = nn.Parameter(torch.full((channels,), float(scale)))

    def forward(self, x: Tensor) -> Tensor:
        norm = x.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10
        return x / norm * self.weight.view(1, -1, 1, 1)


def _conv3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, stride, 1)


class S3FD(nn.Module):
    """VGG-16 trunk with six detection heads at strides 4, 8, 16, 32, 64 and 128."""

    def __init__(self):
        super().__init__()
        self.conv1_1, self.conv1_2 = _conv3(3, 64), _conv3(64, 64)
        self.conv2_1, self.conv2_2 = _conv3(64, 128), _conv3(128, 128)
        self.conv3_1, self.conv3_2, self.conv3_3 = _conv3(128, 256), _conv3(256, 256), _conv3(256, 256)
        self.conv4_1, self.conv4_2, self.conv4_3 = _conv3(256, 512), _conv3(512, 512), _conv3(512, 512)
        self.conv5_1, self.conv5_2, self.conv5_3 = _conv3(512, 512), _conv3(512, 512), _conv3(512, 512)
        self.fc6 = nn.Conv2d(512, 1024, 3, 1, padding=3)  # grows the map by 4, as the original does
        self.fc7 = nn.Conv2d(1024, 1024, 1)
        self.conv6_1, self.conv6_2 = nn.Conv2d(1024, 256, 1), _conv3(256, 512, stride=2)
        self.conv7_1, self.conv7_2 = nn.Conv2d(512, 128, 1), _conv3(128, 256, stride=2)

        self.conv3_3_norm = L2Norm(256, 10)
        self.conv4_3_norm = L2Norm(512, 8)
        self.conv5_3_norm = L2Norm(512, 5)

        self.conv3_3_norm_mbox_conf = _conv3(256, 4)  # 3 background logits (max-out) + face
        self.conv3_3_norm_mbox_loc = _conv3(256, 4)
        self.conv4_3_norm_mbox_conf = _conv3(512, 2)
        self.conv4_3_norm_mbox_loc = _conv3(512, 4)
        self.conv5_3_norm_mbox_conf = _conv3(512, 2)
        self.conv5_3_norm_mbox_loc = _conv3(512, 4)
        self.fc7_mbox_conf = _conv3(1024, 2)
        self.fc7_mbox_loc = _conv3(1024, 4)
        self.conv6_2_mbox_conf = _conv3(512, 2)
        self.conv6_2_mbox_loc = _conv3(512, 4)
        self.conv7_2_mbox_conf = _conv3(256, 2)
        self.conv7_2_mbox_loc = _conv3(256, 4)

    def forward(self, x: Tensor) -> list[Tensor]:
        """Mean-subtracted 0..255 images (B, 3, H, W) -> [cls1, reg1, ..., cls6, reg6] (logits, offsets)."""
        if x.dim() != 4 or x.shape[1] != 3:
            raise InputError(f"S3FD needs images shaped (B, 3, H, W); got {tuple(x.shape)}")
        h = _relu_chain(x, self.conv1_1, self.conv1_2)
        h = _relu_chain(F.max_pool2d(h, 2, 2), self.conv2_1, self.conv2_2)
        f3 = _relu_chain(F.max_pool2d(h, 2, 2), self.conv3_1, self.conv3_2, self.conv3_3)
        f4 = _relu_chain(F.max_pool2d(f3, 2, 2), self.conv4_1, self.conv4_2, self.conv4_3)
        f5 = _relu_chain(F.max_pool2d(f4, 2, 2), self.conv5_1, self.conv5_2, self.conv5_3)
        f7 = _relu_chain(F.max_pool2d(f5, 2, 2), self.fc6, self.fc7)
        f6_2 = _relu_chain(f7, self.conv6_1, self.conv6_2)
        f7_2 = _relu_chain(f6_2, self.conv7_1, self.conv7_2)
        f3, f4, f5 = self.conv3_3_norm(f3), self.conv4_3_norm(f4), self.conv5_3_norm(f5)

        conf1 = self.conv3_3_norm_mbox_conf(f3)
        background = conf1[:, :3].amax(dim=1, keepdim=True)
        return [
            torch.cat([background, conf1[:, 3:]], dim=1),
            self.conv3_3_norm_mbox_loc(f3),
            self.conv4_3_norm_mbox_conf(f4),
            self.conv4_3_norm_mbox_loc(f4),
            self.conv5_3_norm_mbox_conf(f5),
            self.conv5_3_norm_mbox_loc(f5),
            self.fc7_mbox_conf(f7),
            self.fc7_mbox_loc(f7),
            self.conv6_2_mbox_conf(f6_2),
            self.conv6_2_mbox_loc(f6_2),
            self.conv7_2_mbox_conf(f7_2),
            self.conv7_2_mbox_loc(f7_2),
        ]

    @torch.inference_mode()
    def detect(self, images: np.ndarray | Tensor, config: DetectionConfig = DetectionConfig()) -> list[np.ndarray]:
        """RGB 0..255 images (H, W, 3) or (B, H, W, 3) -> per image, faces (n, 5): x1, y1, x2, y2, score.

        Wav2Lip hands the detector RGB frames (it reverses cv2's BGR) and subtracts `pixel_mean`
        in that channel order; so does this. Rows are sorted by score, the most confident first.
        """
        pixels = images if isinstance(images, Tensor) else torch.from_numpy(np.ascontiguousarray(images))
        if pixels.dim() == 3:
            pixels = pixels.unsqueeze(0)
        if pixels.dim() != 4 or pixels.shape[-1] != 3:
            raise InputError(f"face detection needs RGB images (H, W, 3) or (B, H, W, 3); got {tuple(pixels.shape)}")
        device = next(self.parameters()).device
        x = pixels.to(device, torch.float32) - torch.tensor(config.pixel_mean, device=device)
        return decode_detections(self(x.permute(0, 3, 1, 2).contiguous()), config)


def _relu_chain(x: Tensor, *convs: nn.Conv2d) -> Tensor:
    for conv in convs:
        x = torch.relu(conv(x))
    return x


def decode_detections(outputs: list[Tensor], config: DetectionConfig = DetectionConfig()) -> list[np.ndarray]:
    """The 12 network outputs -> per image, faces (n, 5) after NMS and score filtering."""
    if len(outputs) % 2:
        raise InputError(f"expected pairs of (class logits, box offsets); got {len(outputs)} tensors")
    per_level = [
        _level_candidates(cls, reg, 2 ** (level + 2), config)
        for level, (cls, reg) in enumerate(zip(outputs[0::2], outputs[1::2]))
    ]
    faces = []
    for image in range(outputs[0].shape[0]):
        boxes = np.concatenate([level[image] for level in per_level], axis=0)
        boxes = boxes[non_maximum_suppression(boxes, config.nms_iou)]
        faces.append(boxes[boxes[:, 4] > config.min_score])
    return faces


def _level_candidates(cls: Tensor, reg: Tensor, stride: int, config: DetectionConfig) -> list[np.ndarray]:
    """Decoded boxes of one head whose face probability exceeds the candidate threshold, per image."""
    scores = torch.softmax(cls.float(), dim=1)[:, 1].cpu()
    reg = reg.float().cpu()
    height, width = scores.shape[1:]
    ys, xs = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    centres = torch.stack([xs, ys]).float() * stride + stride / 2  # (2, H, W)
    size = float(4 * stride)
    result = []
    for image in range(scores.shape[0]):
        keep = scores[image] > config.candidate_score
        offsets = reg[image][:, keep]  # (4, n)
        centre = centres[:, keep] + offsets[:2] * config.variances[0] * size
        extent = size * torch.exp(offsets[2:] * config.variances[1])
        corner = centre - extent / 2
        boxes = torch.cat([corner, corner + extent, scores[image][keep][None]], dim=0)
        result.append(boxes.T.numpy())
    return result


def non_maximum_suppression(detections: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of the boxes kept, best first; areas count pixels inclusively (w = x2 - x1 + 1)."""
    x1, y1, x2, y2, scores = (detections[:, i] for i in range(5))
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(scores, kind="stable")[::-1]
    keep = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(best)
        w = np.maximum(0.0, np.minimum(x2[best], x2[rest]) - np.maximum(x1[best], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[best], y2[rest]) - np.maximum(y1[best], y1[rest]) + 1)
        overlap = w * h / (areas[best] + areas[rest] - w * h)
        order = rest[overlap <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def load_s3fd(name_or_path: str | os.PathLike = "s3fd", device: str | torch.device = "cpu") -> S3FD:
    """The S3FD detector from `s3fd-619a316812.pth` (registry name `s3fd`) or a file, in eval mode."""
    return load_model(name_or_path, lambda *_: S3FD(), "S3FD face detector", layout="s3fd", device=device)


class S3FDDetector:
    """S3FD behind the face tracker's detector interface: boxes (x1, y1, x2, y2, score) in a BGR frame."""

    def __init__(self, model: S3FD, config: DetectionConfig = DetectionConfig()):
        self.model, self.config = model, config
        self.component = Component.of("face detection", model)

    def __call__(self, frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        height, width = frame.shape[:2]
        boxes = []
        for x1, y1, x2, y2, score in self.model.detect(np.ascontiguousarray(frame[..., ::-1]), self.config)[0]:
            x1, y1, x2, y2 = (
                max(0.0, float(x1)),
                max(0.0, float(y1)),
                min(float(width), float(x2)),
                min(float(height), float(y2)),
            )
            if x2 - x1 > 4 and y2 - y1 > 4:
                boxes.append((x1, y1, x2, y2, float(score)))
        return boxes

    def close(self) -> None:
        """Nothing to release: the model is shared between runs."""
