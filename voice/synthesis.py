"""What the voice stage returns: the reference's voice saying a text, and what made it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.components import Component
from core.errors import InputError

from .phones import Phone


@dataclass(frozen=True, eq=False)
class Synthesis:
    """Samples of one voice saying `text` (not yet watermarked: that is the output layer's job); compared and hashed
    by identity (its samples are an array)."""

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


class SpeechTooLong(InputError):
    """The voice stopped once the speech made so far passed `limit` seconds (a `max_seconds` asked of it): raised
    between sentences, so that the rest of the text is not made for nothing. `words` open the sentence (or the run of
    a long one) where the limit ran out, as said; it is in paragraph `paragraph` (from 1) of `paragraphs`, `share` of
    the way through the text's sentences."""

    def __init__(self, limit: float, words: str, paragraph: int, paragraphs: int, share: float):
        self.limit, self.words, self.paragraph, self.paragraphs, self.share = limit, words, paragraph, paragraphs, share
        super().__init__(
            f"the speech passes {limit:.0f} s at {self.place}: give a shorter text, or split it before those words"
        )

    @property
    def place(self) -> str:
        """Where the limit ran out, for messages: '"The words it opens with..." (paragraph 12 of 14, 85% of the way
        through the text)'."""
        opening = self.words if len(self.words) <= 60 else self.words[:60].rsplit(" ", 1)[0] + "..."
        paragraph = f"paragraph {self.paragraph} of {self.paragraphs}, " if self.paragraphs > 1 else ""
        return f'"{opening}" ({paragraph}{self.share:.0%} of the way through the text)'
