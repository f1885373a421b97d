"""The text voxlip will say, checked at the edge (`check_text`): normalised, markup and emoji removed, size and
content bounded."""

from __future__ import annotations

import re
import unicodedata

from core.errors import InputError

from .pictographs import EMOJI_MODIFIERS, EMOJI_RE, PICTOGRAPH, PICTOGRAPH_PARTS_RE, SAID_PICTOGRAPH_RE
from .sv2tts import english_cleaners


def is_pronounceable(text: str) -> bool:
    """True if the cleaned text has at least one letter to speak."""
    return any(c.isalpha() for c in english_cleaners(text))


MAX_TEXT_CHARS = 20_000
"""Longer text is refused: about 25 minutes of speech; split it into several requests."""
MAX_TEXT_BYTES = 16 * 1024**2
"""The most bytes of a text file read: far more than any text of MAX_TEXT_CHARS to say, however much markup cleaning
removes (an HTML transcript of 177 KB holds 13,499 characters to say); a longer file is refused without being read
whole (/dev/zero, read to its end, would fill the memory)."""


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
    f"[\u200b\u200c\u2060\ufeff{_BIDI_MARKS}]|(?<![{PICTOGRAPH}{EMOJI_MODIFIERS}])\u200d|\u200d(?![{PICTOGRAPH}])"
)
"""Invisible characters that text copied from web pages carries inside words (zero-width space, non-joiner, word
joiner, byte order mark, the marks of writing direction: `_BIDI_MARKS`; a joiner outside an emoji): espeak-ng would
break the word there ("Hel lo", "Mu hammad")."""


_LEFT_OUT = "\x00"
"""What stands in for an emoji left out until the gap it leaves is closed (`_closed_up`; control characters are gone
by then)."""
_LEFT_OUT_RE = re.compile(r"([.,;:!?]?)[ \t]*\x00[\x00 \t]*(?:([.,;:!?])(?![.,;:!?]))?")
"""Emoji left out, the spaces around them, and a mark just before and after them."""


def _closed_up(match: re.Match) -> str:
    """Where emoji were left out: a space, but no space before a mark after them ("much 😀!": "much!") nor a second
    mark after one before them ("everyone. 😀.", "everyone, 🍕,": "everyone.", "everyone,"; a sentence's end kept),
    unless a question or an exclamation follows a full stop, which may be a short form's or an ellipsis's ("the U.S.
    🇺🇸?", "p.m. 🤔?", "We won... 🎉!": "the U.S.?")."""
    before, after = match[1], match[2]
    if before == "." and after in ("?", "!"):
        return before + after
    if before and after:
        return before if before in ".!?" else after
    return after or before + " "


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
    pictographs = sum(len(EMOJI_RE.findall(piece)) for piece in pieces)
    if pictographs:
        pieces = [PICTOGRAPH_PARTS_RE.sub(_LEFT_OUT, piece) for piece in pieces]
        text = "".join(piece + (said[0] if said else "") for piece, said in zip(pieces, [*kept, None]))
        text = re.sub(r"[ \t]{2,}", " ", _LEFT_OUT_RE.sub(_closed_up, text)).strip()
        notes.append(f"left out {pictographs} emoji or pictograph(s): voices read them as their names")
    long_words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > LONG_WORD_LETTERS]
    if long_words:
        notes.append(
            f"{len(long_words)} word(s) of more than {LONG_WORD_LETTERS} letters (the first: {long_words[0][:20]}..., "
            f"{len(long_words[0])} letters) are said letter by letter or garbled: check the text"
        )
    return text, tuple(notes)
