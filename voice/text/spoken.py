"""English written as it is said for espeak-ng (`spoken_english`): the steps in their order, and dates, Roman
numerals, ratios, comparisons and counts ("10K subscribers") said."""

from __future__ import annotations

import re

from .european_numbers import dotted_thousands_in_english, european_numbers_in_english
from .money import SCALES, money_said
from .phone_numbers import phone_numbers_said
from .pictographs import pictographs_said
from .short_forms import SENTENCE_STARTS, short_forms_said
from .written_forms import CURRENCY_SIGNS, MONTHS, ordinal_suffix, written_forms_said

_COUNTED_NOUNS = (
    "subscribers followers views likes fans users downloads streams listeners viewers members people comments shares "
    "plays visitors customers readers players students employees sales copies impressions clicks votes signups"
)
"""What creators count in thousands and millions ("10K subscribers", "2M views"): a scale's letter before another
word is no count ("3M makes tape", "4K movies", "2B pencils", "Gate 4B opens", "14K earrings")."""
_SCALED_COUNT_RE = re.compile(
    rf"(?<![\w.,{CURRENCY_SIGNS}])(\d+(?:\.\d+)?)(k|K|M|mn|B|bn)(?=\s+(?:{'|'.join(_COUNTED_NOUNS.split())})\b)"
)
"""A count with a short form of its scale (`SCALES`) before a noun creators count (`_COUNTED_NOUNS`: "10K
subscribers", "1.5k likes", "2M views"; espeak-ng: "ten K"); "a 10K race", "4K video", "seat 12B" and "5m" stay."""

_RATIO_RE = re.compile(r"(?<![\w.,:/+#-])(\d+):(\d|\d{3,})(?![\w:]|[.,]\d)")
"""Two numbers with a colon between them, the second of one figure or of three or more: a ratio or a score ("3:1",
"16:9", "won 2:1", "1:100"), which espeak-ng read with a pause at the colon ("three: one"). A time has two figures
after its colon ("7:45", read before: `written_forms_said`), and so has a time of a race ("25:30"); a chain ("1:2:3")
stays."""
_NAME_CONTEXT = 40
"""Characters before a ratio looked at for a name."""
_NAME_BEFORE_RE = re.compile(rf"\b(?!(?:{SENTENCE_STARTS})\b)[A-Z][\w'’-]*\s+$")
"""A capitalised word that is no sentence's usual first word, at the end of the text before a ratio: a name, whose
figures may be a verse ("Genesis 1:1") or a result ("Chelsea 2:1")."""

_DATE_RE = re.compile(
    r"(?<![\w/-])(?:(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})|(?<!\.)(\d{2})\.(\d{2})\.(\d{4})(?!\.\d))"
    r"(?![\w/-])"
)
"""A date in figures: 2026-05-12 (ISO), or 12/05/2026, month first as in the US unless the first number is no month,
or 15.03.2024 with full stops and two figures each for day and month, day first as in Europe, where dates are
written so (espeak-ng: "fifteen point zero three point two zero two four"; "2.1.2023", "3.10.2024" may be versions)."""

_COMPARISON_RE = re.compile(
    r"(?<![\w<>=.])(-?\d+(?:\.\d+)?|[A-Za-z])\s*(<=|>=|[<>≤≥])\s*(-?\d+(?:\.\d+)?|[A-Za-z])(?![\w<>=]|\.\d)"
)
"""A comparison of numbers or letters ("5 < 6", "x ≥ 5", "a <= b"), whose sign espeak-ng drops ("five six")."""
_COMPARISONS = {
    "<": "is less than",
    ">": "is greater than",
    "<=": "is less than or equal to",
    "≤": "is less than or equal to",
    ">=": "is greater than or equal to",
    "≥": "is greater than or equal to",
}

_ROMAN_RE = re.compile(r"\b([A-Z][a-z]+)\s+([IVXL]+)\b(?!['-])(\s+of\b|(?=\s*(?:[^\w\s]|$)))?")
"""A Roman numeral after a capitalised word: "Henry VIII", "World War II" (espeak-ng: "Henry roman eight"). With it,
whether "of", a mark or the end comes next: "I" is a numeral only there, or after a word that counts."""
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}
_USUAL_ROMAN_RE = re.compile(r"(XL|L?X{0,3})(IX|IV|V?I{0,3})")
_REGNAL_NAMES = frozenset(
    "Alexander Alfonso Benedict Boniface Carlos Catherine Charles Clement Constantine David Edward Elizabeth "
    "Ferdinand Francis Frederick George Gregory Gustav Hadrian Henri Henry Innocent Ivan James John Leo Louis "
    "Ludwig Mary Napoleon Nicholas Otto Paul Peter Philip Pius Ramesses Richard Sixtus Urban Victor Wilhelm "
    "William".split()
)
"""Names that monarchs and popes carry with a number, said "the Eighth"."""
_COUNTING_WORDS = frozenset(
    "Act Apollo Article Book Bowl Chapter Class Episode Grade Level Part Phase Psalm Round Season Section Stage "
    "Step Title Type Volume War".split()
)
"""Words whose numeral is a count, said even when it is one letter ("World War I", "Chapter V")."""


def spoken_english(text: str) -> str:
    """`text` with what espeak-ng misreads, or reads as the end of a sentence, written as it is said.

    Money: "$19.99" is "19 dollars and 99 cents" (espeak-ng: "dollar nineteen point nine nine"); dates in figures
    ("12/05/2026", "2026-12-05") are said as dates, and phone numbers ("555-123-4567", "020 7946 0958", "call 911")
    digit by digit. Full stops of titles, short forms and initials ("Dr. Smith", "5 p.m. today", "J. K. Rowling", "the
    U.S.") are not the end of a sentence: a voice would stop there, as at any full stop. Ranges, times, years, units and
    the other written forms: `written_forms_said`. SV2TTS reads by these rules too (`tacotron_text`).
    """
    text = pictographs_said(text)
    text = _COMPARISON_RE.sub(lambda m: f"{m[1]} {_COMPARISONS[m[2]]} {m[3]}", text)
    text = _DATE_RE.sub(_date, text)
    text = dotted_thousands_in_english(text)
    text = phone_numbers_said(text)
    text = european_numbers_in_english(text)
    text = _ROMAN_RE.sub(_roman, text)
    text = _RATIO_RE.sub(_ratio, written_forms_said(text))
    text = _SCALED_COUNT_RE.sub(lambda m: f"{m[1]} {SCALES[m[2].lower()]}", text)
    text = money_said(text)
    return short_forms_said(text)


def _ratio(match: re.Match) -> str:
    """ "3 to 1"; after a name (`_NAME_BEFORE_RE`) as typed."""
    before = match.string[max(0, match.start() - _NAME_CONTEXT) : match.start()]
    return match[0] if _NAME_BEFORE_RE.search(before) else f"{match[1]} to {match[2]}"


def _date(match: re.Match) -> str:
    """A date as it is said, "May 12th, 2026" (espeak-ng: "twelve slash zero five slash two thousand twenty six")."""
    iso_year, iso_month, iso_day, first, second, year, dotted_day, dotted_month, dotted_year = match.groups()
    if iso_year:
        year, month, day = iso_year, int(iso_month), int(iso_day)
    elif dotted_year:
        year, month, day = dotted_year, int(dotted_month), int(dotted_day)
        month, day = (day, month) if month > 12 else (month, day)  # "12.25.2024", a US date with full stops
    else:
        month, day = (int(first), int(second)) if int(first) <= 12 else (int(second), int(first))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return f"{MONTHS[month - 1]} {day}{ordinal_suffix(day)}, {year}"


def _roman(match: re.Match) -> str:
    """A Roman numeral in figures, as an ordinal after a monarch's name ("Henry the 8th"), else as a count ("World
    War 2"). One letter, or two with an L, only after those words ("Malcolm X", "size XL"); "I" only after a word
    that counts or before a mark, "of" or the end ("Henry I think")."""
    word, numeral, of = match.groups()
    value = _roman_value(numeral)
    regnal, counting = word in _REGNAL_NAMES, word in _COUNTING_WORDS
    short = len(numeral) == 1 or (len(numeral) == 2 and "L" in numeral)
    if value is None or (short and not (regnal or counting)) or (numeral == "I" and not counting and of is None):
        return match.group(0)
    said = f"the {value}{ordinal_suffix(value)}" if regnal else str(value)
    return f"{word} {said}{of or ''}"


def _roman_value(numeral: str) -> int | None:
    """The value of a Roman numeral up to 89 written the usual way ("XIV", not "XIIII"), else None."""
    if not _USUAL_ROMAN_RE.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[letter] for letter in numeral]
    return sum(-v if v < after else v for v, after in zip(values, values[1:] + [0]))
