"""The visible "AI-generated" label drawn into a corner of every frame voxlip makes."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.errors import InputError

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class LabelConfig:
    text: str = "AI-generated"
    corner: str = "bottom-right"
    height_fraction: float = 0.06
    """Height of the label box relative to the frame's smaller side."""
    min_height: int = 14
    """Never smaller than this many pixels, so the label stays readable on small frames."""
    margin_fraction: float = 0.02
    text_color: tuple[int, int, int] = (255, 255, 255)
    box_color: tuple[int, int, int] = (0, 0, 0)
    box_opacity: float = 0.6


DEFAULT_LABEL = LabelConfig()


@dataclass(frozen=True)
class LabelOverlay:
    """A label rendered once for one frame size: RGB, opacity and where it goes."""

    rgb: np.ndarray
    alpha: np.ndarray
    top: int
    left: int

    def apply(self, frame: np.ndarray) -> np.ndarray:
        out = np.array(frame, dtype=np.uint8, copy=True)
        h, w = self.alpha.shape
        region = out[self.top : self.top + h, self.left : self.left + w].astype(np.float32)
        alpha = self.alpha[..., None]
        out[self.top : self.top + h, self.left : self.left + w] = np.rint(
            region * (1 - alpha) + self.rgb * alpha
        ).astype(np.uint8)
        return out


def render_label(width: int, height: int, config: LabelConfig = DEFAULT_LABEL) -> LabelOverlay:
    """The label box for a `width` x `height` frame, placed in `config.corner`."""
    if config.corner not in CORNERS:
        raise InputError(f"label corner must be one of {', '.join(CORNERS)}, not {config.corner!r}")
    if not config.text.strip():
        raise InputError("the AI-generated label cannot be empty")
    box_height = max(config.min_height, round(min(width, height) * config.height_fraction))
    font = ImageFont.load_default(size=max(8, round(box_height * 0.7)))
    left, top, right, bottom = font.getbbox(config.text)
    pad = max(2, box_height // 5)
    box_width = min(width, right - left + 2 * pad)
    box_height = min(height, box_height)
    text_layer = Image.new("L", (box_width, box_height), 0)
    ImageDraw.Draw(text_layer).text(
        ((box_width - (right - left)) / 2 - left, (box_height - (bottom - top)) / 2 - top),
        config.text,
        fill=255,
        font=font,
    )
    ink = np.asarray(text_layer, dtype=np.float32) / 255
    rgb = ink[..., None] * np.array(config.text_color, np.float32) + (1 - ink[..., None]) * np.array(
        config.box_color, np.float32
    )
    alpha = np.maximum(ink, config.box_opacity)
    margin = round(min(width, height) * config.margin_fraction)
    top_edge = margin if config.corner.startswith("top") else height - box_height - margin
    left_edge = margin if config.corner.endswith("left") else width - box_width - margin
    return LabelOverlay(rgb, alpha, max(0, top_edge), max(0, left_edge))


def draw_label(frame: np.ndarray, config: LabelConfig = DEFAULT_LABEL) -> np.ndarray:
    """`frame` ((h, w, 3) uint8 RGB) with the label drawn in."""
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"frames must be (height, width, 3) RGB arrays, not {frame.shape}")
    return render_label(frame.shape[1], frame.shape[0], config).apply(frame)


def label_frames(
    frames: Iterable[np.ndarray], config: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"
) -> Iterator[np.ndarray]:
    """The label on every frame (RGB, or `channels="bgr"`), lazily."""
    labeler = FrameLabeler(config, channels)
    for frame in frames:
        yield labeler(frame)


class FrameLabeler:
    """Draws the label on frames one at a time; it is rendered once per frame size."""

    def __init__(self, config: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"):
        self.config, self.channels = config, channels
        self._overlay = functools.lru_cache(maxsize=1)(self._overlay_for)

    def _overlay_for(self, height: int, width: int) -> LabelOverlay:
        overlay = render_label(width, height, self.config)
        if self.channels == "bgr":
            overlay = replace(overlay, rgb=np.ascontiguousarray(overlay.rgb[..., ::-1]))
        return overlay

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        return self._overlay(*frame.shape[:2]).apply(frame)
