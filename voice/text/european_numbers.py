"""Numbers written the European or SI way ("1.234,56", "5 000 dollars", "3,5 million") written the English way,
where nothing else may be meant."""

from __future__ import annotations

import re

from .money import CURRENCIES, CURRENCY_NAMES
from .phone_numbers import PHONE_CONTEXT, PHONE_WORD_BEFORE_RE, word_before
from .written_forms import CURRENCY_SIGNS

_DOTTED_THOUSANDS_RE = re.compile(rf"(?<=[{CURRENCY_SIGNS}])\d{{1,3}}(?:\.\d{{3}}){{2}}(?!\w|[.,]\d)")
"""An amount with full stops between its thousands, as Europeans write millions ("€1.000.000"); without a currency
sign such a number is as likely a phone number, a version or an IP address ("612.345.678", "1.100.200")."""
_GROUP_SPACES = " \u00a0\u2007\u2009\u202f"
"""What Europe and SI write between a number's thousands: a space, a no-break space, a figure space, a thin space or a
narrow no-break space ("1 234 567", "5\u202f000")."""
_MONEY_AFTER = (
    rf"\s?(?:[{CURRENCY_SIGNS}%‰]|(?:"
    + "|".join(code for code in (*CURRENCIES, *CURRENCY_NAMES) if code.isalpha())
    + "|"
    + "|".join(sorted({name.split()[-1] for names in CURRENCIES.values() for name in names[:2]}))
    + r"|percent|per cent)\b)"
)
"""After a number: a currency's sign, code or name, or a percent sign, which make a decimal comma or a space between
its figures European ("3,5 %", "5 000 dollars")."""
_SCALE_WORDS = r"\s(?:thousand|million|billion|trillion|Millionen|Million|Milliarden|Milliarde)s?\b"
"""Scale words after an amount, English and German ("3,5 million", "3,5 Millionen")."""
_SIGN_BEFORE_RE = re.compile(rf"[{CURRENCY_SIGNS}]\s?$")
_PLURAL_AMOUNT_AFTER_RE = re.compile(
    rf"(?:{_SCALE_WORDS})?\s?(?:[{CURRENCY_SIGNS}]|(?:"
    + "|".join(code for code in (*CURRENCIES, *CURRENCY_NAMES) if code.isalpha())
    + "|"
    + "|".join(sorted({many.split()[-1] for one, many, *_ in CURRENCIES.values() if many != one}))
    + r")\b)"
)
"""After a number with plain spaces in it, what makes it one amount: a currency's sign or code, or its name in the
plural ("5 000 dollars", "1 234,56 €", "5 000 USD"); not a name in the singular, which may make a number before it a
noun's ("5 100 dollar bills"), nor a percent ("3 100% days")."""

_IDENTIFIER_WORD_BEFORE_RE = word_before("account|acct|iban|card|reference|ref|invoice|order|serial|id|pin|policy")
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


def dotted_thousands_in_english(text: str) -> str:
    """`text` with an amount's full stops between its thousands written as commas ("€1.000.000" as "€1,000,000")."""
    return _DOTTED_THOUSANDS_RE.sub(lambda m: m[0].replace(".", ","), text)


def european_numbers_in_english(text: str) -> str:
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
    account number (`PHONE_WORD_BEFORE_RE`, `_IDENTIFIER_WORD_BEFORE_RE`: "Call us on 20 123 456", "The account is
    12 345 678"): a currency after it (`_PLURAL_AMOUNT_AFTER_RE`: "5 000 dollars", "1 234,56 €"), a currency sign
    before it and a group starting with 0 ("€5 000"), or two groups or more after a head of one or two figures ("1 234
    567"). Else the numbers as typed ("100 200 people", "Rooms 101 102 103", "$5 100 times", "5 100 dollar bills",
    "3 100% days")."""
    head, groups, decimals = match.groups()
    merged = head + re.sub(f"[{_GROUP_SPACES}]", ",", groups) + (f".{decimals}" if decimals else "")
    if set(groups[0::4]) != {" "}:
        return merged
    text, start = match.string, match.start()
    before = max(0, start - PHONE_CONTEXT)
    if PHONE_WORD_BEFORE_RE.search(text, before, start) or _IDENTIFIER_WORD_BEFORE_RE.search(text, before, start):
        return match[0]
    if (
        _PLURAL_AMOUNT_AFTER_RE.match(text, match.end())
        or (_SIGN_BEFORE_RE.search(text, 0, start) and "0" in groups[1::4])
        or (len(groups) // 4 >= 2 and len(head) <= 2)
    ):
        return merged
    return match[0]
