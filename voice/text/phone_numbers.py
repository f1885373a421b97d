"""Phone numbers said as people say them: digit by digit in groups ("555-123-4567", "+44 20 7946 0958", "call 911",
"1-800-FLOWERS")."""

from __future__ import annotations

import re

from .written_forms import CURRENCY_SIGNS


def word_before(words: str) -> re.Pattern:
    """One of `words` (a regex alternation) at most two words before where a search in a span ends."""
    return re.compile(rf"\b(?:{words})\b\W+(?:\w+\W+){{0,2}}?$", re.IGNORECASE)


_NORTH_AMERICAN_AFTER_1 = r"(?=\(?[2-9]\d\d\)?[-. ]?[2-9])"
"""After the long-distance 1, an area code and an exchange that start with 2-9, as every North American number's do:
"1-055-555-1234" is no phone number with its 1."""
_PHONE_RE = re.compile(
    r"(?<![\w+-])(?:(\+?1)(?:[-.]|\s?(?=\())"
    + _NORTH_AMERICAN_AFTER_1
    + r")?(?:\((\d{3})\)\s?|(\d{3})[-.])(\d{3})[-.](\d{4})(?![\w-])"
)
"""A phone number: 555-123-4567, 555.123.4567 or (555) 123-4567, with the long-distance 1 or the country's +1 before
it or not (1-800-555-0199, 1 (800) 555-0199, +1 (800) 555-0199; `_NORTH_AMERICAN_AFTER_1`)."""
_VANITY_PHONE_RE = re.compile(
    r"(?<![\w+.,-])(?:(\+?1)[- ])?(8(?:00|88|77|66|55|44|33))(?(1)[- ]|-)((?:\d{3}[- ])?(?=(?:[- ]?[A-Z]){4})"
    r"[A-Z]{2,}(?:[- ][A-Z]{2,})*)(?![\w-])"
)
"""A toll-free number with words for its last digits, as firms give them: "1-800-FLOWERS", "1-800-GOT-JUNK",
"800-CONTACTS", "1-800-555-HELP", "+1 888 NEW CARS" (four letters or more: "1.999 EUR", "800 GBP" are amounts;
a hyphen after the area code or a 1 before it: "OVER 800 MILES", "THE 888 CLUB" are text in capitals)."""
VANITY_LENGTH = 7
"""Letters and figures a vanity number has after its area code, at least (its seven digits spelt, or some of them):
fewer are a measure in capitals ("800-MILE", "855-ACRE FARM"); without a 1 before it, its words are hyphenated
("800-CONTACTS"), and a word after a space is not counted."""
_CODE_BEFORE_RE = re.compile(r"\b(?:ISBN|ISSN):?\s*$", re.IGNORECASE)
"""A book's or a journal's number before a chain of figures: "ISBN 1-555-123-4567" is no phone number with its 1."""
_SPACED_PHONE_RE = re.compile(
    r"(?<![\w+.,-])(?:(?:1 "
    + _NORTH_AMERICAN_AFTER_1
    + r")?\d{3} \d{3} \d{4}|0\d{1,4}(?: \d{2,6}){1,3})(?![\w-]|[.,]\d)"
)
"""A phone number with spaces between its groups: 555 123 4567 (1 800 555 0199), or one that starts with 0 (020 7946
0958, 07700 900123) of 10 or 11 digits."""
_AREA_CODES_SAID_AS_NUMBERS = frozenset({"800"})
"""North American area codes said as a number: "1-800" is "one eight hundred"; the other toll-free ones (888, 877,
866, ...) are said digit by digit, as people say them ("one eight eight eight")."""
_NORTH_AMERICAN_GROUPS = (3, 3, 4)
"""The lengths of a North American number's groups (area code, exchange, line), which `_north_american_phone` says."""
_LOCAL_PHONE_RE = re.compile(rf"(?<![\w+.,:/#{CURRENCY_SIGNS}‐‑‒–-])(\d{{3}})-(\d{{4}})(?![\w‐‑‒–-]|[.,]\d)")
"""A number of seven digits, three and four with a hyphen between ("555-1234"), that is no part of a longer chain:
a local phone number or a range (`_local_phone`)."""
PHONE_WORD_BEFORE_RE = word_before(
    "call|calls|called|calling|phone|phoned|dial|dialed|dialled|ring|tel|telephone|fax|mobile|cell|number"
)
"""A word that asks for a phone, at most two words before a number ("call 555-1234", "phone me on 555-1234")."""
PHONE_CONTEXT = 40
"""Characters before a number looked at for a word that asks for a phone."""
_EMERGENCY_RE = re.compile(
    r"\b((?:call|calls|called|calling|dial|dials|dialed|dialled|dialing|dialling|ring|rang|phone|phoned)\s+)"
    r"(911|999|112|000|988)\b(?![.,]\d)",
    re.IGNORECASE,
)
"""An emergency number after a word that calls it ("Call 911", "dial 999", "ring 112"), said digit by digit (espeak-ng:
"nine hundred eleven"); alone, "911" may be a Porsche and "999" a count."""

_INTERNATIONAL_PHONE_RE = re.compile(r"(?<![\w+])\+(\d{1,3})((?:[ .-]\d{1,4}){2,5})(?![\w-])")
"""One with its country's code: +1 555 123 4567, +44 20 7946 0958 (8 digits or more: "+5 10 15 20" is a list)."""
PHONE_DIGITS = 8


def _international_phone(match: re.Match) -> str:
    """+1 555 123 4567 said "plus 1, 5 5 5, ..."; fewer than PHONE_DIGITS digits as written (a list, a sign)."""
    groups = [match[1], *re.findall(r"\d+", match[2])]
    if sum(len(group) for group in groups) < PHONE_DIGITS:
        return match[0]
    if groups[0] == "1" and tuple(map(len, groups[1:])) == _NORTH_AMERICAN_GROUPS:
        return _north_american_phone("plus 1", *groups[1:])
    return "plus " + _digit_groups(groups)


def _phone(match: re.Match) -> str:
    """ "5 5 5, 1 2 3, 4 5 6 7", "1, 800, 5 5 5, 0 1 9 9" (`_north_american_phone`); one with its 1 after ISBN or
    ISSN as typed."""
    prefix, bracketed_area, area, exchange, line = match.groups()
    if prefix and _CODE_BEFORE_RE.search(match.string, 0, match.start()):
        return match[0]
    return _north_american_phone((prefix or "").replace("+", "plus "), bracketed_area or area, exchange, line)


def _local_phone(match: re.Match) -> str:
    """ "5 5 5, 1 2 3 4" for a local phone number: after a word that asks for a phone (`PHONE_WORD_BEFORE_RE`: "call
    555-1234", "my number is 555-1234"), or alone on its line ("555-1234", as under a name) where it can be no range
    either (an exchange starting with 0 or 1, as no North American one does: "100-1000"; both ends round:
    "800-1200"). Anywhere else as typed, for `written_forms_said` to say as the range it mostly is ("from 476-1453",
    "sizes of 256-1024", "IEEE 754-2019", "It is 555-1234.")."""
    exchange, line = match.groups()
    text, start, end = match.string, match.start(), match.end()
    if PHONE_WORD_BEFORE_RE.search(text, max(0, start - PHONE_CONTEXT), start):
        return _digit_groups(match.groups())
    alone = not text[:start].rpartition("\n")[2].strip() and text[end:].partition("\n")[0].strip() in ("", ".")
    round_ends = int(exchange) % 10 == 0 and int(line) % 10 == 0 and line[0] != "0"
    if not alone or exchange[0] in "01" or round_ends:
        return match[0]
    return _digit_groups(match.groups())


def _vanity_phone(match: re.Match) -> str:
    """ "1, 800, flowers", "1, 800, 5 5 5, help": the figures as a phone number's, the words as words (in lower case:
    espeak-ng may spell a word in capitals)."""
    prefix, area, rest = match.groups()
    rest, space, after = rest.partition(" ") if prefix is None else (rest, "", "")
    if sum(character.isalnum() for character in rest) < VANITY_LENGTH:  # "855-ACRE FARM", "THE 800-MILE ROUTE"
        return match[0]
    *exchange, words = re.split("[- ]", rest, maxsplit=1) if rest[0].isdigit() else [rest]
    said = [(prefix or "").replace("+", "plus "), _area_said(area), *map(" ".join, exchange)]
    return ", ".join(filter(None, (*said, " ".join(words.split("-")).lower()))) + space + after


def _spaced_phone(match: re.Match) -> str:
    """ "5 5 5, 1 2 3, 4 5 6 7", "1, 800, 5 5 5, 0 1 9 9"; a group of numbers of another length as written (a list)."""
    groups = match[0].split()
    if tuple(map(len, groups[-3:])) == _NORTH_AMERICAN_GROUPS and groups[:-3] in ([], ["1"]):
        return _north_american_phone("".join(groups[:-3]), *groups[-3:])
    return _digit_groups(groups) if 10 <= sum(map(len, groups)) <= 11 else match[0]


def _north_american_phone(prefix: str, area: str, exchange: str, line: str) -> str:
    """ "1, 800, 5 5 5, 0 1 9 9", "plus 1, 2 1 2, 5 5 5, 0 1 9 9": the 1 or "plus 1" before (`prefix`, or ""), then
    the groups digit by digit but an area code said as a number (`_AREA_CODES_SAID_AS_NUMBERS`)."""
    return ", ".join(filter(None, (prefix, _area_said(area), " ".join(exchange), " ".join(line))))


def _area_said(area: str) -> str:
    """ "800" said as a number (`_AREA_CODES_SAID_AS_NUMBERS`), another area code digit by digit: "2 1 2"."""
    return area if area in _AREA_CODES_SAID_AS_NUMBERS else " ".join(area)


def _digit_groups(groups) -> str:
    """Groups of digits said one digit at a time, a pause between groups: "5 5 5, 1 2 3 4"."""
    return ", ".join(" ".join(group) for group in groups if group)


def phone_numbers_said(text: str) -> str:
    """`text` with its phone numbers, international, North American, vanity, emergency, spaced and local, said."""
    text = _INTERNATIONAL_PHONE_RE.sub(_international_phone, text)
    text = _PHONE_RE.sub(_phone, text)
    text = _VANITY_PHONE_RE.sub(_vanity_phone, text)
    text = _EMERGENCY_RE.sub(lambda m: m[1] + " ".join(m[2]), text)
    text = _SPACED_PHONE_RE.sub(_spaced_phone, text)
    return _LOCAL_PHONE_RE.sub(_local_phone, text)
