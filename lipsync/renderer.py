"""What gives a tracked face its new mouth: one `MouthRenderer` per strategy, chosen by the caller.

`generation.Wav2LipRenderer` redraws the lower face with a Wav2Lip generator; `offline.OfflineRenderer`
takes a video's own mouths (unit selection) or animates a photo (warped lips and jaw, blinks, head motion)
from timed phones. The engine runs either the same way; a renderer with an `observe(index, frame, face)`
method is shown every tracked source frame of a video first.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from core.components import Component
from voice.phones import Phone

from .background import CoreTurns, StageTimer
from .face import Face
from .options import LipsyncOptions


class MouthRenderer(Protocol):
    """Made for one audio track: `prepare` once (while frames are decoded and tracked), then `render` batches."""

    @property
    def components(self) -> tuple[Component, ...]:
        """What made the mouths (known once `prepare` has run)."""
        ...

    def prepare(self, audio: np.ndarray, fps: float, n_frames: int, timer: StageTimer) -> None:
        """Read what the mouth needs from the 16 kHz `audio` (mel windows, phones)."""
        ...

    def render(
        self, frames: list[np.ndarray], faces: list[Face | None], indices: range, timer: StageTimer, turns: CoreTurns
    ) -> list[np.ndarray]:
        """BGR frames number `indices` of the output, with new mouths where a face was tracked."""
        ...


def make_renderer(
    options: LipsyncOptions, generator=None, phones: tuple[Phone, ...] | list[Phone] | None = None
) -> MouthRenderer:
    """Wav2Lip's strategy when a `generator` is given, else the animator's (driven by `phones` when given)."""
    if generator is None:
        from .offline import OfflineRenderer

        return OfflineRenderer(
            phones,
            options.animator,
            options.visemes,
            options.units,
            options.living,
            options.seed,
            options.still,
            options.paste,
            options.offline_threads,
        )
    from .generation import Wav2LipRenderer

    still = "--still does nothing with Wav2Lip, which draws the mouth only, on the head as it is"
    return Wav2LipRenderer(generator, options.pads, options.blend, options.precision, (still,) if options.still else ())
