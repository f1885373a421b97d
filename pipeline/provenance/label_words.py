"""What a visible label may say: the words "AI-generated", with any words around them that leave them standing.

Every word besides the required ones, before or after them, is checked against the few that deny or undercut them,
however spelled ("N0T", "isnt", "n o t", "nicht"), so a studio's name, a credit or "AI-generated video" is free and
"not AI-generated" is refused.
"""

from __future__ import annotations

import re

from core.errors import InputError

REQUIRED_WORDS = "AI-generated"
"""What every label opens with, in any letter case, "AI generated" (a space) too."""
EXAMPLE = f"{REQUIRED_WORDS} · Studio X"
UNDERCUTTING_WORDS = (
    "not",
    "no",
    "non",
    "none",
    "never",
    "nothing",
    "hardly",
    "barely",
    "nicht",
    "nein",
    "nah",
    "zero",
    "nope",
    "without",
    "isnt",
    "arent",
    "wasnt",
    "aint",
    "fake",
    "false",
    "untrue",
    "joke",
    "kidding",
    "jk",
    "real",
    "genuine",
    "authentic",
    "original",
    "human",
)
"""Words a label may not hold besides "AI-generated", as whole words (so "human-made" by "human"), in any case, with a
look-alike digit or sign for a letter ("N0T", "f4ke", "rea1"), spelled out a letter at a time ("n o t"), and any word
ending in "n't"; "No." before a number ("No. 5") is a number's abbreviation. Nor may it say "generated" again."""
LOOK_ALIKES = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"})
"""Digits and signs read as letters; "1" is read both as "i" and as "l"."""

_SAYS_IT_RE = re.compile(r"(?<!\w)AI[- ]generated(?!\w)", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[A-Za-z0-9@$'’]+")
_NUMBER_AFTER_RE = re.compile(r"\.\s*\d")


def check_label_words(text: str, drawn: str) -> None:
    """Refuse (InputError) a label `text` that, as `drawn` (LabelConfig.drawn_text), does not say the words on one
    line, or whose other words deny or undercut them."""
    said = drawn.strip()
    found = _SAYS_IT_RE.search(said)
    if not found or len(said.splitlines()) > 1:
        raise InputError(
            f"the label's text {text!r} must say {REQUIRED_WORDS!r} (any letter case) plainly, on one line, with any "
            f"other words around it: e.g. {REQUIRED_WORDS!r} or {EXAMPLE!r}"
        )
    word = undercutting_word(said[: found.start()]) or undercutting_word(said[found.end() :])
    if word is not None:
        raise InputError(
            f"the label's text {text!r} says {word!r}, which denies or undercuts {REQUIRED_WORDS!r} (or says it "
            f"again): name a studio or give a credit instead, e.g. {EXAMPLE!r}, without "
            f"{', '.join(UNDERCUTTING_WORDS)}, words ending in n't, or 'generated' again"
        )


def undercutting_word(addition: str) -> str | None:
    """The first word of `addition` that denies or undercuts the label's words, or says them again, as written; None."""
    tokens = [
        (m.group(), m.start(), m.end())
        for m in _TOKEN_RE.finditer(addition)
        if not (m.group().lower() == "no" and _NUMBER_AFTER_RE.match(addition, m.end()))
    ]
    candidates = [written for written, _, _ in tokens]
    run: list[tuple[str, int, int]] = []
    for token in [*tokens, ("", -2, -2)]:  # letters spelled one at a time ("n o t", "n.o.t") read as the word
        if len(token[0]) == 1 and (not run or token[1] - run[-1][2] == 1):
            run.append(token)
            continue
        if len(run) > 1:
            candidates.append(addition[run[0][1] : run[-1][2]])
        run = [token] if len(token[0]) == 1 else []
    for written in candidates:
        if any(_undercuts(word) for word in _readings(written)):
            return written
    return None


def _readings(written: str) -> set[str]:
    """`written` as the words it may be read as: lower case, look-alikes as letters, "1" as "i" and as "l"."""
    word = "".join(c for c in written.lower().replace("’", "'") if c.isalnum() or c == "'").strip("'")
    word = word.translate(LOOK_ALIKES)
    return {word.replace("1", "i"), word.replace("1", "l")}


def _undercuts(word: str) -> bool:
    return word.replace("'", "") in UNDERCUTTING_WORDS or word.endswith("n't") or "generated" in word
