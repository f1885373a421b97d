"""Lengths and counts as voxlip writes them for people, one way everywhere: a clip of 0.05 s is "0.05 s, 1 frame", not
"0.1 s, 1 frames"."""

from __future__ import annotations


def seconds_in_words(seconds: float) -> str:
    """A length to a tenth of a second from a second up ("2.0 s"), to two digits under a second ("0.05 s", "0.12 s"),
    where a tenth would round a short clip to twice its length, or to nothing; under a second never reads "1 s" (0.996
    s reads "0.99 s"), so that a length under a 1 s minimum is not said to be 1 s."""
    return f"{seconds:.1f} s" if seconds >= 1 else f"{min(seconds, 0.99):.2g} s"


def counted(count: int, noun: str) -> str:
    """`count` of `noun` (a regular one), in the singular for one: "1 frame", "75 frames"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def frames_in_words(seconds: float, frames: int, fps: float) -> str:
    """A video's length, frames and rate: "3.0 s, 75 frames at 25 fps"."""
    return f"{seconds_in_words(seconds)}, {counted(frames, 'frame')} at {fps:g} fps"
