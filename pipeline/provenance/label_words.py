"""What a visible label may say: "AI-generated" first, then at most a studio's name or a credit that leaves it standing.

A rule of structure rather than a list of denials, which a spelling ("N0T", "isnt", "nicht") gets past: the label opens
with the words themselves, so nothing before them can turn them around, and what follows a separator is checked word
by word for the few words that deny or undercut them.
"""

from __future__ import annotations

import re

from core.errors import InputError

REQUIRED_WORDS = "AI-generated"
"""What every label opens with, in any letter case, "AI generated" (a space) too."""
SEPARATORS = (" · ", " - ", " | ", ": ", ", ")
"""What parts the words from what a label adds after them (as drawn: "•" is drawn as "·", a dash as "-")."""
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
"""Words an addition may not hold, as whole words (so "human-made" by "human"), in any case, with a look-alike digit or
sign for a letter ("N0T", "f4ke", "rea1"), spelled out a letter at a time ("n o t"), and any word ending in "n't"."""
REPEATED_WORDS = ("ai", "generated")
"""Nor may an addition say the words again, in part or whole ("AI-generated · A1-generated")."""
LOOK_ALIKES = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"})
"""Digits and signs read as letters; "1" is read both as "i" and as "l"."""

_OPENING_RE = re.compile(r"AI[- ]generated", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[A-Za-z0-9@$'’]+")


def check_label_words(text: str, drawn: str) -> None:
    """Refuse (InputError) a label `text` that, as `drawn` (LabelConfig.drawn_text), does not open with the words on one
    line, or whose addition undercuts them."""
    said = drawn.strip()
    opening = _OPENING_RE.match(said)
    addition = said[opening.end() :] if opening else ""
    separator = next((s for s in SEPARATORS if addition.startswith(s)), None)
    if (
        not opening
        or len(said.splitlines()) > 1
        or (addition and (separator is None or not addition[len(separator) :].strip()))
    ):
        raise InputError(
            f"the label's text {text!r} must open with {REQUIRED_WORDS!r} (any letter case), on one line; a studio's "
            f"name or a credit may follow after {' or '.join(repr(s) for s in SEPARATORS)}: e.g. {EXAMPLE!r}"
        )
    if addition:
        word = undercutting_word(addition[len(separator) :])
        if word is not None:
            raise InputError(
                f"the label's text {text!r} adds {word!r}, which denies or undercuts {REQUIRED_WORDS!r} (or says it "
                f"again): add a studio's name or a credit, e.g. {EXAMPLE!r}, without "
                f"{', '.join(UNDERCUTTING_WORDS)}, words ending in n't, or 'AI' and 'generated' again"
            )


def undercutting_word(addition: str) -> str | None:
    """The first word of `addition` that denies or undercuts the label's words, or says them again, as written; None."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(addition)]
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
    return (
        word.replace("'", "") in UNDERCUTTING_WORDS
        or word.endswith("n't")
        or word.replace("'", "") in REPEATED_WORDS
        or "generated" in word
    )
