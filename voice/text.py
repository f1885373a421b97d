"""Text front-ends: SV2TTS English cleaning and symbol ids, IPA phonemes through espeak-ng, and long text
split into sentences and streaming pieces.

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
    """Numbers as words; 1001-2999 read as years ("nineteen ninety-five")."""
    words = _inflect().number_to_words
    n = int(match.group(0))
    if not 1000 < n < 3000:
        return words(n, andword="")
    if n == 2000:
        return "two thousand"
    if 2000 < n < 2010:
        return "two thousand " + words(n % 100)
    if n % 100 == 0:
        return words(n // 100) + " hundred"
    return words(n, andword="", zero="oh", group=2).replace(", ", " ")


def expand_numbers(text: str) -> str:
    """Spell out numbers, money, decimals and ordinals the way SV2TTS's training text was."""
    text = _COMMA_NUMBER_RE.sub(lambda m: m.group(1).replace(",", ""), text)
    text = _POUNDS_RE.sub(r"\1 pounds", text)
    text = _DOLLARS_RE.sub(_dollars, text)
    text = _DECIMAL_RE.sub(lambda m: m.group(1).replace(".", " point "), text)
    text = _ORDINAL_RE.sub(lambda m: _inflect().number_to_words(m.group(0)), text)
    return _NUMBER_RE.sub(_cardinal, text)


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


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (NUL and the like), not tabs or line breaks."""
_TAG_RE = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
"""Markup tags: HTML, SSML."""
LONG_WORD_LETTERS = 40


def check_text(text: str) -> tuple[str, tuple[str, ...]]:
    """(the text voxlip will say, notes on what it changed or cannot say well), or an InputError saying why not.

    Control characters and markup tags are removed (SSML is not interpreted); words over
    `LONG_WORD_LETTERS` letters are said as well as voices can, with a note. Whether the voice can
    read the text's script is `check_script`'s question, once the voice is known.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    notes = []
    controls = len(_CONTROL_RE.findall(text))
    if controls:
        text = _CONTROL_RE.sub(" ", text)
        notes.append(f"removed {controls} control character(s) (such as NUL) from the text")
    tags = len(_TAG_RE.findall(text))
    if tags:
        text = _TAG_RE.sub(" ", text)
        notes.append(f"removed {tags} markup tag(s) from the text: voxlip reads plain text (SSML is not interpreted)")
    if controls or tags:
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
    long_words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > LONG_WORD_LETTERS]
    if long_words:
        notes.append(
            f"{len(long_words)} word(s) of more than {LONG_WORD_LETTERS} letters (the first: {long_words[0][:20]}..., "
            f"{len(long_words[0])} letters) are said letter by letter or garbled: check the text"
        )
    return text, tuple(notes)


def check_script(text: str, language: str) -> tuple[str, ...]:
    """Notes on the words an English voice reads as their Latin transliteration, or an InputError when most of the
    text is in another script. `language` is the one the voice speaks (e.g. "en-us"); a voice of another language
    reads what espeak-ng reads in it, so its text is not checked here."""
    if not language.lower().startswith("en"):
        return ()
    letters = [c for c in text if c.isalpha()]
    foreign = [c for c in letters if "LATIN" not in unicodedata.name(c, "")]
    if letters and len(foreign) > len(letters) / 2:
        raise InputError(
            f"the text is mostly in {_script(foreign[0])} script, but the voice speaks English ({language}): "
            "for another language, use the offline voice with a Piper voice of it "
            "(--synthesizer offline --base-voice VOICE.onnx, or piper:NAME after `voxlip fetch piper:NAME`) "
            "and --language CODE"
        )
    if not foreign:
        return ()
    scripts = ", ".join(sorted({_script(c) for c in foreign}))
    return (f"words in {scripts} script are read as their Latin transliteration by an English voice",)


def _script(letter: str) -> str:
    """The script a letter belongs to, as Unicode names it: "CJK", "Cyrillic", "Greek", ..."""
    script = unicodedata.name(letter, "unknown").split()[0]
    return script if len(script) <= 3 else script.title()


def phonemize(text: str | list[str], language: str = "en-us") -> str | list[str]:
    """IPA phonemes from espeak-ng (through phonemizer), for languages and models beyond SV2TTS."""
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    try:
        EspeakWrapper.library()
    except RuntimeError:
        raise InputError("espeak-ng is not installed: run `apt-get install espeak-ng` (Debian/Ubuntu)") from None
    languages = EspeakBackend.supported_languages()
    if language not in languages:
        raise InputError(
            f"language {language!r} is not supported by espeak-ng here; use one of: "
            f"{', '.join(sorted(languages)[:40])}, ..."
        )
    backend = EspeakBackend(language, preserve_punctuation=True, with_stress=False)
    lines = [text] if isinstance(text, str) else list(text)
    phonemes = [p.strip() for p in backend.phonemize(lines, strip=True)]
    return phonemes[0] if isinstance(text, str) else phonemes


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_text(text: str, max_chars: int = 150) -> list[str]:
    """Chunks of whole sentences, each at most `max_chars` long where possible.

    Lines are never joined (RTVC synthesizes each line of its prompt separately); sentences on a line
    are grouped while they fit, and a sentence that alone is too long is broken at commas, then spaces.
    Tacotron was trained on utterances of at most ~11 s, so long inputs lose their alignment.
    """
    chunks = []
    for line in text.splitlines():
        sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
        chunks += _pack([piece for s in sentences for piece in _fit(s, max_chars)], max_chars)
    return chunks


def split_for_streaming(text: str, first_chars: int = 16, growth: float = 3.0, max_chars: int = 150) -> list[str]:
    """`split_text`, with the first chunks cut short: at most `first_chars`, then `growth` times the
    length of the piece before, until pieces are whole chunks again.

    The first piece decides how soon audio starts playing; each later one only has to be made
    while the one before plays (Tacotron + HiFi-GAN take about a quarter of the audio's duration),
    so pieces may grow about that fast without a gap. Cuts fall after a clause where one fits,
    else between words.
    """
    pieces: list[str] = []
    limit = first_chars
    for chunk in split_text(text, max_chars):
        while limit < max_chars and len(chunk) > limit:
            head = _fit(chunk, limit)
            if len(head) == 1:  # one word longer than the limit
                break
            pieces.append(head[0])
            chunk = " ".join(head[1:])
            limit = max(limit, int(len(head[0]) * growth))
        pieces.append(chunk)
        limit = max(limit, int(len(chunk) * growth))
    return pieces


def _fit(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    clauses = _CLAUSE_END.split(sentence)
    if len(clauses) > 1:
        return _pack([piece for clause in clauses for piece in _fit(clause, max_chars)], max_chars)
    return _pack(sentence.split(), max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces with spaces while the result stays within `max_chars`."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks
