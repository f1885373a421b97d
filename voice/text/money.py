"""Amounts of money said in English for espeak-ng: "$19.99" as "19 dollars and 99 cents", "20 CHF" as "20 Swiss
francs", a currency sign espeak-ng says nothing for ("₽", "₿") by its name."""

from __future__ import annotations

import re

from .written_forms import CURRENCY_SIGNS, modifies_a_noun

CURRENCIES = {
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
"""The signs of `CURRENCIES` that espeak-ng's English voices say nothing for ("₽", "₺", "₿", ...; it says "$", "£",
"€", "¥", "₹" and "₩" by their names)."""
_UNSAID_SIGN_RE = re.compile(rf"([{_UNSAID_SIGNS}])\s?(\d+(?:[.,]\d+)*)|[{_UNSAID_SIGNS}]")
"""One of `_UNSAID_SIGNS` that no amount took (`_MONEY_RE`): before a number it names ("₿0.00123"), or alone ("prices
in ₽")."""
CURRENCY_NAMES = {
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
"""Other ways to write a currency of `CURRENCIES` before an amount: "JP¥500" and "JPY 500" are "500 yen"."""
_CURRENCY = "|".join(
    (r"(?<![A-Za-z])" if written[0].isalpha() else "") + re.escape(written)
    for written in sorted({*CURRENCIES, *CURRENCY_NAMES}, key=len, reverse=True)
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
    + "|".join(code for code in (*CURRENCIES, *CURRENCY_NAMES) if code.isalpha())
    + rf"|[{CURRENCY_SIGNS}])(?!\w)"
)
"""A number with a currency's code or sign after it ("20 CHF", "1,200.50 USD", "10 $", "50 ₽"), as Europeans write
it: said as the same amount with the code before ("CHF 20": "20 Swiss francs"), espeak-ng spelled the code and said
"10 $" as "ten dollar"; a number `_MONEY_RE` takes for no amount ("1.999 EUR", "3.14159 EUR", "1,2,3 USD") as typed
(`_code_before`)."""
SCALES = {
    "k": "thousand",
    "m": "million",
    "mn": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
    "tn": "trillion",
}
"""Short forms of "thousand", "million", "billion" and "trillion" after an amount ("$5k", "£3m", "$2.5bn", "$1T")."""


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
    one, many, small_one, small_many = CURRENCIES[CURRENCY_NAMES.get(symbol, symbol)]
    if modifies_a_noun(match.string, match.start(), match.end()):
        many, small_many = one, small_one
    if scale:  # "$1.5 million", "£3m", "₹5 lakhs": the number, then its unit ("5 lakh rupees")
        scale = scale.removesuffix("s") if scale[0].isspace() else " " + SCALES[scale.lower()]
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
    return f"{number} {CURRENCIES[sign][1]}" if sign else CURRENCIES[match[0]][1]


_PER_MILLE_RE = re.compile(r"[ \t]*‰")
"""The per mille sign ("5 ‰", "0.5‰"), which espeak-ng's English voices say nothing for."""


def money_said(text: str) -> str:
    """`text` with its amounts of money, per mille signs and currency signs espeak-ng says nothing for said."""
    text = _MONEY_RE.sub(_money, _CODE_AFTER_RE.sub(_code_before, text))
    return _UNSAID_SIGN_RE.sub(_unsaid_sign, _PER_MILLE_RE.sub(" per mille", text))
