"""Emoji and pictographs: the hearts and stars a voice says ("I ❤ you", "a 5 ★ hotel", "Thanks <3"), and the others
`check_text` leaves out."""

from __future__ import annotations

import re

_HEART_AT_THE_END_RE = re.compile(r"(?<=\s)<3+(?=[ \t]*(?:$|\n))", re.MULTILINE)
"""A heart typed at the end of a line ("Thanks <3"), said "heart" (espeak-ng: "three")."""


def _pictograph(match: re.Match) -> str:
    """ "love" ("loves" after he or she) for a heart, " star" for a star after a number ("a 5 star hotel")."""
    if "★" in match[0]:
        return " star"
    return (
        "loves" if match.string[max(0, match.start() - 4) : match.start()].lower().endswith(("he ", "she ")) else "love"
    )


PICTOGRAPH = "\U0001f000-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
"""Emoji and pictographs, skin tones not counted."""
EMOJI_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff"
"""Variation selectors and skin tones, which change the emoji before them."""
EMOJI_RE = re.compile(f"[{PICTOGRAPH}][{EMOJI_MODIFIERS}]*(?:\u200d[{PICTOGRAPH}][{EMOJI_MODIFIERS}]*)*")
"""One emoji: a pictograph with its modifiers, and those a zero-width joiner joins to it ("👨‍👩‍👧", "🏳️‍🌈")."""
PICTOGRAPH_PARTS_RE = re.compile(f"[{PICTOGRAPH}{EMOJI_MODIFIERS}\u200d]+")
_SUBJECTS = ("I", "we", "We", "you", "You", "they", "They", "he", "He", "she", "She")
SAID_PICTOGRAPH_RE = re.compile(
    "(?:" + "|".join(rf"(?<=\b{subject} )" for subject in _SUBJECTS) + r")(?:[❤♥]\ufe0f?|<3+)(?= [^\W_])"
    r"|(?<=\d)[ \t]?★(?!★)"
)
"""A heart that stands for a verb ("I ❤ you", "we ♥ NY", "I <3 you") and a star after a number ("a 5 ★ hotel"): kept
by `check_text` for `spoken_english` to say ("love", "star"), not left out as other pictographs are (the emoji ⭐ is
left out: after a number it is as often a decoration, "Happy 2024 ⭐", as a rating)."""


def pictographs_said(text: str) -> str:
    """`text` with a heart that stands for a verb, a star after a number and a heart at a line's end said."""
    text = SAID_PICTOGRAPH_RE.sub(_pictograph, text)
    return _HEART_AT_THE_END_RE.sub("heart", text)
