"""Example inputs voxlip makes itself: a drawn face and a synthetic voice, so no real person is used.

The face is painted from ellipses (MediaPipe finds it and its landmarks); the voice is the bundled
Piper voice reading a sentence, moved to a higher pitch and a shorter vocal tract (another synthetic
voice). Both are deterministic and written once into a cache folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EXAMPLE_SENTENCE = "Hello! This voice and this face were both made by a computer, for trying voxlip out."
EXAMPLE_TEXT = "Welcome to voxlip. Everything I say here was generated, and it is labelled as such."


@dataclass(frozen=True)
class Examples:
    voice: Path
    face: Path
    text: str = EXAMPLE_TEXT


def _ellipse(
    image: np.ndarray,
    center: tuple[int, int],
    axes: tuple[int, int],
    bgr: tuple[float, float, float],
    angle: float = 0.0,
    opacity: float = 1.0,
) -> None:
    """Blend a soft-edged filled ellipse of colour `bgr` (0..1) into the float image, in place."""
    import cv2

    mask = np.zeros(image.shape[:2], np.float32)
    cv2.ellipse(mask, center, axes, angle, 0, 360, 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 2)[..., None] * opacity
    image[:] = image * (1 - mask) + np.asarray(bgr, np.float32) * mask


def draw_face(size: int = 512) -> np.ndarray:
    """A frontal, neutral, closed-mouth face drawn from ellipses: (size, size, 3) uint8 BGR."""
    import cv2

    s = size / 512
    p = lambda x, y: (round(x * s), round(y * s))  # noqa: E731 (coordinates are laid out on a 512 grid)
    a = lambda w, h: (max(1, round(w * s)), max(1, round(h * s)))  # noqa: E731
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    image = np.stack([0.55 + 0.2 * yy, 0.5 + 0.1 * yy, 0.35 + 0.05 * xx], -1)
    skin, shadow, hair = (0.62, 0.74, 0.93), (0.55, 0.66, 0.86), (0.1, 0.12, 0.18)
    _ellipse(image, p(256, 560), a(200, 120), (0.35, 0.3, 0.55))  # shoulders
    _ellipse(image, p(256, 420), a(60, 90), (0.55, 0.68, 0.85))  # neck
    _ellipse(image, p(256, 215), a(150, 175), hair)
    _ellipse(image, p(256, 260), a(118, 150), skin)
    face = np.zeros((size, size), np.float32)
    cv2.ellipse(face, p(256, 260), a(118, 150), 0, 0, 360, 1.0, -1)
    face = cv2.GaussianBlur(face, (0, 0), 3 * s)[..., None]
    roundness = np.exp(-(((xx - 0.5) * 512 / 118) ** 2) * 1.2)[..., None]
    image *= 1 - face * (1 - roundness) * 0.35  # the cheeks turn away from the light
    _ellipse(image, p(256, 150), a(125, 60), hair)  # fringe
    for x, side in ((205, -1), (307, 1)):
        _ellipse(image, p(256 + side * 116, 270), a(16, 30), shadow)  # ear
        _ellipse(image, p(x, 210), a(32, 7), (0.15, 0.17, 0.25), angle=-5 * side)  # eyebrow
        _ellipse(image, p(x, 245), a(26, 12), (0.95, 0.95, 0.95))
        _ellipse(image, p(x, 245), a(11, 11), (0.35, 0.25, 0.15))
        _ellipse(image, p(x, 245), a(5, 5), (0.02, 0.02, 0.02))
        _ellipse(image, p(x + 3, 242), a(2, 2), (1.0, 1.0, 1.0))
        _ellipse(image, p(256 + side * 10, 305), a(5, 3), (0.3, 0.35, 0.5), opacity=0.7)  # nostril
    _ellipse(image, p(256, 300), a(14, 10), (0.5, 0.6, 0.8), opacity=0.6)
    _ellipse(image, p(256, 350), a(40, 9), (0.35, 0.35, 0.7))  # upper lip
    _ellipse(image, p(256, 358), a(36, 10), (0.4, 0.42, 0.75))  # lower lip
    _ellipse(image, p(256, 353), a(38, 2), (0.2, 0.2, 0.4))
    grain = np.random.default_rng(0).normal(0, 0.01, image.shape).astype(np.float32)
    return np.clip((image + grain) * 255, 0, 255).astype(np.uint8)


def make_examples(folder: str | os.PathLike) -> Examples:
    """Write the example face (PNG) and voice (WAV) into `folder` unless they are there already."""
    import cv2

    from core.files import atomic_output
    from voice.audio import save_audio
    from voice.offline.config import DEFAULT
    from voice.offline.conversion import change_voice
    from voice.offline.pitch import PitchStats
    from voice.piper import load_piper_voice

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    face, voice = folder / "example_face.png", folder / "example_voice.wav"
    if not face.exists():
        with atomic_output(face) as partial:
            cv2.imwrite(str(partial), draw_face())
    if not voice.exists():
        speech = load_piper_voice("piper-joe").speak(EXAMPLE_SENTENCE, seed=0)
        wave = change_voice(speech.wave, speech.sample_rate, 1.15, PitchStats(205.0, 0.15), 1.2, DEFAULT, seed=0)
        save_audio(voice, wave, speech.sample_rate)
    return Examples(voice, face)
