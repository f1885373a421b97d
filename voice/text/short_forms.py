"""Titles, short forms, initials and acronyms written out ("Dr. Smith", "approx.", "J. K. Rowling", "U.S."): their
full stop is no sentence's end, where a voice would stop."""

from __future__ import annotations

import re

TITLES = {
    "Mr": "Mister",
    "Mrs": "Misses",
    "Ms": "Miz",
    "Dr": "Doctor",
    "Prof": "Professor",
    "St": "Saint",
    "Mt": "Mount",
    "Gen": "General",
    "Maj": "Major",
    "Sgt": "Sergeant",
    "Lt": "Lieutenant",
    "Capt": "Captain",
    "Col": "Colonel",
    "Rev": "Reverend",
    "Gov": "Governor",
    "Sen": "Senator",
    "Rep": "Representative",
    "Fr": "Father",
}
"""Titles before a name, written out: their full stop is no sentence's end, espeak-ng spells or misreads some without
it ("Mt", "Gen") and SV2TTS's cleaners write out "Mr" only with its stop."""
SENTENCE_STARTS = "The|This|That|These|Those|There|It|He|She|We|They|I|You|But|And|So|A|An|In|On|At|After|Then"
_TITLE_RE = re.compile(rf"\b({'|'.join(TITLES)})\.(?=\s+(?!(?:{SENTENCE_STARTS})\b)[A-Z])")
"""A title and its full stop before a capitalised word that is no sentence's usual first word: "I met the Gov. The
meeting went well." ends its sentence there."""

_PLACES_TITLES = ("St", "Mt")
"""Titles of places, not people: "Baker St. and" is a street's."""
_PAIRED_TITLE_RE = re.compile(
    rf"\b({'|'.join(title for title in TITLES if title not in _PLACES_TITLES)})\.(?=\s+(?:and|or|&)\s+[A-Z])"
)
"""A person's title and its full stop before "and", "or" or "&" and another title or a name ("Mr. and Mrs. Smith",
"Dr. & Mrs. Patel"): no sentence goes on in lower case, so the stop ends none."""
_SHORT_FORMS = {
    "e.g": "for example",
    "i.e": "that is",
    "etc": "et cetera",
    "vs": "versus",
    "a.m": "AM",
    "p.m": "PM",
    "jr": "Junior",
    "sr": "Senior",
    "approx": "approximately",
    "ca": "circa",
    "dept": "department",
    "ph.d": "PhD",
    "m.sc": "M S C",
    "b.sc": "B S C",
}
_SHORT_FORM_RE = re.compile(
    r"\b(e\.g|i\.e|etc|vs|a\.m|p\.m|jr|sr|approx|(?-i:ca)|dept|ph\.d|[bm]\.sc)\.((?-i:\s+[A-Z])|\s*$)?", re.IGNORECASE
)
"""A short form and its full stop, which ends no sentence ("approx. the same", "built ca. 1850", not "aprox", "ka"
and a sentence's pause; "a Ph.D. in" without a full stop inside its sentence); "ca." in lower case only
("moved to CA. It was" is California)."""
_NEVER_LAST = frozenset({"approx", "ca", "dept", "vs", "e.g", "i.e"})
"""Short forms that come before a word, never at a sentence's end: their full stop is dropped before a capital too
("approx. EUR 5", "ca. AD 500", "Boston vs. Chicago", "any app, e.g. Notion": not "for example. Notion")."""
_CASE_VERSUS_RE = re.compile(rf"\b([A-Z][\w'’-]*) v\.(?=\s+(?!(?:{SENTENCE_STARTS})\b)[A-Z])")
"""A "v." between two names, as a court case is named ("Roe v. Wade", "R v. Smith"): "versus", its full stop ending
no sentence; before a sentence's usual first word it may be a letter that ends one ("plan v. Then")."""
_NAME_FORMS = {
    "Inc": "Incorporated",
    "Co": "Company",
    "Ltd": "Limited",
    "Corp": "Corporation",
    "Bros": "Brothers",
    "Ave": "Avenue",
    "Dept": "Department",
}
"""Capitalised short forms in names of firms, streets and offices ("Acme Inc.", "5th Ave.", "Dept. of Health"), whose
full stop espeak-ng took for the end of a sentence ("Acme Inc. | is big"); "Ave." only after a street's name ("Ave.
Maria" is a prayer)."""
_NAME_FORM_RE = re.compile(r"\b(Inc|Co|Ltd|Corp|Bros|(?<=\w )Ave|Dept)\.((?=\s+[A-Z]|\s*$))?")
_UNSTOPPED_RE = re.compile(r"\b(?:Ms(?=\s+[A-Z])|vs|approx)\b(?!\.)")
"""Short forms typed without their full stop that espeak-ng spells: "Ms Smith", "cats vs dogs", "approx 5 km"."""
_UNSTOPPED = {"Ms": "Miz", "vs": "versus", "approx": "approximately"}
_STREET_RE = re.compile(r"(?<=[a-z] )St\.(?!\s+[A-Z])")
"""After a name and before no other: a street ("Baker St. in London"), which espeak-ng would read as a saint."""
_INITIALS_RE = re.compile(r"\b((?:[A-Z]\.\s+)+[A-Z])\.(?=\s+[A-Z][a-z])")
"""Two or more initials before a name: "J. K. Rowling" (one alone may end a sentence: "plan B. Then")."""
_ACRONYM_RE = re.compile(r"\b((?:[A-Za-z]\.){2,})(\s*$)?")
"""Letters with full stops: "U.S.", "U.K." (a full stop kept at the end of the text)."""
_LETTER_A = "Eh"
"""The letter A written as espeak-ng says its name: "A" before a word, or after "at" or "for" even as "A-", is the
article to it ("the U S A embassy": "U S uh embassy"), and joined letters may be a word ("AD", "AKA", "UAE": "ad",
"acka", "yoo-ee"); "Eh" is "ay" wherever it stands, in en-us and en-gb."""
_LETTER_A_RE = re.compile(
    r"\b((?i:vitamin|plan|grade|type|class|group|option|part|section|level|side|row|gate|block|exhibit|appendix)[ \t]+)"
    r"A\b(?![-'’]\w)"
)
"""A capital A after a word that names things by their letters ("Vitamin A is", "Plan A", "grade A beef"), on its
line (a wrapped line's "side" does not name the next line's "A heron")."""


def _acronym(match: re.Match) -> str:
    """Letters with full stops ("U.S.") said as letters; the last full stop kept at the end of the text."""
    return _letters_said(match.group(1)) + ("." if match.group(2) is not None else "")


def _letters_said(letters: str) -> str:
    """Letters typed with full stops or spaces between them ("U.S.A.", "A. A"), apart, each said by its name ("U S
    Eh": `_LETTER_A`)."""
    return " ".join(_LETTER_A if letter == "A" else letter for letter in re.sub(r"[.\s]", "", letters))


def _short_form(match: re.Match) -> str:
    """The words of a short form; its full stop kept where it also ends the sentence (a capital or the end next)."""
    said = _SHORT_FORMS[match.group(1).lower()]
    said = said[:1].upper() + said[1:] if match.group(1)[:1].isupper() else said  # "Approx." opening a sentence
    after = match.group(2)
    if after is None:
        return said
    return said + after if after.strip() and match.group(1).lower() in _NEVER_LAST else f"{said}.{after}"


def short_forms_said(text: str) -> str:
    """`text` with its titles, short forms, initials and acronyms written out, their full stops ending no sentence."""
    text = _PAIRED_TITLE_RE.sub(lambda m: TITLES[m.group(1)], text)
    text = _TITLE_RE.sub(lambda m: TITLES[m.group(1)], text)
    text = _UNSTOPPED_RE.sub(lambda m: _UNSTOPPED[m.group(0)], text)
    text = _NAME_FORM_RE.sub(lambda m: _NAME_FORMS[m[1]] + ("." if m[2] is not None else ""), text)
    text = _STREET_RE.sub(lambda m: "Street" + ("." if not m.string[m.end() :].strip() else ""), text)
    text = _SHORT_FORM_RE.sub(_short_form, _CASE_VERSUS_RE.sub(r"\1 versus", text))
    text = _LETTER_A_RE.sub(rf"\1{_LETTER_A}", text)
    text = _INITIALS_RE.sub(lambda m: _letters_said(m.group(1)), text)
    return _ACRONYM_RE.sub(_acronym, text)
