"""The Wav2Lip strategy: crop each tracked face, generate its lower half from the audio, blend it back.

Wav2Lip's forward takes mel windows (B, 1, 80, 16) and faces (B, 6, 96, 96): BGR / 255, the target
with its lower half zeroed, then the reference. Only the rows of the crop that the blend mask uses
are generated (the same values as the full pass).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from core.components import Component
from voice.precision import precision_note

from .audio_frames import lipsync_mel, mel_windows
from .background import CoreTurns, StageTimer
from .blend import BlendConfig, first_masked_row, lower_face_mask, paste_face
from .face import Face

GENERATOR_SIZE = 96
Generator = Callable[..., Any]
"""`generator(mel, faces) -> mouths` as torch tensors, returning (B, 3, 96, 96) in [0, 1]; a `Wav2Lip`
model is also asked for the lower rows only."""


class Wav2LipRenderer:
    """Mouths from a Wav2Lip-style generator, pasted back below the nose through a feathered mask."""

    def __init__(
        self,
        generator: Generator,
        pads: tuple[int, int, int, int] = (0, 10, 0, 0),
        blend: BlendConfig = BlendConfig(),
        precision: str = "float32",
        notes: tuple[str, ...] = (),
    ):
        self.generator, self.pads, self.blend, self.precision = generator, pads, blend, precision
        self._notes = notes
        self._mel: np.ndarray | None = None
        self._fps = 25.0

    @property
    def components(self) -> tuple[Component, ...]:
        return (Component.of("lip-sync", self.generator),)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the run's result says of how its mouths were made: the generator's precision, and `notes`."""
        if self.precision == "float32":
            return self._notes
        return (precision_note(self.precision, "Wav2Lip generator", "mouths move slightly"), *self._notes)

    def prepare(self, audio: np.ndarray, fps: float, n_frames: int, timer: StageTimer) -> None:
        with timer("audio"):
            self._mel, self._fps = lipsync_mel(audio), fps

    def render(
        self, frames: list[np.ndarray], faces: list[Face | None], indices: range, timer: StageTimer, turns: CoreTurns
    ) -> list[np.ndarray]:
        """The masks are drawn first: rows of the crop above every mask's top are not generated."""
        import torch

        boxes = {i: f.crop_box(frames[i].shape, self.pads) for i, f in enumerate(faces) if f is not None}
        with_face = [i for i, (x1, y1, x2, y2) in boxes.items() if x2 - x1 >= 8 and y2 - y1 >= 8]
        if not with_face:
            return frames
        with timer("blending"):
            masks = {i: lower_face_mask(faces[i], boxes[i], self.blend) for i in with_face}
            first_row = min(first_masked_row(mask, GENERATOR_SIZE) for mask in masks.values())
        with timer("generator"):
            crops = np.stack([_crop(frames[i], boxes[i]) for i in with_face])
            reference = crops.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
            masked = reference.copy()
            masked[:, :, GENERATOR_SIZE // 2 :] = 0.0
            face_input = torch.from_numpy(np.concatenate([masked, reference], axis=1))
            mels = mel_windows(self._mel, indices, self._fps)
            mel = torch.from_numpy(np.ascontiguousarray(mels[with_face][:, None]))
            device = _device_of(self.generator)
            low_precision = self.precision == "bfloat16"
            from .wav2lip import Wav2Lip

            with (
                turns.exclusive(),
                torch.inference_mode(),
                torch.autocast(torch.device(device).type, torch.bfloat16, enabled=low_precision),
            ):
                if isinstance(self.generator, Wav2Lip):
                    mouths = self.generator.generate(mel.to(device), face_input.to(device), first_row)
                else:
                    mouths = self.generator(mel.to(device), face_input.to(device))
            mouths = (mouths.float().cpu().numpy().transpose(0, 2, 3, 1) * 255.0).clip(0, 255).astype(np.uint8)
        with timer("blending"):
            out = list(frames)
            for k, i in enumerate(with_face):
                out[i] = paste_face(frames[i], mouths[k], faces[i], boxes[i], self.blend, masks[i])
        return out


def _crop(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    import cv2

    x1, y1, x2, y2 = box
    return cv2.resize(frame[y1:y2, x1:x2], (GENERATOR_SIZE, GENERATOR_SIZE))


def _device_of(generator: Generator) -> Any:
    parameters = getattr(generator, "parameters", None)
    if callable(parameters):
        first = next(iter(parameters()), None)
        if first is not None:
            return first.device
    return "cpu"
