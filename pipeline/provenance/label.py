"""The visible "AI-generated" label drawn into a corner of every frame voxlip makes, clear of the faces it shows."""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Iterable, Iterator, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.errors import InputError

from .label_words import EXAMPLE, REQUIRED_WORDS, check_label_words

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
WIDEST_LETTER = 1.0
"""At least the width of the default font's widest letter over its size (0.95: "W"): a text that fits with all
its letters so wide is not measured (nor the font loaded: the default label is made at import)."""
MIN_BOX_OPACITY = 0.5
"""The box behind the text hides at least half of the picture (default 0.6), so the text stands out on any frame."""
MIN_HEIGHT_PIXELS = 12
"""The smallest box: its text is then 8 pixels high, the smallest font the label is drawn in (default 14)."""
MIN_HEIGHT_FRACTION = 0.03
"""The smallest box relative to the frame's smaller side: half the default 0.06 (32 pixels on a 1080p frame)."""
MAX_MARGIN_FRACTION = 0.25
MIN_CONTRAST = 4.5
"""WCAG's contrast ratio for normal text between the text and its box (white on black, the default: 21)."""
SMALLEST_FRAME = 128
"""The label's whole text must fit across a frame this wide (lipsync.video.MIN_SIZE, voxlip's smallest frames)."""
DRAWN_AS = MappingProxyType(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
        "\u2022": "\u00b7",
    }
)
"""Characters a word processor or a keyboard puts in a label that the label's font has no glyph for, drawn as the
nearest it has: hyphens and dashes as "-" (an em dash too: the font has none), the Unicode spaces as " ", zero-width
ones as nothing, the bullet as the middle dot."""
DRAWN_BEYOND_ASCII = "©«°±´·»‘’“”…‹›⁄™ﬁﬂ"
"""All the label's font (Pillow's default, Aileron) draws besides printable ASCII, measured over Unicode's first 65,536
code points; for the message that refuses any other character."""
GLYPH_CHECK_SIZES = (8, 100)
"""The smallest size the label is drawn in and a large one: a character is refused if either draws the empty box."""
SURELY_MISSING = "\U0010fffd"
"""A private-use code point no font maps: the font draws its empty box (".notdef") for it."""
FaceBox = tuple[float, float, float, float]
"""(left, top, right, bottom) of a face as fractions of the frame's width and height (a face detector's box)."""
FACE_PADDING = 0.1
"""A face's box is widened by this share of its width and height on each side before the label is kept clear of it:
BlazeFace's box runs from the eyebrows to the chin, and the forehead, a chin that drops as the mouth opens and a head
that moves between the frames it was found in lie around it."""
MOUTH_IN_BOX = (0.5, 0.73)
"""Where the mouth lies in a face's box, as shares of its width and height: BlazeFace's mouth point on the shared
clips and paintings lies 0.69-0.76 down its box (0.39-0.62 across). Where every corner covers a face, the label goes
to the one farthest from the mouth, which moves as the face speaks."""


@dataclass(frozen=True)
class LabelConfig:
    """How the label looks; refused at creation if it would not say "AI-generated" plainly and legibly.

    Its text says "AI-generated", with any words around it that leave that standing (label_words).
    """

    text: str = "AI-generated"
    corner: str = "bottom-right"
    """The corner it goes in unless it would cover a face another corner keeps clear of (render_label)."""
    height_fraction: float = 0.06
    """Height of the label box relative to the frame's smaller side."""
    long_side_fraction: float = 0.045
    """Height of the label box at least relative to the frame's longer side: by its smaller side alone the text of a
    tall or wide frame's label had been small (8 pixels high on a 288x512 clip and on a 480x270 one, 1.6-1.7% of the
    long side, where a square frame's is 3.7%). At 0.045 its text (its fully inked rows) is at least 2.7% of the long
    side on frames 480-3840 pixels long (of 1:1 to 2.39:1, either way up; 2.2% on the smallest), and square frames'
    labels are as they were (0.06 of their side rules)."""
    min_height: int = 14
    """Never smaller than this many pixels, so the label stays readable on small frames."""
    margin_fraction: float = 0.02
    text_color: tuple[int, int, int] = (255, 255, 255)
    box_color: tuple[int, int, int] = (0, 0, 0)
    box_opacity: float = 0.6

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise InputError(f"the label's text must say {REQUIRED_WORDS!r}, not {self.text!r}: e.g. {EXAMPLE!r}")
        if len(self.text.splitlines()) > 1:
            raise InputError(f"the label's text {self.text!r} must be on one line: e.g. {EXAMPLE!r}")
        undrawable = [c for c in dict.fromkeys(self.drawn_text) if not " " <= c <= "~" and not _font_draws(c)]
        if undrawable:
            named = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in undrawable)
            raise InputError(
                f"the label's text {self.text!r} has characters its font cannot draw, which would show as empty "
                f"boxes: {named}. Write it with the characters the font draws: unaccented Latin letters, digits, "
                f"ASCII punctuation and space, and {' '.join(DRAWN_BEYOND_ASCII)}"
            )
        check_label_words(self.text, self.drawn_text)
        if self.corner not in CORNERS:
            raise InputError(f"label corner must be one of {', '.join(CORNERS)}, not {self.corner!r}")
        _check_number("box_opacity", self.box_opacity, MIN_BOX_OPACITY, 1.0)
        _check_number("height_fraction", self.height_fraction, MIN_HEIGHT_FRACTION, 1.0)
        _check_number("long_side_fraction", self.long_side_fraction, 0.0, 1.0)
        _check_number("min_height", self.min_height, MIN_HEIGHT_PIXELS, SMALLEST_FRAME, whole=True)
        _check_number("margin_fraction", self.margin_fraction, 0.0, MAX_MARGIN_FRACTION)
        for name in ("text_color", "box_color"):
            _check_colour(name, getattr(self, name))
        contrast = _contrast(self.text_color, self.box_color)
        if contrast < MIN_CONTRAST:
            raise InputError(
                f"the label's text_color {self.text_color} on its box_color {self.box_color} has a contrast of "
                f"{contrast:.1f}:1, too little to read: give colours with at least {MIN_CONTRAST}:1 (e.g. white on "
                "black)"
            )
        height = max(self.min_height / SMALLEST_FRAME, self.height_fraction)
        if (
            height * (len(self.text) * WIDEST_LETTER * 0.7 + 0.4) > 1.0
            and height * _text_width_per_height(self.drawn_text) > 1.0
        ):
            binding = (
                f"min_height={self.min_height} (at least {MIN_HEIGHT_PIXELS})"
                if self.min_height / SMALLEST_FRAME >= self.height_fraction
                else f"height_fraction={self.height_fraction:g} (at least {MIN_HEIGHT_FRACTION:g})"
            )
            raise InputError(
                f"the label's text {self.text!r} would not fit across a frame {SMALLEST_FRAME} pixels wide, voxlip's "
                f"narrowest, at {binding}: shorten it or lower that"
            )

    @property
    def drawn_text(self) -> str:
        """The text as the label's font draws it: `DRAWN_AS` in place of the characters it has no glyph for."""
        return self.text.translate(str.maketrans(dict(DRAWN_AS)))


def _check_number(name: str, value: object, low: float, high: float, whole: bool = False) -> None:
    kind = numbers.Integral if whole else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        number = "a whole number" if whole else "a number"
        raise InputError(f"the label's {name} is {value!r}: give {number} from {low:g} to {high:g} to keep it legible")


def _check_colour(name: str, colour: object) -> None:
    if not (
        isinstance(colour, tuple)
        and len(colour) == 3
        and all(isinstance(c, numbers.Integral) and not isinstance(c, bool) and 0 <= c <= 255 for c in colour)
    ):
        raise InputError(f"the label's {name} is {colour!r}: give an (R, G, B) tuple of whole numbers 0-255")


def _contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours, 1 (the same) to 21 (white on black)."""

    def luminance(colour: tuple[int, int, int]) -> float:
        linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.lru_cache(maxsize=256)
def _font_draws(char: str, sizes: tuple[int, ...] = GLYPH_CHECK_SIZES) -> bool:
    """Whether the label's font has a glyph for `char`, rather than drawing its empty box for it at one of `sizes`."""
    for size in sizes:
        font = ImageFont.load_default(size=size)
        drawn, missing = font.getmask(char), font.getmask(SURELY_MISSING)
        if (drawn.size, bytes(drawn), font.getbbox(char)) == (
            missing.size,
            bytes(missing),
            font.getbbox(SURELY_MISSING),
        ):
            return False
    return True


@functools.lru_cache(maxsize=32)
def _text_width_per_height(text: str) -> float:
    """The label box's width for `text` over the box's height, as render_label draws it (its font 0.7 of the box)."""
    size = 100
    left, _, right, _ = ImageFont.load_default(size=size).getbbox(text)
    return (right - left) * 0.7 / size + 0.4


DEFAULT_LABEL = LabelConfig()


@dataclass(frozen=True)
class LabelOverlay:
    """A label rendered once for one frame size: RGB, opacity and where it goes."""

    rgb: np.ndarray
    alpha: np.ndarray
    top: int
    left: int
    corner: str

    def apply(self, frame: np.ndarray) -> np.ndarray:
        out = np.array(frame, dtype=np.uint8, copy=True)
        h, w = self.alpha.shape
        region = out[self.top : self.top + h, self.left : self.left + w].astype(np.float32)
        alpha = self.alpha[..., None]
        out[self.top : self.top + h, self.left : self.left + w] = np.rint(
            region * (1 - alpha) + self.rgb * alpha
        ).astype(np.uint8)
        return out


def render_label(
    width: int, height: int, config: LabelConfig = DEFAULT_LABEL, faces: Sequence[FaceBox] = ()
) -> LabelOverlay:
    """The label box for a `width` x `height` frame, in `config.corner` or, where it would cover one of `faces`, in
    the first corner clear of them all (label_corner).

    Its height is the largest of `config`'s three (min_height, height_fraction of the smaller side, long_side_fraction
    of the longer), lowered where the text would not fit across the frame between its margins, never under min_height.
    """
    margin = round(min(width, height) * config.margin_fraction)
    box_height = max(
        config.min_height,
        round(min(width, height) * config.height_fraction),
        round(max(width, height) * config.long_side_fraction),
    )
    fitting = int((width - 2 * margin) / _text_width_per_height(config.drawn_text))
    box_height = max(config.min_height, min(box_height, fitting))
    while True:  # the estimate's rounding may leave the text a pixel or two too wide
        font = ImageFont.load_default(size=max(8, round(box_height * 0.7)))
        left, top, right, bottom = font.getbbox(config.drawn_text)
        pad = max(2, box_height // 5)
        if right - left + 2 * pad <= width - 2 * margin or box_height <= config.min_height:
            break
        box_height -= 1
    box_width = min(width, right - left + 2 * pad)
    box_height = min(height, box_height)
    text_layer = Image.new("L", (box_width, box_height), 0)
    ImageDraw.Draw(text_layer).text(
        ((box_width - (right - left)) / 2 - left, (box_height - (bottom - top)) / 2 - top),
        config.drawn_text,
        fill=255,
        font=font,
    )
    ink = np.asarray(text_layer, dtype=np.float32) / 255
    rgb = ink[..., None] * np.array(config.text_color, np.float32) + (1 - ink[..., None]) * np.array(
        config.box_color, np.float32
    )
    alpha = np.maximum(ink, config.box_opacity)
    corner = label_corner(width, height, (box_width, box_height), margin, config.corner, faces)
    top_edge, left_edge = _corner_place(width, height, (box_width, box_height), margin, corner)
    return LabelOverlay(rgb, alpha, top_edge, left_edge, corner)


def label_corner(
    width: int, height: int, box: tuple[int, int], margin: int, preferred: str, faces: Sequence[FaceBox]
) -> str:
    """The corner a `box` (width, height) label goes in on a `width` x `height` frame showing `faces` (the boxes of
    every face found in it, over a clip: one place for all its frames): `preferred`, else the other corner of its
    edge, else those of the other edge (its side first), whichever first covers none of them (FACE_PADDING around
    each); where each covers one, the one farthest from their mouths (MOUTH_IN_BOX)."""
    vertical, horizontal = preferred.split("-")
    other_vertical = "top" if vertical == "bottom" else "bottom"
    other_horizontal = "left" if horizontal == "right" else "right"
    order = [
        f"{vertical}-{horizontal}",
        f"{vertical}-{other_horizontal}",
        f"{other_vertical}-{horizontal}",
        f"{other_vertical}-{other_horizontal}",
    ]
    if not faces:
        return preferred
    scale = np.array([width, height, width, height], np.float64)
    boxes = np.asarray(faces, np.float64).reshape(-1, 4) * scale
    padding = FACE_PADDING * np.concatenate([boxes[:, 2:] - boxes[:, :2]] * 2, axis=1) * [-1, -1, 1, 1]
    padded = boxes + padding
    mouths = boxes[:, :2] + np.array(MOUTH_IN_BOX) * (boxes[:, 2:] - boxes[:, :2])

    def extent(corner: str) -> np.ndarray:
        top, left = _corner_place(width, height, box, margin, corner)
        return np.array([left, top, left + box[0], top + box[1]], np.float64)

    def covers(corner: str) -> bool:
        x1, y1, x2, y2 = extent(corner)
        return bool(np.any((padded[:, 0] < x2) & (padded[:, 2] > x1) & (padded[:, 1] < y2) & (padded[:, 3] > y1)))

    def mouth_distance(corner: str) -> float:
        x1, y1, x2, y2 = extent(corner)
        dx = np.maximum(0, np.maximum(x1 - mouths[:, 0], mouths[:, 0] - x2))
        dy = np.maximum(0, np.maximum(y1 - mouths[:, 1], mouths[:, 1] - y2))
        return float(np.min(np.hypot(dx, dy)))

    clear = [corner for corner in order if not covers(corner)]
    return clear[0] if clear else max(order, key=mouth_distance)


def _corner_place(width: int, height: int, box: tuple[int, int], margin: int, corner: str) -> tuple[int, int]:
    """(top, left) of a `box` (width, height) label in `corner` of a `width` x `height` frame, `margin` inside it."""
    top = margin if corner.startswith("top") else height - box[1] - margin
    left = margin if corner.endswith("left") else width - box[0] - margin
    return max(0, top), max(0, left)


def draw_label(frame: np.ndarray, config: LabelConfig = DEFAULT_LABEL, faces: Sequence[FaceBox] = ()) -> np.ndarray:
    """`frame` ((h, w, 3) uint8 RGB) with the label drawn in, clear of `faces` where a corner is (render_label)."""
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"frames must be (height, width, 3) RGB arrays, not {frame.shape}")
    return render_label(frame.shape[1], frame.shape[0], config, faces).apply(frame)


def label_frames(
    frames: Iterable[np.ndarray], config: LabelConfig = DEFAULT_LABEL, channels: str = "rgb"
) -> Iterator[np.ndarray]:
    """The label on every frame (RGB, or `channels="bgr"`), lazily."""
    labeler = FrameLabeler(config, channels)
    for frame in frames:
        yield labeler(frame)


class FrameLabeler:
    """Draws the label on frames one at a time, clear of `faces` (render_label); it is rendered once per frame size."""

    def __init__(self, config: LabelConfig = DEFAULT_LABEL, channels: str = "rgb", faces: Sequence[FaceBox] = ()):
        self.config, self.channels, self.faces = config, channels, tuple(faces)
        self.corner = config.corner
        """The corner of the last frame labelled (one for all of a clip's frames, which share a size)."""
        self._overlay = functools.lru_cache(maxsize=1)(self._overlay_for)

    @property
    def drawn(self) -> LabelConfig:
        """The label as the frames show it: `config` in the corner it was drawn in."""
        return self.config if self.corner == self.config.corner else replace(self.config, corner=self.corner)

    def _overlay_for(self, height: int, width: int) -> LabelOverlay:
        overlay = render_label(width, height, self.config, self.faces)
        if self.channels == "bgr":
            overlay = replace(overlay, rgb=np.ascontiguousarray(overlay.rgb[..., ::-1]))
        return overlay

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        overlay = self._overlay(*frame.shape[:2])
        self.corner = overlay.corner
        return overlay.apply(frame)
