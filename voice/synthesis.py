"""What the voice stage returns: the reference's voice saying a text, and what made it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.components import Component

from .phones import Phone


@dataclass(frozen=True)
class Synthesis:
    """Samples of one voice saying `text` (not yet watermarked: that is the output layer's job)."""

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    text: str | None
    """What is said; None for a re-voiced recording (voxlip does not know its words)."""
    components: tuple[Component, ...]
    """The synthesizer and vocoder (or the offline voice) that made the samples."""
    phones: tuple[Phone, ...] | None = field(default=None, repr=False)
    """When each phone is said (the offline voice knows; SV2TTS does not), handed to the offline lip-sync."""
    notes: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def neural(self) -> bool:
        """Whether only neural models made it (not the offline signal-processing fallbacks)."""
        return all(c.neural for c in self.components)
