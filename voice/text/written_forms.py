"""English written forms espeak-ng reads as letters or signs, written out as they are said.

Ranges ("5-10%": "five dash ten percent"), dates in words ("6 Dec", "March 3": "six dec", "March three"), times of day
("9:05": "nine, zero five"), number signs ("#5": "hash five", "C#"), slashes ("yes/no", "$5/month", "w/o": "slash"),
units after a number ("5 km": "k m"), factors ("2.5x faster": "two point five ex"), decimals without their zero
(".5"), fractions ("1/2 cup": "one slash two cup"; "2 1/2", "24/7"), decades ("the 1990s": "nineteen hundred and
ninety z", "’90s", "the 1800s"), years ("in 2026": "two thousand twenty-six"), short forms before a number ("Fig. 3",
"No. 7": the full stop read as the end of a sentence), web and e-mail addresses ("https://": "H T T P S colon slash
slash"; their dots left out; "www" run together) and text typed in capitals ("WE ARE US", "STOP IT": "U S", "I T").
"""

from __future__ import annotations

import re

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CURRENCY_SIGNS = "$£€¥₹₩₽₺₪₴₫₱฿₦₵₡₲₸₼₾₿₣₤₧﷼"
"""The signs said as money before an amount ("¥500": "500 yen"; `money.CURRENCIES` names them): a number
right after one is an amount, no year, unit, range's end or time."""
_UNITS = {
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "tsp": ("teaspoon", "teaspoons"),
    "tbsp": ("tablespoon", "tablespoons"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "sec": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "m²": ("square meter", "square meters"),
    "km²": ("square kilometer", "square kilometers"),
    "ft²": ("square foot", "square feet"),
    "m³": ("cubic meter", "cubic meters"),
}
"""Units said after a number, one and many. Letters that are often something else after a number are not here:
"in" ("5 in a row"), "s", "h", "l", "t"."""
_UNIT_RE = re.compile(
    r"(?<![\w.,"
    + CURRENCY_SIGNS
    + r"])(\d+(?:[.,]\d+)?|\.\d+)\s?("
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")"
    r"(?![\w²³/&])(?:\.(?=\s+[a-z]))?"
)
"""A number and a unit ("5 km", "70kg", ".25 mg", "5 lbs. of"; not "5 minsters", nor "£3m", an amount), with a full
stop after the unit that ends no sentence (one before a capital or the end is left)."""
_TIMES_RE = re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)x(?!\w)")
"""A number with an "x" right after it, a factor: "2.5x faster", "10x" (espeak-ng: "two point five ex"); not a
dimension ("2x4", "1920x1080") or a code ("0x1F")."""
_FRACTIONS = {2: ("half", "halves"), 3: ("third", "thirds"), 4: ("quarter", "quarters"), 8: ("eighth", "eighths")}
_FRACTION_RE = re.compile(r"(?<![\w/.])(?:(\d{1,2}) )?([1-7])/([2348])(?![\w/])")
"""A fraction under one, as in recipes ("1/2 cup", "3/4"), after a whole number of one or two digits or not ("2 1/2
hours"; "In 2020 1/2 of people", "Room 101 3/4 full" are no such number)."""
_SAID_WITHOUT_SLASH_RE = re.compile(r"(?<![\w/.])(24/7|9/11|50/50)(?![\w/])")
""""24/7", "9/11" and "50/50", said "twenty-four seven", "nine eleven" and "fifty-fifty"."""
_PERIODS = {
    "month": "a month",
    "mo": "a month",
    "year": "a year",
    "yr": "a year",
    "week": "a week",
    "wk": "a week",
    "day": "a day",
    "night": "a night",
    "hour": "an hour",
    "hr": "an hour",
}
"""A period after a slash, said as a rate: "$5/month" is "five dollars a month"."""
_PER = "person|head|unit|item|user|seat|ticket|page|word|kg|lb|g|oz|ml|l|L|m|km|mi|ft|sq ft"
_RATE_RE = re.compile(r"(?<=\d)(\s?[A-Za-z°²]{0,8})/(" + "|".join(_PERIODS) + "|" + _PER + r")(?![\w/])")
"""A number (and its unit) per something: "$5/month", "$20/hr", "2 cups/day", "$3/kg" (espeak-ng: "slash")."""
_WITH_RE = re.compile(r"(?<![\w/])[wW]/(?:([oO])(?![\w/])|(?=(\s|$))|(?=[a-z]))")
""""w/" and "w/o", short for "with" and "without"."""
_EITHER_RE = re.compile(
    r"(?<![\w/.@])([A-Za-z][a-z]+)/(?!(?:" + "|".join(_PERIODS) + "|" + _PER + r")\b)([a-z]{2,})(?![\w/@]|\.\w)"
)
"""Two words with a slash between them: either ("yes/no", "he/she", "on/off"), said with "or"; not letters ("I/O",
"AC/DC", "a/b"), a rate ("miles/hour"), a path ("src/main/app") or an address (said before)."""
_PRONOUN_SETS = {"he": ("him", "his"), "she": ("her", "hers"), "they": ("them", "theirs"), "xe": ("xem",)}
"""Pronouns given as a set ("he/him pronouns"), said one after the other, not as a choice."""
_DECADE_WORDS = {
    "2": "twenties",
    "3": "thirties",
    "4": "forties",
    "5": "fifties",
    "6": "sixties",
    "7": "seventies",
    "8": "eighties",
    "9": "nineties",
}
_DECADE_RE = re.compile(
    r"(?<![\w.,"
    + CURRENCY_SIGNS
    + r"'’‘])(?:(1[0-9]|20)|['’‘]|(?<=\bthe )|(?<=\bearly )|(?<=\bmid-)|(?<=\bmid )|(?<=\blate )|"
    r"(?=[2-9]0['’]s))([0-9])0['’]?s\b"
)
"""A decade: "1990s", "1980's", "'90s", "’90s", "80’s", or "90s" after "the", "early", "mid" or "late" ("30s" alone may
be 30 seconds); a century's first decades and the century itself ("the 1910s", "the 1800s", "the 2000s")."""
_NUMBERED = {
    "fig": "figure",
    "figs": "figures",
    "no": "number",
    "nos": "numbers",
    "p": "page",
    "pp": "pages",
    "vol": "volume",
    "ch": "chapter",
    "sec": "section",
    "approx": "approximately",
    "est": "established",
    "sept": "September",
    **{month[:3].lower(): month for month in MONTHS if month != "May"},
}
_NUMBERED_RE = re.compile(r"\b(" + "|".join(_NUMBERED) + r")\.\s?(?=\d)", re.IGNORECASE)
"""A short form before a number ("Fig. 3", "No. 7", "p. 45", "Jan. 5"), whose full stop ends no sentence; "no." in
lower case may ("I said no. 5 of us stayed")."""
_SCHEME_RE = re.compile(r"\b(?:https?|ftp)://(?=\S)", re.IGNORECASE)
_WEB_RE = re.compile(
    r"(?<![\w@.])(?:[\w+-]+(?:\.[\w+-]+)*@)?(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|ai|dev|app|info|co|uk|us|eu|de|fr|ca|au)"
    r"\b(?:/[\w/.-]*[\w/])?",
    re.IGNORECASE,
)
"""A web address or an e-mail address ("www.example.com/page", "john.doe@example.com"), whose dots espeak-ng drops."""
_WWW_RE = re.compile(r"\b(?:www|WWW)\b")
""""www" (a web address's, or the web's), which espeak-ng reads as one word, its three "double-u"s run together:
said as three letters apart (the bundled voice, 12 seeds, pocketsphinx: 279 of 420 words wrong against 306 together,
DistillMOS 4.13 against 3.99)."""
_CAPITALS_RE = re.compile(r"\b(?:[A-Z][A-Z']+|I|A)(?:[^\w\n]+(?:[A-Z][A-Z']+|I|A)\b){2,}(?![a-z])")
"""Three or more words in capitals in a row: shouting, whose "IT" and "US" espeak-ng would spell out (lower case, it
still spells "usa" and "fbi"); letters alone ("A B C") are no such words."""
_ACRONYM_AFTER_THE_RE = re.compile(r"\b(the\s+)(us|it)\b")
"""In shouting made lower case, "the US" and "the IT" (no pronouns after "the"): kept acronyms, as in mixed case."""
_SHOUTED_VERBS = (
    "ASK BEAT BREAK BRING BUY CALL CHECK CLOSE CONTACT DID DO DOES DONATE DROP EAT EMAIL FEEL FIND FIX FOLLOW FORGET "
    "FOUND GET GIVE GOT GRAB HATE HEAR HELP JOIN KEEP KILL LEAVE LET LIKE LOVE MADE MAKE NAIL NEED OPEN PAY PROTECT "
    "PULL PUSH READ REMEMBER SAID SAVE SAW SAY SEE SEND SHARE SHOW STOP SUPPORT TAKE TELL TEXT TOOK TRUST TRY USE "
    "VISIT WANT WATCH"
).split()
_SHOUTED_OBJECT_RE = re.compile(r"\b(?:" + "|".join(_SHOUTED_VERBS) + r")\s+(?:IT|US)\b(?!['’]?\w)")
"""A verb and "IT" or "US" typed in capitals, two words of shouting ("STOP IT!", "JOIN US today"), whose "IT" and "US"
espeak-ng spells out ("stop I T"); after other words they may be the letters ("NASA IT team", "THE US")."""
_MONTH_NAMES = "|".join((*MONTHS, "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept?", "Oct", "Nov", "Dec"))
_MONTH = f"({_MONTH_NAMES})"
_MONTH_DAY_RE = re.compile(
    rf"\b{_MONTH}\.? (\d{{1,2}})(?:st|nd|rd|th)?(?: to (\d{{1,2}})(?:st|nd|rd|th)?)?"
    r"(?=,? \d{4}\b|\s*[,.;:!?)]|\s*$|\s+(?:at|and|through|until|in|from|or|is|was|will)\b)"
)
"""A month and its day ("March 3, 2021", "Dec 6", "Jan. 5 was", "May 5 to 10"), where the day is no count ("In March 3
people came"): espeak-ng said "March three", "dec six"."""
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH}\b\.?")
"""A day before its month ("6 Dec 2026", "3 March"), said "the 6th of December"."""
_WEEKDAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Tues": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Thur": "Thursday",
    "Thurs": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
_WEEKDAY = "(" + "|".join(_WEEKDAYS) + ")"
_WEEKDAY_RE = re.compile(rf"\b{_WEEKDAY}\.?(?:(?=,? (?:the )?\d{{1,2}}\b|,? (?:{_MONTH_NAMES})\b)|[-–]{_WEEKDAY}\b)")
"""A weekday's short form before a date ("Tue, 3 Jan") or in a range of days ("Mon-Fri": "Monday to Friday");
alone, "Sat" and "Sun" are words."""
_MONTH_WORDS = ("May", "Mar")
_WEEKDAY_WORDS = ("Sat", "Sun")
"""Short forms that are English words too: a month or a day only where a date says so."""
_WORD_AFTER_RE = re.compile(r" +[a-z]")
_DATE_AFTER_RE = re.compile(rf",|,? (?:the )?\d{{1,2}}(?:st|nd|rd|th|/| (?:{_MONTH_NAMES})\b)|,? (?:{_MONTH_NAMES})\b")
"""After "Sat" or "Sun", what makes it a day: a comma, a day with its ordinal or its month, or a month."""
_RANGE_RE = re.compile(
    r"(?<![\w.,:/+#" + CURRENCY_SIGNS + r"‐‑‒–-])([" + CURRENCY_SIGNS + r"]?)(\d+(?:[.,:]\d+)*)([a-zA-Z%°]{0,3})"
    r"(?:[-‐‑]|\s?[‒–]\s?)"
    r"([" + CURRENCY_SIGNS + r"]?)(?!0\d+(?![\d:]))(\d+(?:[.,:]\d+)*)(?![.,:]?\d|\s?[-‐‑‒–]\s?\d)"
)
"""Two numbers joined by a hyphen or an en dash: a range ("5-10%", "pages 3-7", "10–20 minutes", "10am-2pm",
"$5-$10", "9:00-17:00"), which espeak-ng read with "dash". Not a longer chain ("1-800-555-1234", an ISBN), a number
after a letter ("COVID-19", "F-16") or a second number with a leading zero ("2026-06", a code); phone numbers and
dates in figures are said before."""


_CHAIN_GOES_ON_RE = re.compile(r"[-‐‑][^\W\d_]")
"""After a range's second number, a hyphen and a letter: a chain such as "1-800-FLOWERS", no range."""


_TIME_RE = re.compile(
    r"(?<![\w.,:/"
    + CURRENCY_SIGNS
    + r"+-])([01]?\d|2[0-3])(?::([0-5]\d)(?::([0-5]\d))?|\.([0-5]\d)(?=\s?[aApP]\.?[mM]\b))(?![\d:]|[.,]\d)"
    r"(?=(\s?[aApP]\.?[mM]\b)?)"
)
"""A time: "9:05", "14:00", "3:45pm", "12:30:45" (hours, minutes and seconds, a clock's before am or pm), "0:45"
(seconds, after "in" or "lasts"), and with a point only before am or pm ("3.45pm", "10.30 am"; "10.30" alone is a
number). Not a ratio ("16:9") or a time stamp's ("2026-05-12T10:00")."""
_DURATION_BEFORE_RE = re.compile(
    r"\b(?:took|takes|take|taking|lasted|lasts|in|for|within|time|length|duration|runtime|timer|finished|ran|clocked)"
    r"\s+(?:of\s+)?$",
    re.IGNORECASE,
)
"""Words before minutes and seconds that make them a duration, no time of day: "took 0:45", "in 0:05", "a run time of
0:59"."""
_CLOCK_BEFORE_RE = re.compile(r"\b(?:before|after|until|till|by|since|around)\s+$", re.IGNORECASE)
"""Words before hours, minutes and seconds that make them a time of day, read as a clock ("until 12:30:45": "12 30 and
45 seconds"); without them (and without am or pm after) they are a duration or a time stamp ("at 1:02:03" in a
video)."""
_TIME_UNIT_AFTER_RE = re.compile(r"\s*(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?)\b", re.IGNORECASE)
"""A unit after "0:45" ("in 0:45 seconds", "0:45 min"): it says what the figures count, so they are not said as
seconds."""
_FEET_MARKS = "'’′"
"""Marks of feet after a number: the apostrophe (as typed, or made curly by a phone's keyboard) and the prime."""
_INCH_MARKS = '"”″'
"""Marks of inches after a number: the double quote (straight or curly) and the double prime."""
_INCHES = ("inch", "inches")
"""Not in `_UNITS`: "5 in" may be "5 in a row", and "inch" is written out already ("a 5 inch screen")."""
_HEIGHT_RE = re.compile(
    rf"(?<![\w.,{_FEET_MARKS}°])(?<!° )(\d)[{_FEET_MARKS}] ?(1[01]|0?\d)([{_INCH_MARKS}]|'')?"
    rf"(?![\w{_INCH_MARKS}]|[.,]\d)"
)
"""A height in feet and inches: "5'11\"", "5' 11\"", "5’11”" (a phone's curly marks), "6′2″", "5'11"; not after a
degree ("40° 5′11″": arc minutes and seconds)."""
_FEET_OR_INCHES_RE = re.compile(
    rf"(?<![\w.,{_FEET_MARKS}{_INCH_MARKS}])(\d+(?:\.\d+)?)([{_FEET_MARKS}{_INCH_MARKS}])(?![\w{_FEET_MARKS}{_INCH_MARKS}]|[.,]\d)"
)
"""A number with a mark of feet or inches alone: "6' tall", "a 10' pole", "an 11\" pizza"; whether it is a length
(the words around it say so) is `_feet_or_inches`' question."""
_ARTICLE_BEFORE_RE = re.compile(r"\b[Aa]n? $")
""""a" or "an" before an amount or a measure and a word after it: it names a thing's size or price, in the singular
("a 10' pole": "a 10 foot pole", "a 5 km run", "a $5 note"; `modifies_a_noun`)."""
_NO_NOUN_AFTER_RE = re.compile(
    r" +(?:(?:and|or|nor|but|to|of|per|than|in|on|at|by|for|from|with|into|each|a|an|the|this|that|these|those|"
    r"yesterday|today|tonight|tomorrow|now|then|ago|last|next|more|less|left|back|off|away|here|there|too|please|"
    r"instead|again|already|so|if|as|is|was|were|are|be|will|would|can|could|should|may|might|must|did|had|has)\b"
    r"|[a-z]+(?:ly|ing)\b)"
)
"""Words after "a 5 km" that are no noun it names the size of: a conjunction or preposition ("a $5 or $10 note", "a 5
km and a 10 km race"), a word of time or place, a verb or an adverb ("I found a $20 lying there", "a $20 yesterday",
"a $5 more")."""
_MODIFIED_NOUNS = (
    "bill banknote note coin ticket fee voucher coupon gift card item limit budget prize bonus deposit discount "
    "donation surcharge bag box bottle pack marathon trip journey commute radius"
).split()
_MODIFIED_NOUN_AFTER_RE = re.compile(r" +(?:gift card|" + "|".join(_MODIFIED_NOUNS) + r")(?:e?s)?\b")
"""A noun an amount or a measure before it is said of, in the singular, whatever comes before ("$100 bills": "100
dollar bills", "10 kg bags"; "$100 in bills" stays plural). Nouns that are verbs as often ("run", "drive": "the last
5 km run along the coast") or adjectives ("fine": "Is $20 fine?") are not here: after "a" or "an" they are
(`_ARTICLE_BEFORE_RE`: "a $100 fine", "a 10 km race")."""
_LENGTH_AFTER_RE = re.compile(r"\s+(?:tall|long|wide|high|deep|thick|across|in length)\b|\s*[x×]\s*\d|\s+by\s+\d")
"""After a lone mark, what makes it a length: a word of size ("6' tall") or another dimension ("6' x 4'"); a minute of
a match ("the 45'"), an arc minute or a quotation's close ("rated 4.5\" by users") has none."""
_LENGTH_BEFORE_RE = re.compile(rf"\d[{_FEET_MARKS}{_INCH_MARKS}](?:\s*[x×]\s*|\s+by\s+)$")
"""Before a lone mark, a dimension it is the other of: the "6' x " of "6' x 4'"."""
_OPENING_SINGLE_QUOTE_RE = re.compile(r"(?:^|(?<=[\s(\[“\"]))['‘’](?=\w)")
"""A single quote that opens a quotation: at a line's start or after a space, a bracket or a double quote, before a
word ("'I am", not "I'm" or "boys' ")."""
_HASH_RE = re.compile(r"(?<![\w#&/])#(?:(\d+)(?!\w)|([A-Za-z][A-Za-z0-9_]*))")
"""A number sign before a number ("#5", "Order #12345") or a hashtag ("#AI", "#ThrowbackThursday"), which espeak-ng
read "hash five"; not "C#" or "F#", nor an address's "#anchor"."""
_CAMEL_CASE_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SHARP_RE = re.compile(r"\b([A-G])#(?![\w#])")
"""A note or a language: "C#", "F#", said "C sharp" (espeak-ng: "C hash")."""
_LEADING_POINT_RE = re.compile(r"(?<![\w.," + CURRENCY_SIGNS + r"])\.(\d+)(?![.,]?\d)")
"""A decimal without its zero: ".5", ".25 mg" (espeak-ng: ".twenty five", the point not said)."""
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen".split()
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_YEAR_RE = re.compile(r"(?<![\w.," + CURRENCY_SIGNS + r"#/:+'’-])(1\d{3}|20\d{2})(?![\w%°²³'’]|[.,:/-]\d)")
"""A number that may be a year, 1000 to 2099 in four figures ("1,984", "1984.5", "$1984", "1984kg" are none)."""
_YEAR_BEFORE_RE = re.compile(
    r"(?:\b(?:in|since|until|till|circa|ca\.|c\.|during|born|died|founded|established|year|summer|winter|spring|"
    r"autumn|fall|early|late|mid|(?:summer|winter|spring|autumn|fall|class|year|war|election|olympics) of|"
    r"(?:" + "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?: \d{1,2}(?:st|nd|rd|th)?)?,?)"
    r"|mid-|©|\(c\))\s*$",
    re.IGNORECASE,
)
"""What says the number after it is a year: "in 1984", "since 1850", "born 1990", "the summer of 1969", "March 3,
2021", "6 Dec 2026", "© 2024"."""
_YEAR_AFTER_RE = re.compile(r"\s?(?:AD|BC|BCE|CE|A\.D\.|B\.C\.)(?!\w)")
_YEAR_MAYBE_BEFORE_RE = re.compile(r"\b(?:from|by|before|after|around)\s+$", re.IGNORECASE)
_YEAR_MAYBE_AFTER_RE = re.compile(r"\s*(?:[.,;:!?)]|$)|\s+(?:to|and|until|till|through|onwards|on)\b")
"""After "from", "by", "before", "after" or "around", a number is a year where a clause ends after it or a year's
words follow ("by 2030.", "after 1945 and"), not before a noun ("after 1500 attempts")."""
_YEARS_RE = re.compile(
    r"(?<![\w.," + CURRENCY_SIGNS + r"#/:+'’-])(1\d{3}|20\d{2}) (to|and|or|through|until|till) (1\d{3}|20\d{2})\b"
)
"""Two years joined ("1990 to 2000", as a range "1990-2000" is said): both are years."""
_NOT_A_YEAR_AFTER_RE = re.compile(
    r"\s+(?:years?|months?|weeks?|days?|hours?|centuries|times|percent|people|dollars|cents|pence|euros|"
    + "|".join(sorted({re.escape(said.split()[0]) for pair in _UNITS.values() for said in pair}, reverse=True))
    + r")\b"
)
"""A count, not a year, even after "in": "in 1500 years", "in 2000 meters" (a unit is said in words before)."""


_CONTEXT = 40
"""Characters either side of a number looked at to tell whether it is a year."""


def year_said(year: int) -> str:
    """A year as it is said: "nineteen eighty-four", "nineteen oh five", "nineteen hundred", "two thousand five",
    "twenty twenty-six" (espeak-ng: "one thousand nine hundred eighty-four", "two thousand twenty-six"); the way
    SV2TTS's cleaners read 1001-2999."""
    century, rest = divmod(year, 100)
    if year % 1000 == 0:
        return f"{_ONES[year // 1000]} thousand"
    if 2000 < year < 2010:
        return f"two thousand {_ONES[rest]}"
    if rest == 0:
        return f"{_under_a_hundred(century)} hundred"
    return f"{_under_a_hundred(century)} {'oh ' + _ONES[rest] if rest < 10 else _under_a_hundred(rest)}"


def _under_a_hundred(number: int) -> str:
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")


def _year(match: re.Match) -> str:
    """A number said as a year where the words around it say it is one ("in 1984", "March 3, 2021", "1066 AD", "from
    1990 to 2000"), else left as it is (a count: "1984 people", "about 1999 people")."""
    before = match.string[max(0, match.start() - _CONTEXT) : match.start()]
    after = match.string[match.end() : match.end() + _CONTEXT]
    if _NOT_A_YEAR_AFTER_RE.match(after):
        return match.group(0)
    if (
        _YEAR_BEFORE_RE.search(before)
        or _YEAR_AFTER_RE.match(after)
        or (_YEAR_MAYBE_BEFORE_RE.search(before) and _YEAR_MAYBE_AFTER_RE.match(after))
    ):
        return year_said(int(match.group(1)))
    return match.group(0)


def years_said(text: str) -> str:
    """`text` with its years in words: espeak-ng reads "1984" as "nineteen hundred eighty-four" and "2026" as "two
    thousand twenty-six"."""
    text = _YEARS_RE.sub(lambda m: f"{year_said(int(m[1]))} {m[2]} {year_said(int(m[3]))}", text)
    return _YEAR_RE.sub(_year, text)


def written_forms_said(text: str) -> str:
    """`text` with ranges, dates in words, times of day, number signs and hashtags, rates and either-or slashes, units,
    factors ("2.5x"), decimals without their zero, fractions, decades, years, numbered short forms, web and e-mail
    addresses and shouting written as said."""
    text = _NUMBERED_RE.sub(_numbered, text)
    text = _RANGE_RE.sub(_range, text)
    text = _DAY_MONTH_RE.sub(_day_month, _MONTH_DAY_RE.sub(_month_day, _WEEKDAY_RE.sub(_weekday, text)))
    text = _TIME_RE.sub(_time, text)
    text = _SHARP_RE.sub(r"\1 sharp", _HASH_RE.sub(_hash, text))
    text = _WITH_RE.sub(_with, _RATE_RE.sub(_rate, text))
    text = _TIMES_RE.sub(r"\1 times", _UNIT_RE.sub(_unit, text))
    text = _LEADING_POINT_RE.sub(lambda m: "point " + " ".join(m.group(1)), text)
    text = _FRACTION_RE.sub(_fraction, text)
    text = _SAID_WITHOUT_SLASH_RE.sub(lambda m: m.group(1).replace("/", " "), text)
    text = _DECADE_RE.sub(_decade, text)
    text = _FEET_OR_INCHES_RE.sub(_feet_or_inches, _HEIGHT_RE.sub(_height, text))
    text = years_said(text)
    text = _SCHEME_RE.sub("", text)
    text = _WWW_RE.sub(lambda m: " ".join(m[0]), _WEB_RE.sub(_web_address, text))
    text = _EITHER_RE.sub(_either, text)
    text = _CAPITALS_RE.sub(lambda m: _ACRONYM_AFTER_THE_RE.sub(lambda a: a[1] + a[2].upper(), m[0].lower()), text)
    return _SHOUTED_OBJECT_RE.sub(lambda m: m.group(0).lower(), text)


def _range(match: re.Match) -> str:
    """ "5 to 10%", "5 to $10": a sign or a unit both ends share said once, after the second ("five to ten percent");
    a first amount with cents keeps its own ("$5.50 to $10")."""
    first_sign, first, first_unit, second_sign, second = match.groups()
    after = match.string[match.end() :]
    if _CHAIN_GOES_ON_RE.match(after) or (first.isdigit() and len(first) >= 5):
        return match[0]  # "1-800-FLOWERS", a ZIP+4 code "90210-1234": no range
    if first_unit and after.startswith(first_unit) and first_unit != "s":  # "1980s-1990s" keeps both decades
        first_unit = ""
    if len(first) == 4 and first.isdigit() and len(second) == 2 and int(second) > int(first[2:]):
        second = first[:2] + second  # "1939-45": the years 1939 to 1945
    if first_sign and not second_sign:
        second_sign = first_sign
    if first_sign == second_sign and "." not in first:
        first_sign = ""
    return f"{first_sign}{first}{first_unit} to {second_sign}{second}"


def _time(match: re.Match) -> str:
    """ "9 oh 5", "9 45", "9 o'clock", "14 hundred", "5" before pm ("5:00 pm": five P M); with seconds, before am or pm
    or after a word that makes it a time of day (`_CLOCK_BEFORE_RE`) as a clock is read, its seconds after ("9 oh 5
    and 7 seconds am", "12 o'clock and 45 seconds pm"), else as hours, minutes and seconds ("2:03:45":
    `_duration`); "0:45" after a word that says a duration, no unit after it, is 45 seconds (a clock writes 00:45).
    espeak-ng read "9:05" as "nine, zero five" with a pause at the colon, "12:30:45" as "twelve, thirty, forty five"
    and "3.45pm" as "three point four five P M"."""
    hour, minutes, seconds, apart = int(match[1]), match[2] or match[4], match[3], match[5]
    before = match.string[max(0, match.start() - _CONTEXT) : match.start()]
    after = match.string[match.end() : match.end() + _CONTEXT]
    if seconds and not apart and not _CLOCK_BEFORE_RE.search(before):
        return _duration(hour, int(minutes), int(seconds))
    if (
        match[1] == "0"
        and _DURATION_BEFORE_RE.search(before)
        and not (seconds or apart or _TIME_UNIT_AFTER_RE.match(after))
    ):
        return _counted(str(int(minutes)), _UNITS["sec"])
    with_seconds = seconds and seconds != "00"
    said = _clock(hour, minutes, apart)
    if with_seconds and said == str(hour) and 0 < hour <= 12:  # "12:00:45 pm": "12 o'clock and 45 seconds pm"
        said = f"{hour} o'clock"
    if with_seconds:
        said += " and " + _counted(str(int(seconds)), _UNITS["sec"])
    return said + (" " if apart and apart[0] != " " and said != str(hour) else "")


def _clock(hour: int, minutes: str, apart: str | None) -> str:
    """The hour and minutes as a clock is read: "9 oh 5", "9 45", "9 o'clock", "14 hundred", "5" before am or pm."""
    if minutes == "00":
        return f"{hour}" if apart else f"{hour} o'clock" if 0 < hour <= 12 else f"{hour} hundred"
    return f"{hour} {'oh ' + minutes[1] if minutes[0] == '0' else minutes}"


def _duration(hours: int, minutes: int, seconds: int) -> str:
    """ "2 hours, 3 minutes and 45 seconds"; a part that is zero left out ("1:00:30": "1 hour and 30 seconds")."""
    parts = [_counted(str(n), _UNITS[unit]) for n, unit in ((hours, "hr"), (minutes, "min"), (seconds, "sec")) if n]
    if not parts:
        return _counted("0", _UNITS["sec"])
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _hash(match: re.Match) -> str:
    """ "number 5"; "hashtag AI", "hashtag Throwback Thursday" (a hashtag's words apart where its capitals are)."""
    number, tag = match.groups()
    return f"number {number}" if number else f"hashtag {_CAMEL_CASE_RE.sub(' ', tag)}"


def _rate(match: re.Match) -> str:
    """ "$5 a month", "2 cups a day", "$3 per kilogram"."""
    unit, per = match.groups()
    if per in _PERIODS:
        return f"{unit} {_PERIODS[per]}"
    return f"{unit} per {_UNITS[per][0] if per in _UNITS else per}"


def _with(match: re.Match) -> str:
    """ "without" for "w/o"; "with" for "w/", a space kept before the next word ("w/milk": "with milk")."""
    without, space = match.groups()
    return "without" if without else "with" if space is not None else "with "


def _either(match: re.Match) -> str:
    """ "yes or no"; "and or" for "and/or"; pronouns as they are said, "he him" for "he/him"."""
    first, second = match.groups()
    if second in _PRONOUN_SETS.get(first.lower(), ()):
        return f"{first} {second}"
    return f"{first} or" if second == "or" else f"{first} or {second}"


def ordinal_suffix(number: int) -> str:
    """ "st", "nd", "rd" or "th"."""
    return "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _month(short: str) -> str:
    return next(month for month in MONTHS if month.startswith(short[:3]))


def _month_day(match: re.Match) -> str:
    """ "March 3rd", "December 6th", "May 5th to 10th"."""
    month, day, last = match[1], int(match[2]), match[3] and int(match[3])
    if not 1 <= day <= 31 or (last and not 1 <= last <= 31):
        return match[0]
    said = f"{_month(month)} {day}{ordinal_suffix(day)}"
    return f"{said} to {last}{ordinal_suffix(last)}" if last else said


def _day_month(match: re.Match) -> str:
    """ "the 6th of December"; "5 May flowers", "2 Mar bars" as they are ("May" and "Mar" are words too)."""
    day = int(match[1])
    if not 1 <= day <= 31 or (match[2] in _MONTH_WORDS and _WORD_AFTER_RE.match(match.string, match.end())):
        return match[0]
    return f"the {day}{ordinal_suffix(day)} of {_month(match[2])}"


def _weekday(match: re.Match) -> str:
    """ "Monday to Friday", "Tuesday"; "Sat 3 rows", "Sun 3 hours" as they are ("Sat" and "Sun" are words too)."""
    first, last = match.groups()
    if last:
        return f"{_WEEKDAYS[first]} to {_WEEKDAYS[last]}"
    if first in _WEEKDAY_WORDS and not _DATE_AFTER_RE.match(match.string, match.end()):
        return match[0]
    return _WEEKDAYS[first]


def _web_address(match: re.Match) -> str:
    said = match.group(0).replace(".", " dot ").replace("@", " at ").replace("/", " slash ")
    return " ".join(said.split())


def _numbered(match: re.Match) -> str:
    if match.group(1) in ("no", "nos"):
        return match.group(0)
    word = _NUMBERED[match.group(1).lower()]
    return (word[0].upper() + word[1:] if match.group(1)[0].isupper() else word) + " "


def _unit(match: re.Match) -> str:
    """ "5 kilometers"; "a 5 kilometer run" where it names a noun's size (`modifies_a_noun`)."""
    number, unit = match.groups()
    one, _ = names = _UNITS[unit]
    return f"{number} {one}" if modifies_a_noun(match.string, match.start(), match.end()) else _counted(number, names)


def modifies_a_noun(text: str, start: int, end: int) -> bool:
    """Whether the amount or measure at `text[start:end]` names the size or price of a noun after it, and is said in
    the singular ("a 5 kilometer run", "100 dollar bills"): a noun of `_MODIFIED_NOUNS` comes next, or a word that is no
    conjunction or preposition (`_NO_NOUN_AFTER_RE`) comes next and "a" or "an" before. Not covered: another noun
    after "the" or no article ("the 5 km run", "5 km runs" stay plural)."""
    before, after = text[max(0, start - _CONTEXT) : start], text[end : end + _CONTEXT]
    if _MODIFIED_NOUN_AFTER_RE.match(after):
        return True
    return bool(
        _ARTICLE_BEFORE_RE.search(before) and _WORD_AFTER_RE.match(after) and not _NO_NOUN_AFTER_RE.match(after)
    )


def _counted(number: str, names: tuple[str, str]) -> str:
    """A number and its unit's name, one or many (`_UNITS`' values): "1 second", "2.5 kilometers"."""
    one, many = names
    return f"{number} {one if number == '1' else many}"


def _height(match: re.Match) -> str:
    """ "5 foot 11", "6 feet" for "5'11\"" and "6'0\""; an inch mark that closes a quotation kept after them
    ("\"I am 5'11\"")."""
    feet, inches, mark = match.groups()
    said = f"{feet} foot {int(inches)}" if int(inches) else _counted(feet, _UNITS["ft"])
    return said + mark if mark and _may_close_a_quotation(match.string, match.end() - 1) else said


def _feet_or_inches(match: re.Match) -> str:
    """ "6 feet tall", "11 inches by 8", "a 10 foot pole" (`modifies_a_noun`); without such words around it, or
    where it may close a quotation ("He said \"hi 5\""), the mark as it is."""
    number, mark = match.groups()
    before, after = match.string[: match.start()], match.string[match.end() :]
    if _may_close_a_quotation(match.string, match.end() - 1):
        return match[0]
    names = _UNITS["ft"] if mark in _FEET_MARKS else _INCHES
    if modifies_a_noun(match.string, match.start(), match.end()):
        return f"{number} {names[0]}"
    if _LENGTH_AFTER_RE.match(after) or _LENGTH_BEFORE_RE.search(before):
        return _counted(number, names)
    return match[0]


def _may_close_a_quotation(text: str, at: int) -> bool:
    """Whether the quotation mark at `at` may close a quotation opened before it on its line: a double one inside a
    double quotation (`_inside_a_double_quotation`), a single one after a single quote that opens one ("'I am 6'"); a
    prime (′, ″) never does."""
    before = text[text.rfind("\n", 0, at) + 1 : at]
    if text[at] in "'’":
        return _OPENING_SINGLE_QUOTE_RE.search(before) is not None
    return text[at] in '"”' and _inside_a_double_quotation(before)


def _inside_a_double_quotation(before: str) -> bool:
    """Whether `before` ends inside a double quotation: '"' or "“" opens one and '"' or "”" closes it, but one right
    after a figure outside a quotation is an inch mark ("5'11\" and \"hi\"")."""
    inside = False
    for found in re.finditer('["“”]', before):
        after_a_figure = before[found.start() - 1 : found.start()].isdigit()
        inside = found[0] == "“" if inside else found[0] == "“" or (found[0] == '"' and not after_a_figure)
    return inside


def _fraction(match: re.Match) -> str:
    whole, top, bottom = match.group(1), int(match.group(2)), int(match.group(3))
    if top >= bottom:
        return match.group(0)
    one, many = _FRACTIONS[bottom]
    if top > 1:
        said = f"{('two', 'three', 'four', 'five', 'six', 'seven')[top - 2]} {many}"
    else:
        said = f"{'an' if one[0] in 'aeiou' else 'a'} {one}" if whole else f"one {one}"
    return f"{whole} and {said}" if whole else said


def _decade(match: re.Match) -> str:
    """ "the 19 nineties", "the nineties", "the 19 tens", "the 18 hundreds", "the 2000s": "the two thousands"."""
    century, tens = match.groups()
    if tens in "01" and not century:
        return match.group(0)
    if tens == "0":  # the century itself, or "1000s": thousands
        return {"10": "thousands", "20": "two thousands"}.get(century, f"{century} hundreds")
    decade = "tens" if tens == "1" else _DECADE_WORDS[tens]
    return f"{century} {decade}" if century else decade
