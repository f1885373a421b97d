"""Text front-ends: checks at the edge, SV2TTS English cleaning and symbol ids, English written as it is said
for espeak-ng, and long text split into sentences and streaming pieces.

`text_to_sequence` reproduces Real-Time-Voice-Cloning's `english_cleaners` + symbol table exactly,
because the public synthesizer checkpoint was trained on those ids.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from unidecode import unidecode

from core.errors import InputError

from .written_forms import CURRENCY_SIGNS, MONTHS, modifies_a_noun, ordinal_suffix, written_forms_said, year_said

if TYPE_CHECKING:
    from collections.abc import Callable

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


_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "jeon", "jeon"),
    "CN¥": ("yuan", "yuan", "fen", "fen"),
    "US$": ("U S dollar", "U S dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "S$": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "R$": ("Brazilian real", "Brazilian reais", "centavo", "centavos"),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "₽": ("rouble", "roubles", "kopek", "kopeks"),
    "₺": ("lira", "lira", "kurus", "kurus"),
    "₪": ("shekel", "shekels", "agora", "agorot"),
    "₴": ("hrivnia", "hrivnias", "kopiyka", "kopiykas"),
    "₫": ("dong", "dong", "su", "su"),
    "₱": ("peso", "pesos", "centavo", "centavos"),
    "฿": ("baht", "baht", "satang", "satang"),
    "₦": ("nyra", "nyra", "kobo", "kobo"),
    "₵": ("cedi", "cedis", "pesewa", "pesewas"),
    "₡": ("colon", "colons", "centimo", "centimos"),
    "₲": ("guarani", "guaranis", "centimo", "centimos"),
    "₸": ("tengay", "tengay", "tiyn", "tiyn"),
    "₼": ("manat", "manat", "qapik", "qapik"),
    "₾": ("lari", "lari", "tetri", "tetri"),
    "₿": ("bitcoin", "bitcoins", None, None),
    "₣": ("franc", "francs", "centime", "centimes"),
    "₤": ("lira", "lira", "centesimo", "centesimi"),
    "₧": ("peseta", "pesetas", "centimo", "centimos"),
    "﷼": ("rial", "rials", None, None),
}
"""Each currency's unit and its hundredth, one and many, by the sign or code written before an amount
(`CURRENCY_SIGNS`, a country's letters before one: "C$", or a code: "CHF"); None for a currency whose fractions are
said as a decimal ("₿0.05": "0.05 bitcoins"); some written as espeak-ng says them right ("hrivnia", "nyra",
"tengay": it spelled the H of "hryvnia" and said "tenge" as "tenj")."""
_UNSAID_SIGNS = "".join(sign for sign in CURRENCY_SIGNS if sign not in "$£€¥₹₩")
"""The signs of `_CURRENCIES` that espeak-ng's English voices say nothing for ("₽", "₺", "₿", ...; it says "$", "£",
"€", "¥", "₹" and "₩" by their names)."""
_UNSAID_SIGN_RE = re.compile(rf"([{_UNSAID_SIGNS}])\s?(\d+(?:[.,]\d+)*)|[{_UNSAID_SIGNS}]")
"""One of `_UNSAID_SIGNS` that no amount took (`_MONEY_RE`): before a number it names ("₿0.00123"), or alone ("prices
in ₽")."""
_CURRENCY_NAMES = {
    "JP¥": "¥",
    "CA$": "C$",
    "AU$": "A$",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "CNY": "CN¥",
    "CAD": "C$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "BRL": "R$",
}
"""Other ways to write a currency of `_CURRENCIES` before an amount: "JP¥500" and "JPY 500" are "500 yen"."""
_CURRENCY = "|".join(
    (r"(?<![A-Za-z])" if written[0].isalpha() else "") + re.escape(written)
    for written in sorted({*_CURRENCIES, *_CURRENCY_NAMES}, key=len, reverse=True)
)
"""A currency's sign or code, one with letters not after a letter ("CHF", not "ABC$")."""
_MONEY_RE = re.compile(
    rf"({_CURRENCY})\s?([0-9]+(?:,[0-9]{{3}})*|(?=\.[0-9]))(?:\.([0-9]{{1,2}})|,([0-9]{{2}})(?![0-9]))?(?!\.?[0-9])"
    r"(\s+(?:thousand|million|billion|trillion|lakhs?|crores?)\b|(?:[kK]|[mM]n?|bn|[bB]|tn|T)(?!\w))?"
)
"""An amount: "$19.99", "$.99", "€19,99" (a decimal comma before two figures), "$1,000", "$1.5 million", "£3m",
"$2.5B", "$5k", "¥1,200", "CHF 20", "₹1.5 lakh" and "₹2 crore" (India's hundred thousand and ten million)."""
_CODE_AFTER_RE = re.compile(
    r"(?<![\w.,])([0-9]+(?:[.,][0-9]+)*)\s?("
    + "|".join(code for code in (*_CURRENCIES, *_CURRENCY_NAMES) if code.isalpha())
    + rf"|[{CURRENCY_SIGNS}])(?!\w)"
)
"""A number with a currency's code or sign after it ("20 CHF", "1,200.50 USD", "10 $", "50 ₽"), as Europeans write
it: said as the same amount with the code before ("CHF 20": "20 Swiss francs"), espeak-ng spelled the code and said
"10 $" as "ten dollar"; a number `_MONEY_RE` takes for no amount ("1.999 EUR", "3.14159 EUR", "1,2,3 USD") as typed
(`_code_before`)."""
_SCALES = {
    "k": "thousand",
    "m": "million",
    "mn": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
    "tn": "trillion",
}
"""Short forms of "thousand", "million", "billion" and "trillion" after an amount ("$5k", "£3m", "$2.5bn", "$1T")."""
_COUNTED_NOUNS = (
    "subscribers followers views likes fans users downloads streams listeners viewers members people comments shares "
    "plays visitors customers readers players students employees sales copies impressions clicks votes signups"
)
"""What creators count in thousands and millions ("10K subscribers", "2M views"): a scale's letter before another
word is no count ("3M makes tape", "4K movies", "2B pencils", "Gate 4B opens", "14K earrings")."""
_SCALED_COUNT_RE = re.compile(
    rf"(?<![\w.,{CURRENCY_SIGNS}])(\d+(?:\.\d+)?)(k|K|M|mn|B|bn)(?=\s+(?:{'|'.join(_COUNTED_NOUNS.split())})\b)"
)
"""A count with a short form of its scale (`_SCALES`) before a noun creators count (`_COUNTED_NOUNS`: "10K
subscribers", "1.5k likes", "2M views"; espeak-ng: "ten K"); "a 10K race", "4K video", "seat 12B" and "5m" stay."""
_TITLES = {
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
_SENTENCE_STARTS = "The|This|That|These|Those|There|It|He|She|We|They|I|You|But|And|So|A|An|In|On|At|After|Then"
_TITLE_RE = re.compile(rf"\b({'|'.join(_TITLES)})\.(?=\s+(?!(?:{_SENTENCE_STARTS})\b)[A-Z])")
"""A title and its full stop before a capitalised word that is no sentence's usual first word: "I met the Gov. The
meeting went well." ends its sentence there."""
_RATIO_RE = re.compile(r"(?<![\w.,:/+#-])(\d+):(\d|\d{3,})(?![\w:]|[.,]\d)")
"""Two numbers with a colon between them, the second of one figure or of three or more: a ratio or a score ("3:1",
"16:9", "won 2:1", "1:100"), which espeak-ng read with a pause at the colon ("three: one"). A time has two figures
after its colon ("7:45", read before: `written_forms_said`), and so has a time of a race ("25:30"); a chain ("1:2:3")
stays."""
_NAME_CONTEXT = 40
"""Characters before a ratio looked at for a name."""
_NAME_BEFORE_RE = re.compile(rf"\b(?!(?:{_SENTENCE_STARTS})\b)[A-Z][\w'’-]*\s+$")
"""A capitalised word that is no sentence's usual first word, at the end of the text before a ratio: a name, whose
figures may be a verse ("Genesis 1:1") or a result ("Chelsea 2:1")."""
_PLACES_TITLES = ("St", "Mt")
"""Titles of places, not people: "Baker St. and" is a street's."""
_PAIRED_TITLE_RE = re.compile(
    rf"\b({'|'.join(title for title in _TITLES if title not in _PLACES_TITLES)})\.(?=\s+(?:and|or|&)\s+[A-Z])"
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
_CASE_VERSUS_RE = re.compile(rf"\b([A-Z][\w'’-]*) v\.(?=\s+(?!(?:{_SENTENCE_STARTS})\b)[A-Z])")
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
_DATE_RE = re.compile(
    r"(?<![\w/-])(?:(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})|(?<!\.)(\d{2})\.(\d{2})\.(\d{4})(?!\.\d))"
    r"(?![\w/-])"
)
"""A date in figures: 2026-05-12 (ISO), or 12/05/2026, month first as in the US unless the first number is no month,
or 15.03.2024 with full stops and two figures each for day and month, day first as in Europe, where dates are
written so (espeak-ng: "fifteen point zero three point two zero two four"; "2.1.2023", "3.10.2024" may be versions)."""
_DOTTED_THOUSANDS_RE = re.compile(rf"(?<=[{CURRENCY_SIGNS}])\d{{1,3}}(?:\.\d{{3}}){{2}}(?!\w|[.,]\d)")
"""An amount with full stops between its thousands, as Europeans write millions ("€1.000.000"); without a currency
sign such a number is as likely a phone number, a version or an IP address ("612.345.678", "1.100.200")."""
_GROUP_SPACES = " \u00a0\u2007\u2009\u202f"
"""What Europe and SI write between a number's thousands: a space, a no-break space, a figure space, a thin space or a
narrow no-break space ("1 234 567", "5\u202f000")."""
_MONEY_AFTER = (
    rf"\s?(?:[{CURRENCY_SIGNS}%‰]|(?:"
    + "|".join(code for code in (*_CURRENCIES, *_CURRENCY_NAMES) if code.isalpha())
    + "|"
    + "|".join(sorted({name.split()[-1] for names in _CURRENCIES.values() for name in names[:2]}))
    + r"|percent|per cent)\b)"
)
"""After a number: a currency's sign, code or name, or a percent sign, which make a decimal comma or a space between
its figures European ("3,5 %", "5 000 dollars")."""
_SCALE_WORDS = r"\s(?:thousand|million|billion|trillion|Millionen|Million|Milliarden|Milliarde)s?\b"
"""Scale words after an amount, English and German ("3,5 million", "3,5 Millionen")."""
_SIGN_BEFORE_RE = re.compile(rf"[{CURRENCY_SIGNS}]\s?$")
_PLURAL_AMOUNT_AFTER_RE = re.compile(
    rf"(?:{_SCALE_WORDS})?\s?(?:[{CURRENCY_SIGNS}]|(?:"
    + "|".join(code for code in (*_CURRENCIES, *_CURRENCY_NAMES) if code.isalpha())
    + "|"
    + "|".join(sorted({many.split()[-1] for one, many, *_ in _CURRENCIES.values() if many != one}))
    + r")\b)"
)
"""After a number with plain spaces in it, what makes it one amount: a currency's sign or code, or its name in the
plural ("5 000 dollars", "1 234,56 €", "5 000 USD"); not a name in the singular, which may make a number before it a
noun's ("5 100 dollar bills"), nor a percent ("3 100% days")."""


def _word_before(words: str) -> re.Pattern:
    """One of `words` (a regex alternation) at most two words before where a search in a span ends."""
    return re.compile(rf"\b(?:{words})\b\W+(?:\w+\W+){{0,2}}?$", re.IGNORECASE)


_IDENTIFIER_WORD_BEFORE_RE = _word_before("account|acct|iban|card|reference|ref|invoice|order|serial|id|pin|policy")
"""A word that names a number as an identifier, at most two words before it ("The account is 12 345 678"), whose
spaces are no thousands'."""
_DOTTED_DECIMAL_RE = re.compile(r"(?<![\d.,])(\d{1,3})((?:\.\d{3})+),(\d{1,2})(?![\d]|[.,]\d)")
"""A number with full stops between its thousands and a decimal comma, as Europe writes it ("1.234,56"): no English
number is written so."""
_SPACED_THOUSANDS_RE = re.compile(
    rf"(?<![\d.,])(?<!\d[{_GROUP_SPACES}])(\d{{1,3}})((?:[{_GROUP_SPACES}]\d{{3}})+)(?:,(\d{{1,2}}))?"
    rf"(?![\d\-‐‑]|[.,]\d|[{_GROUP_SPACES}]\d)"
)
"""A number with spaces between groups of three figures after a head of one to three ("1 234 567", "5\u202f000",
"1 234,56"), with a decimal comma or not; whether the spaces are a number's (`_spaced_thousands`) or stand between
numbers ("Rooms 101 102", "100 200") depends on the spaces and what is around."""
_DECIMAL_COMMA_RE = re.compile(
    rf"(?<![\d.,])(?<!\d[{_GROUP_SPACES}])(\d+),(\d{{1,2}})(?={_SCALE_WORDS}|{_MONEY_AFTER})"
)
"""A decimal comma, where nothing else may be meant: one or two figures after it and a scale, a currency or a percent
sign next ("3,5 million", "12,5 %", "19,99 €", "0,5 percent"); "1,234" (English thousands), "1, 2, 3" and "1,2,3"
stay."""
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
_PHONE_WORD_BEFORE_RE = _word_before(
    "call|calls|called|calling|phone|phoned|dial|dialed|dialled|ring|tel|telephone|fax|mobile|cell|number"
)
"""A word that asks for a phone, at most two words before a number ("call 555-1234", "phone me on 555-1234")."""
_PHONE_CONTEXT = 40
"""Characters before a number looked at for a word that asks for a phone."""
_EMERGENCY_RE = re.compile(
    r"\b((?:call|calls|called|calling|dial|dials|dialed|dialled|dialing|dialling|ring|rang|phone|phoned)\s+)"
    r"(911|999|112|000|988)\b(?![.,]\d)",
    re.IGNORECASE,
)
"""An emergency number after a word that calls it ("Call 911", "dial 999", "ring 112"), said digit by digit (espeak-ng:
"nine hundred eleven"); alone, "911" may be a Porsche and "999" a count."""
_HEART_AT_THE_END_RE = re.compile(r"(?<=\s)<3+(?=[ \t]*(?:$|\n))", re.MULTILINE)
"""A heart typed at the end of a line ("Thanks <3"), said "heart" (espeak-ng: "three")."""
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
_INTERNATIONAL_PHONE_RE = re.compile(r"(?<![\w+])\+(\d{1,3})((?:[ .-]\d{1,4}){2,5})(?![\w-])")
"""One with its country's code: +1 555 123 4567, +44 20 7946 0958 (8 digits or more: "+5 10 15 20" is a list)."""
PHONE_DIGITS = 8
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
    """ "5 5 5, 1 2 3 4" for a local phone number: after a word that asks for a phone (`_PHONE_WORD_BEFORE_RE`: "call
    555-1234", "my number is 555-1234"), or alone on its line ("555-1234", as under a name) where it can be no range
    either (an exchange starting with 0 or 1, as no North American one does: "100-1000"; both ends round:
    "800-1200"). Anywhere else as typed, for `written_forms_said` to say as the range it mostly is ("from 476-1453",
    "sizes of 256-1024", "IEEE 754-2019", "It is 555-1234.")."""
    exchange, line = match.groups()
    text, start, end = match.string, match.start(), match.end()
    if _PHONE_WORD_BEFORE_RE.search(text, max(0, start - _PHONE_CONTEXT), start):
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


_UNENDED_LINE_RE = re.compile(r"(?:[^\W_]|[%)\]'\"”’])[ \t\r]*$")
"""A line whose last word has no mark after it."""
_LEAD_IN_LINE_RE = re.compile(r"(?:[^\W_]|[%)\]'\"”’]):[ \t\r]*$")
"""A line that ends with a colon after its last word: it leads into the lines after it (a list's items)."""
_GOING_ON_WORDS = frozenset("a an and but for from in of on or that the to with".split())
"""A line's last word that says its sentence goes on in the next ("I went to the shop and\nbought milk")."""
_LINE_BEGINS_ANEW_RE = re.compile(r"[ \t]*(?:$|[-*+•◦‣▪·–—>]|\d{1,2}[.)]\s|[a-z][.)]\s)")
"""How a line starts that begins anew whatever came before: it is blank, or opens with a bullet or a list's number or
letter ("1.", "a)")."""
_CAPITAL_START_RE = re.compile(r"[ \t]*[A-Z]")
SHORT_LINE = 30
"""A line of at most this many characters is one of a list, a poem or an address even when the next starts in lower
case ("milk\neggs"); prose wrapped at a width has longer lines."""
WRAP_WIDTH_LEAST = 40
"""Text whose longest line has at least this many characters may be prose wrapped at that width: a line there that
the next line's first word would have made longer than it was broken by the wrapping, not by its writer."""


def lines_ended(text: str) -> str:
    """`text` with a full stop after each line that ends without a mark (`_UNENDED_LINE_RE`; not after a word such
    as "and", `_GOING_ON_WORDS`) where the next begins anew (`_LINE_BEGINS_ANEW_RE`: a paragraph, a list's item), or,
    unless the break is a wrap (`WRAP_WIDTH_LEAST`), where the next starts with a capital (a title, a poem's line) or
    the line is short (`SHORT_LINE`): a voice reads a line break as a space, which would run "Roses are red\nViolets
    are blue" on and read a list's "2." into the line before it ("the oven two. Mix"). Prose wrapped at a width reads
    on, whatever its next line starts with ("the train came\nI was", "my aunt\nMargaret"). The colon of a line that
    leads into a line of text after it (`_LEAD_IN_LINE_RE`) is a full stop where that line would end so, if not
    for being short ("Note:\n  the"), so that "Three things:" is not read into the first item ("things: A slot.")."""
    lines = text.split("\n")
    width = max(len(line.rstrip()) for line in lines)
    for i, (line, after) in enumerate(zip(lines, lines[1:])):
        words = line.split()
        lead_in = _LEAD_IN_LINE_RE.search(line) and after.strip()
        if not lead_in and (
            not _UNENDED_LINE_RE.search(line) or words[-1].strip("%)]'\"”’").lower() in _GOING_ON_WORDS
        ):
            continue
        wrapped = width >= WRAP_WIDTH_LEAST and len(line.rstrip()) + 1 + len((after.split() or [""])[0]) > width
        if _LINE_BEGINS_ANEW_RE.match(after) or (
            not wrapped and (_CAPITAL_START_RE.match(after) or (not lead_in and len(line.strip()) <= SHORT_LINE))
        ):
            ended = line.rstrip().removesuffix(":") if lead_in else line.rstrip()
            lines[i] = ended + "." + ("\r" if line.endswith("\r") else "")
    return "\n".join(lines)


def spoken_english(text: str) -> str:
    """`text` with what espeak-ng misreads, or reads as the end of a sentence, written as it is said.

    Money: "$19.99" is "19 dollars and 99 cents" (espeak-ng: "dollar nineteen point nine nine"); dates in figures
    ("12/05/2026", "2026-12-05") are said as dates, and phone numbers ("555-123-4567", "020 7946 0958", "call 911")
    digit by digit. Full stops of titles, short forms and initials ("Dr. Smith", "5 p.m. today", "J. K. Rowling", "the
    U.S.") are not the end of a sentence: a voice would stop there, as at any full stop. Ranges, times, years, units and
    the other written forms: `written_forms_said`. SV2TTS reads by these rules too (`tacotron_text`).
    """
    text = SAID_PICTOGRAPH_RE.sub(_pictograph, text)
    text = _HEART_AT_THE_END_RE.sub("heart", text)
    text = _COMPARISON_RE.sub(lambda m: f"{m[1]} {_COMPARISONS[m[2]]} {m[3]}", text)
    text = _DATE_RE.sub(_date, text)
    text = _DOTTED_THOUSANDS_RE.sub(lambda m: m[0].replace(".", ","), text)
    text = _INTERNATIONAL_PHONE_RE.sub(_international_phone, text)
    text = _PHONE_RE.sub(_phone, text)
    text = _VANITY_PHONE_RE.sub(_vanity_phone, text)
    text = _EMERGENCY_RE.sub(lambda m: m[1] + " ".join(m[2]), text)
    text = _SPACED_PHONE_RE.sub(_spaced_phone, text)
    text = _LOCAL_PHONE_RE.sub(_local_phone, text)
    text = _european_numbers(text)
    text = _ROMAN_RE.sub(_roman, text)
    text = _RATIO_RE.sub(_ratio, written_forms_said(text))
    text = _SCALED_COUNT_RE.sub(lambda m: f"{m[1]} {_SCALES[m[2].lower()]}", text)
    text = _MONEY_RE.sub(_money, _CODE_AFTER_RE.sub(_code_before, text))
    text = _UNSAID_SIGN_RE.sub(_unsaid_sign, _PER_MILLE_RE.sub(" per mille", text))
    text = _PAIRED_TITLE_RE.sub(lambda m: _TITLES[m.group(1)], text)
    text = _TITLE_RE.sub(lambda m: _TITLES[m.group(1)], text)
    text = _UNSTOPPED_RE.sub(lambda m: _UNSTOPPED[m.group(0)], text)
    text = _NAME_FORM_RE.sub(lambda m: _NAME_FORMS[m[1]] + ("." if m[2] is not None else ""), text)
    text = _STREET_RE.sub(lambda m: "Street" + ("." if not m.string[m.end() :].strip() else ""), text)
    text = _SHORT_FORM_RE.sub(_short_form, _CASE_VERSUS_RE.sub(r"\1 versus", text))
    text = _LETTER_A_RE.sub(rf"\1{_LETTER_A}", text)
    text = _INITIALS_RE.sub(lambda m: _letters_said(m.group(1)), text)
    return _ACRONYM_RE.sub(_acronym, text)


def _european_numbers(text: str) -> str:
    """`text` with numbers written the European or SI way written the English way: "1.234,56" and "1 234,56" as
    "1,234.56", "5 000 dollars" as "5,000 dollars", "3,5 million" and "12,5 %" as "3.5 million" and "12.5 %" (espeak-ng:
    "three five million", "one two hundred thirty-four"). Where the writing could be English ("1,234", "1, 2, 3") or
    numbers side by side ("Rooms 101 102 103", "In 2020 100 people"), it stays."""
    text = _DOTTED_DECIMAL_RE.sub(lambda m: f"{m[1]}{m[2].replace('.', ',')}.{m[3]}", text)
    text = _SPACED_THOUSANDS_RE.sub(_spaced_thousands, text)
    return _DECIMAL_COMMA_RE.sub(r"\1.\2", text)


def _spaced_thousands(match: re.Match) -> str:
    """ "1,234,567", "5,000", "1,234.56" for a number whose groups of three figures spaces part: a no-break or thin
    space between them ("5\u202f000"). With plain spaces only where it can be no numbers side by side, and no phone or
    account number (`_PHONE_WORD_BEFORE_RE`, `_IDENTIFIER_WORD_BEFORE_RE`: "Call us on 20 123 456", "The account is
    12 345 678"): a currency after it (`_PLURAL_AMOUNT_AFTER_RE`: "5 000 dollars", "1 234,56 €"), a currency sign
    before it and a group starting with 0 ("€5 000"), or two groups or more after a head of one or two figures ("1 234
    567"). Else the numbers as typed ("100 200 people", "Rooms 101 102 103", "$5 100 times", "5 100 dollar bills",
    "3 100% days")."""
    head, groups, decimals = match.groups()
    merged = head + re.sub(f"[{_GROUP_SPACES}]", ",", groups) + (f".{decimals}" if decimals else "")
    if set(groups[0::4]) != {" "}:
        return merged
    text, start = match.string, match.start()
    before = max(0, start - _PHONE_CONTEXT)
    if _PHONE_WORD_BEFORE_RE.search(text, before, start) or _IDENTIFIER_WORD_BEFORE_RE.search(text, before, start):
        return match[0]
    if (
        _PLURAL_AMOUNT_AFTER_RE.match(text, match.end())
        or (_SIGN_BEFORE_RE.search(text, 0, start) and "0" in groups[1::4])
        or (len(groups) // 4 >= 2 and len(head) <= 2)
    ):
        return merged
    return match[0]


def _ratio(match: re.Match) -> str:
    """ "3 to 1"; after a name (`_NAME_BEFORE_RE`) as typed."""
    before = match.string[max(0, match.start() - _NAME_CONTEXT) : match.start()]
    return match[0] if _NAME_BEFORE_RE.search(before) else f"{match[1]} to {match[2]}"


def _pictograph(match: re.Match) -> str:
    """ "love" ("loves" after he or she) for a heart, " star" for a star after a number ("a 5 star hotel")."""
    if "★" in match[0]:
        return " star"
    return (
        "loves" if match.string[max(0, match.start() - 4) : match.start()].lower().endswith(("he ", "she ")) else "love"
    )


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


def _code_before(match: re.Match) -> str:
    """ "CHF 20" for "20 CHF"; the text as typed where the number with its code before is no amount as a whole."""
    said = f"{match[2]} {match[1]}"
    return said if _MONEY_RE.fullmatch(said) else match[0]


def _money(match: re.Match) -> str:
    """ "19 dollars and 99 cents", "1.5 million dollars"; in the singular where the amount names a thing's price
    (`modifies_a_noun`: "$100 bills", "a $5 note": "100 dollar bills", "a 5 dollar note")."""
    symbol, whole, fraction, comma_fraction, scale = match.groups()
    fraction = fraction or comma_fraction
    whole = whole or "0"
    one, many, small_one, small_many = _CURRENCIES[_CURRENCY_NAMES.get(symbol, symbol)]
    if modifies_a_noun(match.string, match.start(), match.end()):
        many, small_many = one, small_one
    if scale:  # "$1.5 million", "£3m", "₹5 lakhs": the number, then its unit ("5 lakh rupees")
        scale = scale.removesuffix("s") if scale[0].isspace() else " " + _SCALES[scale.lower()]
        return f"{whole}{'.' + fraction if fraction else ''}{scale} {many}"
    if fraction and small_one is None:  # "₿0.05": "0.05 bitcoins"
        return f"{whole}.{fraction} {many}"
    count = int(whole.replace(",", ""))
    small = int(fraction.ljust(2, "0")) if fraction else 0
    said = [f"{whole} {one if count == 1 else many}"] if count or not small else []
    if small:
        said.append(f"{small} {small_one if small == 1 else small_many}")
    return " and ".join(said)


def _unsaid_sign(match: re.Match) -> str:
    """ "0.00123 bitcoins" for "₿0.00123", "roubles" for a "₽" alone: no amount `_MONEY_RE` reads, but espeak-ng would
    say nothing for the sign."""
    sign, number = match.groups()
    return f"{number} {_CURRENCIES[sign][1]}" if sign else _CURRENCIES[match[0]][1]


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


_PER_MILLE_RE = re.compile(r"[ \t]*‰")
"""The per mille sign ("5 ‰", "0.5‰"), which espeak-ng's English voices say nothing for."""
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


def is_pronounceable(text: str) -> bool:
    """True if the cleaned text has at least one letter to speak."""
    return any(c.isalpha() for c in english_cleaners(text))


MAX_TEXT_CHARS = 20_000
"""Longer text is refused: about 25 minutes of speech; split it into several requests."""
MAX_TEXT_BYTES = 16 * 1024**2
"""The most bytes of a text file read: far more than any text of MAX_TEXT_CHARS to say, however much markup cleaning
removes (an HTML transcript of 177 KB holds 13,499 characters to say); a longer file is refused without being read
whole (/dev/zero, read to its end, had filled the memory)."""


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (NUL and the like), not tabs or line breaks."""
_TAG_RE = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_MARKDOWN_LINK_RE = re.compile(r"\[([^\[\]\n]+)\]\((?:[^()\s]+)\)")
"""A Markdown link, "[the words](https://...)": its words are said, its address is not."""
_MARKDOWN_MARKS_RE = re.compile(
    r"(?<!\w)(?:\*{1,3}|_{1,2}|~~)(?=\w)|(?<=\w)(?:\*{1,3}|_{1,2}|~~)(?!\w)|`+|^[ \t]*(?:#{1,6}|[*+])[ \t]+",
    re.MULTILINE,
)
"""Markdown's marks, as text pasted from a chat or a README has them: emphasis (*, **, _, __, ~~) against a word,
code (`), a heading's #s and a list's * or + bullets; espeak-ng reads "**stars**" as "asterisk asterisk stars
asterisk asterisk". A mark inside a word (snake_case) or between spaces ("5 * 3") is no Markdown."""
_MARKDOWN_EMPHASIS_RE = re.compile(
    r"(?<![\w*/])(\*{1,3})(?![\s*/])([^\n*]*[^\s*/])\1(?![\w*/])"
    r"|(?<![\w_])(_{1,2})(?![\s_])([^\n_]*[^\s_])\3(?![\w_])"
    r"|~~(?![\s~])([^\n~]*[^\s~])~~"
)
"""Emphasis around any text on a line, not only words: "**$4.99**", "*50%*", "**(really)**" (`_MARKDOWN_MARKS_RE`
took only a mark against a letter or a figure, and "**50%**" was said "fifty percent asterisk asterisk"). Not a lone
mark, nor one against a space ("5 * 3 * 2"), a word ("2*3*4") or another of its kind ("src/**/*.py"); one with its
own mark inside ("**a *b* c**") is left to `_MARKDOWN_MARKS_RE`, so a line of marks takes linear time."""
"""Markup tags: HTML, SSML."""
LONG_WORD_LETTERS = 40
_PICTOGRAPH = "\U0001f000-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
"""Emoji and pictographs, skin tones not counted."""
_EMOJI_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff"
"""Variation selectors and skin tones, which change the emoji before them."""
_EMOJI_RE = re.compile(f"[{_PICTOGRAPH}][{_EMOJI_MODIFIERS}]*(?:\u200d[{_PICTOGRAPH}][{_EMOJI_MODIFIERS}]*)*")
"""One emoji: a pictograph with its modifiers, and those a zero-width joiner joins to it ("👨‍👩‍👧", "🏳️‍🌈")."""
_PICTOGRAPH_PARTS_RE = re.compile(f"[{_PICTOGRAPH}{_EMOJI_MODIFIERS}\u200d]+")
_SUBJECTS = ("I", "we", "We", "you", "You", "they", "They", "he", "He", "she", "She")
SAID_PICTOGRAPH_RE = re.compile(
    "(?:" + "|".join(rf"(?<=\b{subject} )" for subject in _SUBJECTS) + r")(?:[❤♥]\ufe0f?|<3+)(?= [^\W_])"
    r"|(?<=\d)[ \t]?★(?!★)"
)
"""A heart that stands for a verb ("I ❤ you", "we ♥ NY", "I <3 you") and a star after a number ("a 5 ★ hotel"): kept
by `check_text` for `spoken_english` to say ("love", "star"), not left out as other pictographs are (the emoji ⭐ is
left out: after a number it is as often a decoration, "Happy 2024 ⭐", as a rating)."""
_ASCII_LOOKALIKE_RE = re.compile("[\uff01-\uff5e]|(?![0-9])\\d")
"""Fullwidth forms of ASCII's letters, digits and signs ("Ｈｅｌｌｏ １２３"), as East Asian input methods type them,
and the decimal digits of other scripts (Arabic-Indic "٣٥", Persian "۳", Devanagari "३", ...: Unicode's Nd)."""
_CIRCLED_RE = re.compile(
    "[\u2460-\u2473\u24ea-\u24ff\u2776-\u2793\u3248-\u324f\u3251-\u325f\u32b1-\u32bf\U0001f10b\U0001f10c]"
)
"""Circled numbers, white or black ("①", "⑳", "⓪", "❶", "㉑"), as lists and steps are numbered; not the circled
ideographs ("㊀"), which are Chinese or Japanese text."""
_STYLED_RE = re.compile("[\u2100-\u214f\U0001d400-\U0001d7ff]")
"""Letterlike symbols and mathematical alphanumerics: the bold, italic, script and double-struck letters and digits
("𝐁𝐨𝐥𝐝", "𝘐𝘵𝘢𝘭𝘪𝘤", "ℍ") that "fancy font" generators type, which espeak-ng reads by their code points."""
_DEGREE_SCALES = ("°C", "°F")
"""What "℃" and "℉" stand for, one character each (`_plain_letter`)."""
_FULLWIDTH_OFFSET = 0xFEE0
_BIDI_MARKS = "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
"""The marks and embeddings of writing direction (left-to-right and right-to-left marks, the Arabic letter mark,
embeddings, overrides and isolates), which text mixing Arabic or Hebrew with English carries around its names and
numbers."""
_IDEOGRAPHIC_SPACE = "\u3000"


def normalised(text: str) -> str:
    """`text` with its accents composed (NFC: "e" + U+0301 is "é", as macOS writes file names and copied text) and
    fullwidth ASCII forms, the ideographic space, styled letters ("𝐁𝐨𝐥𝐝", `_STYLED_RE`) and the digits of every script
    ("٣٥", "۳", "३": `_ASCII_LOOKALIKE_RE`) as ASCII, "℃" and "℉" as "°C" and "°F", and circled numbers ("①", "❷":
    `_CIRCLED_RE`) as numbers: espeak-ng reads them apart, by their code points, or not at all (an English voice said
    "The price is ٣٥ dollars" as "The price is dollars", "Chapter ① is short" as "Chapter is short", "20 ℃" as
    "twenty"). Not NFKC, which would also turn "m²" into "m2", "½" into "1⁄2" and "™" into "TM", which are read right
    as they are.
    """
    text = unicodedata.normalize("NFC", text).replace(_IDEOGRAPHIC_SPACE, " ")
    text = _CIRCLED_RE.sub(_circled, _STYLED_RE.sub(_plain_letter, text))
    return _ASCII_LOOKALIKE_RE.sub(_ascii, text)


def _circled(match: re.Match) -> str:
    """A circled number as the number, apart from a letter or a figure against it ("①②": "1 2")."""
    before, after = match.string[match.start() - 1 : match.start()], match.string[match.end() : match.end() + 1]
    number = str(int(unicodedata.numeric(match[0])))
    return (
        (" " if before.isalnum() and not _CIRCLED_RE.match(before) else "") + number + (" " if after.isalnum() else "")
    )


def _ascii(match: re.Match) -> str:
    """A digit of any script as the ASCII one ("٣": "3"), a fullwidth form as the ASCII character it is."""
    digit = unicodedata.decimal(match[0], None)
    return str(digit) if digit is not None else chr(ord(match[0]) - _FULLWIDTH_OFFSET)


def _plain_letter(match: re.Match) -> str:
    """A styled letter or digit as the plain one ("𝐁": "B", "ℍ": "H"), a degree Celsius or Fahrenheit as its sign and
    letter ("℃": "°C", said as that is; espeak-ng says nothing for it); another symbol that stands for more ("™": "TM",
    "℅") as it is."""
    plain = unicodedata.normalize("NFKC", match[0])
    if len(plain) == 1 and plain.isascii() and plain.isalnum() or plain in _DEGREE_SCALES:
        return plain
    return match[0]


_ZERO_WIDTH_RE = re.compile(
    f"[\u200b\u200c\u2060\ufeff{_BIDI_MARKS}]|(?<![{_PICTOGRAPH}{_EMOJI_MODIFIERS}])\u200d|\u200d(?![{_PICTOGRAPH}])"
)
"""Invisible characters that text copied from web pages carries inside words (zero-width space, non-joiner, word
joiner, byte order mark, the marks of writing direction: `_BIDI_MARKS`; a joiner outside an emoji): espeak-ng would
break the word there ("Hel lo", "Mu hammad")."""


def check_text(text: str) -> tuple[str, tuple[str, ...]]:
    """(the text voxlip will say, notes on what it changed or cannot say well), or an InputError saying why not.

    Line breaks typed on Windows (CR LF) or alone as CR are made LF: the text said and its sha256 in the provenance
    record are the same however it was typed. Accents are composed, and fullwidth forms and other scripts' digits made
    ASCII (`normalised`); zero-width characters and marks of writing direction, control characters, markup tags
    (SSML is not interpreted) and emoji are removed (not a heart or a star that `spoken_english` says:
    `SAID_PICTOGRAPH_RE`); words over `LONG_WORD_LETTERS` letters are said as well as voices can, with a note.
    Whether the voice can read the text's script is `check_script`'s question, once the voice is known.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    notes = []
    text = _ZERO_WIDTH_RE.sub("", normalised(text.replace("\r\n", "\n").replace("\r", "\n")))
    controls = len(_CONTROL_RE.findall(text))
    if controls:
        text = _CONTROL_RE.sub(" ", text)
        notes.append(f"removed {controls} control character(s) (such as NUL) from the text")
    tags = len(_TAG_RE.findall(text))
    if tags:
        text = _TAG_RE.sub(" ", text)
        notes.append(f"removed {tags} markup tag(s) from the text: voxlip reads plain text (SSML is not interpreted)")
    text, links = _MARKDOWN_LINK_RE.subn(r"\1", text)
    text, pairs = _MARKDOWN_EMPHASIS_RE.subn(lambda m: m[2] or m[4] or m[5], text)
    text, lone = _MARKDOWN_MARKS_RE.subn("", text)
    marks = links + 2 * pairs + lone
    if marks:
        notes.append(f"removed {marks} Markdown mark(s) (*, _, `, #, links' addresses): voxlip reads plain text")
    if controls or tags or marks:
        text = re.sub(r"[ \t]{2,}", " ", text)
    text = text.strip()
    if not text:
        raise InputError("the text is empty: type what the voice should say")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the text has {len(text):,} characters; voxlip takes at most {MAX_TEXT_CHARS:,} at once: split it"
        )
    if not is_pronounceable(text):
        raise InputError(f"nothing to say in {text[:60]!r}: it has no letters or numbers")
    kept = [*SAID_PICTOGRAPH_RE.finditer(text)]
    pieces = [text[a.end() if a else 0 : b.start() if b else len(text)] for a, b in zip([None, *kept], [*kept, None])]
    pictographs = sum(len(_EMOJI_RE.findall(piece)) for piece in pieces)
    if pictographs:
        pieces = [_PICTOGRAPH_PARTS_RE.sub(" ", piece) for piece in pieces]
        text = "".join(piece + (said[0] if said else "") for piece, said in zip(pieces, [*kept, None]))
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
        notes.append(f"left out {pictographs} emoji or pictograph(s): voices read them as their names")
    long_words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > LONG_WORD_LETTERS]
    if long_words:
        notes.append(
            f"{len(long_words)} word(s) of more than {LONG_WORD_LETTERS} letters (the first: {long_words[0][:20]}..., "
            f"{len(long_words[0])} letters) are said letter by letter or garbled: check the text"
        )
    return text, tuple(notes)


def language_family(language: str) -> str:
    """The language of a language code, without its region or variant: "en" for "en-us", "en_GB" or "EN"."""
    return language.lower().replace("-", "_").split("_")[0]


_FUNCTION_WORDS = {
    name: frozenset(words.split())
    for name, words in {
        "French": "au aux avec bien bonjour ce c'est cette dans de des du elle en est et il ils je j'ai la là le les "
        "leur lui mais merci moi mon ne nous où oui pas pour qui sont suis sur ta toi très tu un une vous",
        "German": "aber auch auf aus bin bist danke das dass dem der dich dir du ein eine es für gut hallo heute ich "
        "ist ja mein mich mir mit nein nicht noch nur oder sehr sie sind und uns von wie wir zu guten meine meinen "
        "deine damen herren willkommen liebe morgen einen einem einer bis viel viele nach über bei durch ohne schon "
        "immer jetzt dann wenn weil kann können haben habe werden wird wurde sein seine ihr ihre ihm ihn diese dieser "
        "dieses alle keine kein wer warum gibt bitte schön zum zur vom beim",
        "Spanish": "bien buenos como con de del el en es está estoy gracias hola la las llamo los mi muy para pero "
        "por porque qué se soy su sus también te tu tú un una usted y yo hoy vamos todos todas buenas tardes noches "
        "cómo hacer hablar bienvenidos bienvenidas este esta esto ahora aquí nuestro nuestra nosotros ellos ellas "
        "fue ser más muchas mucho muchos dónde cuando cuándo años día días amigos adiós sí eso esa ese así entre "
        "sobre desde hasta otra otro algo cada siempre bueno buena gusta quiero tiene tengo puede hace",
        "Italian": "anche bene buongiorno che chiamo ciao con cosa del della di gli grazie il la lei lui mi mio mia "
        "molto nel noi non per perché più questo questa sei si sono ti tu un una uno è tutti tutto oggi parliamo "
        "siamo abbiamo dello dei delle degli nella nello nei alla allo alle sul sulla quando ancora sempre qui quello "
        "quella benvenuti buonasera facciamo vediamo andiamo essere vostro nostro nostra",
        "Portuguese": "ao bem bom chamo com da de dia do dos ela ele em estou eu meu minha moro muito mas na não nós "
        "o obrigado obrigada olá para seu sou sua também tudo um uma você é hoje vamos sobre pessoal falar fazer está "
        "estamos são isso isto esse essa aqui agora então quando onde como mais vocês tchau tarde noite gente ainda "
        "já só pra pelo pela nosso nossa todos",
        "Dutch": "de dit een en goed het hij ik je maar met mijn niet ook van voor wij zijn hallo allemaal welkom "
        "jullie onze waar wie deze naar bij uit veel graag vandaag morgen bedankt kan wordt worden hebben heb heeft",
        "Polish": "ale bardzo cześć czy dobry dziękuję jak jest jestem już mam masz mnie nie proszę się tak że",
        "Turkish": "bir bu çok değil evet güzel hayır için ile iyi merhaba nasıl teşekkürler var ve yok",
    }.items()
}
"""Frequent short words of languages in Latin letters that are no English words: how `other_language` tells them."""
_LETTERS = (
    ("Spanish", "ñ"),
    ("Portuguese", "ãõ"),
    ("German", "ß"),
    ("Polish", "ąćęłńśźż"),
    ("Turkish", "ğış"),
)
"""Letters of a language that English never writes, not even in loanwords (unlike "é", "ü", "ç"): a word with one
counts as one of that language's."""
_SHARED_WORDS = {"Spanish": {"a"}, "Italian": {"a"}, "Portuguese": {"a"}, "German": {"in"}, "Dutch": {"in", "over"}}
"""Short words a language writes as English does ("a la", "in München", "over fietsen"): counted as neither."""
_ENGLISH_WORDS = frozenset(
    "a about after all and are as at be because been but by can could did for from had has have he her here him his "
    "how i if in into is it just my not of on or our out over said she should so than that the their them then there "
    "they this to up us very was we went were what when where which who why will with would you your".split()
)
_SAID_SYMBOL_RE = re.compile(
    "[$-\xa5\xa9-\xb0\u09fa\u0bf3-\u0bfa\u20a8-\u20a9\u20ac\u20b9\u2116\u211e\u2122\u2195-\u2199\u21a9-\u21aa"
    "\u231a-\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24b6-\u24e9\u25a0\u25aa-\u25ab\u25b6\u25c0\u25cf"
    f"\u2800-\u28ff\u3190-\ua4c6{CURRENCY_SIGNS}{_PICTOGRAPH}{_EMOJI_MODIFIERS}]"
)
"""Symbols (currency signs and other symbols: Unicode's Sc and So) an English voice says: those espeak-ng 1.51's en-us
voice names ("$", "©", "°", "™", "№", some arrows and buttons, braille, CJK symbols), the signs `spoken_english` names
(`CURRENCY_SIGNS`) and the emoji `check_text` leaves out or says. espeak-ng says nothing for the others ("₯", "⌘",
"☐" outside the emoji, box drawing), which `check_script` notes."""
OTHER_LANGUAGE_HINT = (
    "use the offline voice with a Piper voice of it (--synthesizer offline --base-voice VOICE.onnx, or piper:NAME "
    "after `voxlip fetch piper:NAME`) and --language CODE"
)
"""How a voice of another language is had, in the command line's words (the demo says it in its own)."""


_SYLLABLE_RE = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
"""Characters that each write a syllable or a word: Chinese characters, Japanese kana, Korean syllables."""
CHARACTERS_PER_WORD = 2
"""Chinese, Japanese and Korean characters (`_SYLLABLE_RE`) a word takes, about ("東京", "ラーメン", "오늘"):
counted as letters, "今日はiPhoneとMacBookを買いました" would be mostly Latin (10 to 13) and spelled out for 13.7 s;
as words, it is 5 to 2, and "I love 寿司 and ラーメン very much" 3 to 5."""
_WORD_RE = re.compile(r"[^\W\d_]+")


def check_script(text: str, language: str) -> tuple[str, ...]:
    """Notes on the words an English voice spells out by their letters' names and on text in another language, or an
    InputError when most of the text is in another script: most of its letters, or Chinese, Japanese or Korean words
    (`CHARACTERS_PER_WORD`) outnumbering its other words. `language` is the one the voice speaks (e.g. "en-us"); a
    voice of another language reads what espeak-ng reads in it, so its text is not checked here."""
    if language_family(language) != "en":
        return ()
    letters = [c for c in text if c.isalpha()]
    foreign = [c for c in letters if "LATIN" not in unicodedata.name(c, "")]
    syllabic_words = len(_SYLLABLE_RE.findall(text)) / CHARACTERS_PER_WORD
    other_words = len(_WORD_RE.findall(_SYLLABLE_RE.sub(" ", text)))
    if letters and (len(foreign) > len(letters) / 2 or syllabic_words > other_words):
        raise InputError(
            f"the text is mostly in {_script(foreign[0])} script, but the voice speaks English ({language}): "
            f"for another language, {OTHER_LANGUAGE_HINT}"
        )
    notes = []
    unsaid = sorted({c for c in text if unicodedata.category(c) in ("Sc", "So") and not _SAID_SYMBOL_RE.match(c)})
    if unsaid:
        notes.append(
            f"an English voice has no sound for {' '.join(unsaid)}: left out; write what they stand for in words"
        )
    if foreign:
        scripts = ", ".join(sorted({_script(c) for c in foreign}))
        notes.append(
            f"words in {scripts} script are spelled out by an English voice, letter by letter by their names (Chinese "
            'characters as "Chinese letter"): write them in Latin letters, or use a voice of their language'
        )
    other = other_language(text)
    if other:
        notes.append(
            f"the text looks like {other}, but the voice speaks English ({language}) and reads it with English "
            f"sounds: for {other}, {OTHER_LANGUAGE_HINT}"
        )
    return tuple(notes)


def checked_text(
    text: object,
    language: object,
    speaks: Callable[[str | None], None],
    spoken_language: Callable[[str | None], str],
) -> tuple[str, tuple[str, ...]]:
    """(the text to say, notes on it) for a voice to say in `language` (None: the voice's own): `check_text`, then the
    language, a code, given to `speaks` (which refuses one the voice does not speak, and may load the voice), then
    `check_script` against `spoken_language(language)`, the language the text is said in. InputError for what cannot
    be said, before any work on a reference."""
    text, notes = check_text(text)
    if language is not None and not isinstance(language, str):
        raise InputError(
            f"language must be a language code, e.g. 'en', 'de' or 'en-us' (--language), or None for the voice's "
            f"own, not {language!r} ({type(language).__name__})"
        )
    speaks(language)
    return text, notes + check_script(text, spoken_language(language))


def other_language(text: str) -> str | None:
    """The language other than English that `text` is written in, told by its short words ("je", "und", "y") and
    words with letters English never writes ("ñ", "ß", "ł"), if they are at least three, a fifth of its words and
    more than twice as many as English ones (words both write, `_SHARED_WORDS`, counted as neither); else None.
    Loanwords ("café", "Señor"), names ("Maria de la Cruz", "João") and a quotation in an English sentence ("Ich bin
    ein Berliner was said by Kennedy") are too few."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)
    counts = {name: sum(_is_of(word, name) for word in words) for name in _FUNCTION_WORDS}
    best = max(counts, key=counts.get)
    found = counts[best]
    shared = _SHARED_WORDS.get(best, set())
    english = sum(word.lower() in _ENGLISH_WORDS and word.lower() not in shared for word in words)
    return best if found >= 3 and found >= len(words) / 5 and found > 2 * english else None


def _is_of(word: str, language: str) -> bool:
    """Whether `word` is one of `language`'s short words, or a word not capitalised (a name: "Łódź", "Muñoz") with a
    letter only that language writes."""
    letters = dict(_LETTERS).get(language, "")
    lower = word.lower()
    return lower in _FUNCTION_WORDS[language] or (word[0].islower() and any(letter in lower for letter in letters))


def _script(letter: str) -> str:
    """The script a letter belongs to, as Unicode names it: "CJK", "Cyrillic", "Greek", ..."""
    script = unicodedata.name(letter, "unknown").split()[0]
    return script if len(script) <= 3 else script.title()


_NOT_AFTER_A_SHORT_FORM = "".join(rf"(?<!\b{short}\.)" for short in (*_TITLES, "[A-Z]", r"[ap]\.m", r"e\.g", r"i\.e"))
"""Not right after a title, an initial or a short form, whose full stop does not end the sentence."""
SENTENCE_END = re.compile(r"(?<=[.!?])" + _NOT_AFTER_A_SHORT_FORM + r"\s+")
"""Where text is cut into sentences: after . ! or ?, but not after "Dr." or "J." ("Dr. Smith", "J. K. Rowling")."""
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
_WORD_BREAK = re.compile(_NOT_AFTER_A_SHORT_FORM + r"\s+(?![ap]\.m\.)")
"""Between words, but not inside "Dr. Smith" or "5 p.m."."""


PARAGRAPH_END = "\n\n"
"""What a chunk of `split_text` ends with where a paragraph ends after it (not the text's last): its voice pauses
longer there than after a sentence."""


_RULE_RE = re.compile(r"\s*([^\w\s]|_)(?:\s*\1){2,}\s*")
"""A line that is a rule between sections: one mark three times or more ("---", "* * *", "___", "~~~")."""


def paragraphs(text: str) -> list[str]:
    """The paragraphs of `text`: its lines between blank lines or rules ("* * *", "---": `_RULE_RE`)."""
    found: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip() and not _RULE_RE.fullmatch(line):
            found[-1].append(line)
        elif found[-1]:
            found.append([])
    return ["\n".join(lines) for lines in found if lines]


def split_text(text: str, max_chars: int = 150) -> list[str]:
    """Chunks of whole sentences, each at most `max_chars` long where possible; a paragraph's last chunk ends with
    PARAGRAPH_END (but the text's last).

    Lines are never joined (RTVC synthesizes each line of its prompt separately); sentences on a line
    are grouped while they fit, and a sentence that alone is too long is broken at commas, then spaces.
    Tacotron was trained on utterances of at most ~11 s, so long inputs lose their alignment. A line with nothing to
    say (a rule of "---" or "* * *" between paragraphs) is left out.
    """
    chunks = []
    for paragraph in paragraphs(text):
        said = [
            chunk
            for line in filter(is_pronounceable, paragraph.splitlines())
            for chunk in _pack(
                [p for s in SENTENCE_END.split(line.strip()) if s for p in _fit(s, max_chars)], max_chars
            )
        ]
        if said and chunks:
            chunks[-1] += PARAGRAPH_END
        chunks += said
    return chunks


def split_for_streaming(text: str, first_chars: int = 16, growth: float = 3.0, max_chars: int = 150) -> list[str]:
    """`split_text`, with the first chunks cut short: at most `first_chars`, then `growth` times the
    length of the piece before, until pieces are whole chunks again.

    The first piece decides how soon audio starts playing; each later one only has to be made
    while the one before plays (Tacotron + HiFi-GAN take about a quarter of the audio's duration),
    so pieces may grow about that fast without a gap. Cuts fall after a clause where one fits,
    else between words. Each piece is said alone, so a line that ends without a mark ends as a sentence where the
    whole text shows it does (`lines_ended`, as the voices read the text said at once), so a list's items do not run
    on.
    """
    pieces: list[str] = []
    limit = first_chars
    for chunk in split_text(lines_ended(text), max_chars):
        end = PARAGRAPH_END if chunk.endswith(PARAGRAPH_END) else ""
        chunk = chunk.removesuffix(end)
        while limit < max_chars and len(chunk) > limit:
            head = _fit(chunk, limit)
            if len(head) == 1:  # one word longer than the limit
                break
            pieces.append(head[0])
            chunk = " ".join(head[1:])
            limit = max(limit, int(len(head[0]) * growth))
        pieces.append(chunk + end)
        limit = max(limit, int(len(chunk) * growth))
    return pieces


def _fit(text: str, max_chars: int) -> list[str]:
    """`text` in pieces of at most `max_chars` where possible, cut at its sentences' ends, then after its clauses,
    then between words: a piece said alone ends as a sentence does ("How are you | today?" lost its question)."""
    if len(text) <= max_chars:
        return [text]
    for boundary in (SENTENCE_END, _CLAUSE_END):
        parts = boundary.split(text)
        if len(parts) > 1:
            return _pack([piece for part in parts for piece in _fit(part, max_chars)], max_chars)
    return _pack(_WORD_BREAK.split(text.strip()), max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces with spaces while the result stays within `max_chars`."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks
