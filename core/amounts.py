"""Lengths, counts and names as voxlip writes them for people, one way everywhere: a clip of 0.05 s is "0.05 s, 1
frame", not "0.1 s, 1 frames"; "an int", "an SV2TTS", not "a int", "a SV2TTS"."""

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


def with_article(name: str) -> str:
    """`name` after "a" or "an" as it is said: "an" before a vowel's sound, a letter said as one in an initialism
    among them ("an OpenVoice", "an SV2TTS", "an S3FD", "an int"; "a GE2E", "a HiFi-GAN", "a str"), a word's u as
    "you" ("a uint8")."""
    initialism = name[1:2].isupper() or name[1:2].isdigit()
    vowel_sound = name[:1] and (name[:1] in "AEFHILMNORSX" if initialism else name[:1].lower() in "aeio")
    return f"{'an' if vowel_sound else 'a'} {name}"
