"""SV2TTS's text: Real-Time-Voice-Cloning's English cleaners and symbol ids, and the text its Tacotron is given.

`text_to_sequence` reproduces Real-Time-Voice-Cloning's `english_cleaners` + symbol table exactly,
because the public synthesizer checkpoint was trained on those ids.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from unidecode import unidecode

from .line_ends import lines_ended
from .spoken import spoken_english
from .written_forms import year_said

if TYPE_CHECKING:
    import inflect

PAD = "_"
EOS = "~"
CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!'\"(),-.:;? "
SYMBOLS: tuple[str, ...] = (PAD, EOS, *CHARACTERS)
SYMBOL_IDS: dict[str, int] = {s: i for i, s in enumerate(SYMBOLS)}
PAD_ID = SYMBOL_IDS[PAD]
EOS_ID = SYMBOL_IDS[EOS]

_ABBREVIATIONS = (
    ("mrs", "misess"),
    ("mr", "mister"),
    ("dr", "doctor"),
    ("st", "saint"),
    ("co", "company"),
    ("jr", "junior"),
    ("maj", "major"),
    ("gen", "general"),
    ("drs", "doctors"),
    ("rev", "reverend"),
    ("lt", "lieutenant"),
    ("hon", "honorable"),
    ("sgt", "sergeant"),
    ("capt", "captain"),
    ("esq", "esquire"),
    ("ltd", "limited"),
    ("col", "colonel"),
    ("ft", "fort"),
)
_ABBREVIATION_RES = tuple((re.compile(rf"\b{short}\.", re.IGNORECASE), long) for short, long in _ABBREVIATIONS)
_WHITESPACE_RE = re.compile(r"\s+")
_COMMA_NUMBER_RE = re.compile(r"([0-9][0-9,]+[0-9])")
_DECIMAL_RE = re.compile(r"([0-9]+\.[0-9]+)")
_POUNDS_RE = re.compile(r"£([0-9,]*[0-9]+)")
_DOLLARS_RE = re.compile(r"\$([0-9.,]*[0-9]+)")
_ORDINAL_RE = re.compile(r"[0-9]+(st|nd|rd|th)")
_NUMBER_RE = re.compile(r"[0-9]+")


@lru_cache(maxsize=1)
def _inflect() -> inflect.engine:
    import inflect  # imported when a number is first spelled out: it takes seconds to import

    return inflect.engine()


def _unit(count: int, singular: str) -> str:
    return f"{count} {singular if count == 1 else singular + 's'}"


def _dollars(match: re.Match) -> str:
    amount = match.group(1)
    parts = amount.split(".")
    if len(parts) > 2:
        return amount + " dollars"
    dollars = int(parts[0]) if parts[0] else 0
    cents = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    if dollars and cents:
        return f"{_unit(dollars, 'dollar')}, {_unit(cents, 'cent')}"
    if dollars:
        return _unit(dollars, "dollar")
    if cents:
        return _unit(cents, "cent")
    return "zero dollars"


def _cardinal(match: re.Match) -> str:
    """Numbers as words; 1001-2999 read as years ("nineteen ninety-five": `year_said`); one too long for inflect to
    name (over 36 digits: pi to 50 places, an identifier) digit by digit."""
    n = int(match.group(0))
    if 1000 < n < 3000:
        return year_said(n)
    import inflect

    words = _inflect().number_to_words
    try:
        return words(n, andword="")
    except inflect.NumOutOfRangeError:
        return " ".join(words(digit) for digit in match.group(0))


def expand_numbers(text: str) -> str:
    """Spell out numbers, money, decimals and ordinals the way SV2TTS's training text was."""
    text = _COMMA_NUMBER_RE.sub(lambda m: m.group(1).replace(",", ""), text)
    text = _POUNDS_RE.sub(r"\1 pounds", text)
    text = _DOLLARS_RE.sub(_dollars, text)
    text = _DECIMAL_RE.sub(lambda m: m.group(1).replace(".", " point "), text)
    text = _ORDINAL_RE.sub(lambda m: _inflect().number_to_words(m.group(0)), text)
    return _NUMBER_RE.sub(_cardinal, text)


_AM_PM_RE = re.compile(r"(?<=\d)\s?([AaPp])\.?[Mm]\b\.?(?=(\s+[A-Z]|\s*$)?)")
""""5 PM", "3 45 pm": SV2TTS's cleaners make "PM" a word, "pm"; its training text says the letters."""
_SIGNS = {"%": "percent", "&": "and", "+": "plus", "=": "equals", "°": "degrees"}
"""Signs espeak-ng says and SV2TTS's symbol table has not (its cleaners drop them: "50% off" was "fifty off")."""
_SIGN_RE = re.compile(r"[ \t]*([%°])|[ \t]*([&=])[ \t]*|(?<=[\w)])[ \t]*(\+)[ \t]*(?=[\w(])")
_DECIMALS_RE = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?!\.?\d)")
"""A decimal, whose figures after the point SV2TTS's cleaners read as a number ("3.14159": "three point fourteen
thousand ..."); espeak-ng says them one by one."""
_LEADING_ZERO_RE = re.compile(r"(?<![\d.,:])0\d+(?![.,:]?\d)")
"""A number written with leading zeros ("0042", "007"): SV2TTS's cleaners drop them ("forty-two")."""
_COUNT_RE = re.compile(r"(?<![\d,.])([12]),(\d{3})(?![\d,]|\.\d)")
"""A number of 1,001 to 2,999 with its thousands' comma: a count, which SV2TTS's cleaners, without the comma, read as a
year ("1,234 people": "twelve thirty-four people")."""
_LIST_COMMA_RE = re.compile(r"(?<=\d),(?=\d)(?!\d{3}(?!\d))")
"""A comma between figures that is no thousands' separator ("1,2 or 3"): SV2TTS's cleaners join them ("twelve")."""


def tacotron_text(text: str) -> str:
    """`text` as SV2TTS's Tacotron is given it: written as it is said (`lines_ended`, `spoken_english`, the rules the
    offline voice reads with), then what RTVC's cleaners would misread or drop, as espeak-ng reads it: "PM" as letters,
    signs as words, a count with its thousands' comma as a count, a decimal's figures one by one, leading zeros and
    commas between figures kept."""
    text = spoken_english(lines_ended(text))
    text = _AM_PM_RE.sub(lambda m: f" {m[1].lower()} m" + ("." if m[2] is not None else ""), text)
    text = _SIGN_RE.sub(_sign, text)
    text = _COUNT_RE.sub(lambda m: _inflect().number_to_words(int(m[1] + m[2]), andword=""), text)
    text = _DECIMALS_RE.sub(lambda m: f"{m[1]} point {' '.join(m[2])}", text)
    text = _LEADING_ZERO_RE.sub(lambda m: " ".join(m[0]), text)
    return _LIST_COMMA_RE.sub(", ", text)


def _sign(match: re.Match) -> str:
    """ " percent" after a number ("50%"), " and " between words."""
    after, between, plus = match.groups()
    return f" {_SIGNS[after]}" if after else f" {_SIGNS[between or plus]} "


def english_cleaners(text: str) -> str:
    """Unicode → ASCII, lowercase, numbers and abbreviations spelled out, whitespace collapsed."""
    text = unidecode(text).lower()
    text = expand_numbers(text)
    for pattern, replacement in _ABBREVIATION_RES:
        text = pattern.sub(replacement, text)
    return _WHITESPACE_RE.sub(" ", text)


def text_to_sequence(text: str) -> list[int]:
    """Cleaned English text as SV2TTS symbol ids, ending with the EOS id.

    Characters outside the symbol table (after cleaning) are dropped, as in the original.
    """
    ids = [SYMBOL_IDS[c] for c in english_cleaners(text) if c in SYMBOL_IDS and c not in (PAD, EOS)]
    return ids + [EOS_ID]


def sequence_to_text(ids: list[int]) -> str:
    return "".join(SYMBOLS[i] for i in ids if 0 <= i < len(SYMBOLS))
