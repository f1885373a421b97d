"""Text cut into paragraphs, sentences and chunks a voice says at once (`split_text`), and into pieces that grow for
streaming (`split_for_streaming`)."""

from __future__ import annotations

import re

from .checks import is_pronounceable
from .line_ends import lines_ended
from .short_forms import TITLES

_NOT_AFTER_A_SHORT_FORM = "".join(rf"(?<!\b{short}\.)" for short in (*TITLES, "[A-Z]", r"[ap]\.m", r"e\.g", r"i\.e"))
"""Not right after a title, an initial or a short form, whose full stop does not end the sentence."""
SENTENCE_END = re.compile(r"(?<=[.!?])" + _NOT_AFTER_A_SHORT_FORM + r"\s+")
"""Where text is cut into sentences: after . ! or ?, but not after "Dr." or "J." ("Dr. Smith", "J. K. Rowling")."""
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
_WORD_BREAK = re.compile(_NOT_AFTER_A_SHORT_FORM + r"\s+(?![ap]\.m\.)")
"""Between words, but not inside "Dr. Smith" or "5 p.m."."""
_INNER_MARK = re.compile(r"(?<=\w)(?=[/?&=#_-]+\w)(?!-+\d)")
"""Inside a word, before the marks of a web address, a path or a compound ("example.com|/a|/b?x|=1", "state|-of|-the"):
a word longer than any word is cut there first, each piece said as the whole word says it (not after "https:", which
says nothing; not before a hyphen and a figure, which a piece would begin with as "minus": "2024-01-15")."""
_INNER_DOT = re.compile(r"(?<=\w)(?=\.\w)")
"""Inside a word, before a dot: where a part of a long word longer than LONGEST_WORD is cut next. Before it, so no
piece ends in a full stop (a sentence's end, said alone)."""
LONGEST_WORD = 45
"""Letters of the longest English word ("pneumonoultramicroscopicsilicovolcanoconiosis"): a part of a word between
its marks up to this long is said whole, never cut, as cutting it changes how it is said ("Internationaliza|tion":
"... tee on"; "https://example|.com": "example com", the "dot" of an address lost); a longer one is no word."""


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
    are grouped while they fit, and a sentence that alone is too long is broken at commas, then spaces, then inside a
    long word (`_word_pieces`).
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
    else between words, else inside a long word (`_word_pieces`: a web address at its marks). Each piece is said
    alone, so a line that ends without a mark ends as a sentence where the whole text shows it does (`lines_ended`, as
    the voices read the text said at once), so a list's items do not run on.
    """
    pieces: list[str] = []
    limit = first_chars
    for chunk in split_text(lines_ended(text), max_chars):
        end = PARAGRAPH_END if chunk.endswith(PARAGRAPH_END) else ""
        chunk = chunk.removesuffix(end)
        while limit < max_chars and len(chunk) > limit:
            head = _fit(chunk, limit)
            if len(head) == 1:  # one word longer than the limit, said whole (LONGEST_WORD)
                break
            pieces.append(head[0])
            chunk = _after(chunk, head[0])
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
    return _pack(
        [piece for word in _WORD_BREAK.split(text.strip()) for piece in _word_pieces(word, max_chars)], max_chars
    )


def _word_pieces(word: str, max_chars: int) -> list[str]:
    """`word` in pieces that, put together without spaces, are the word, each at most `max_chars` where it can be cut:
    before its marks (`_INNER_MARK`); a part between them longer than any word (LONGEST_WORD) then before its dots
    (`_INNER_DOT`), then every `max_chars` letters. A word up to LONGEST_WORD long (an e-mail address, a compound, a
    date and time: said otherwise in pieces, "mary.jones@my | -company.org" losing its "dot"), or that fits, stays
    whole."""
    parts = _INNER_MARK.split(word) if len(word) > max(max_chars, LONGEST_WORD) else [word]
    parts = [piece for part in parts for piece in (_INNER_DOT.split(part) if len(part) > LONGEST_WORD else [part])]
    return _pack([piece for part in parts for piece in _letters(part, max_chars)], max_chars, glue="")


def _letters(part: str, max_chars: int) -> list[str]:
    """`part` cut every `max_chars` letters where it is longer than any word (LONGEST_WORD), else whole."""
    if len(part) <= LONGEST_WORD:
        return [part]
    return [part[start : start + max_chars] for start in range(0, len(part), max_chars)]


def _after(text: str, head: str) -> str:
    """What follows `head`, the first piece `_fit` cut from `text`, in `text` (`_fit` changes only its spaces)."""
    end, letters = 0, len("".join(head.split()))
    while letters:
        letters -= not text[end].isspace()
        end += 1
    return text[end:].lstrip()


def _pack(pieces: list[str], max_chars: int, glue: str = " ") -> list[str]:
    """Join consecutive pieces with `glue` while the result stays within `max_chars`."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(glue) + len(piece) <= max_chars:
            chunks[-1] += glue + piece
        else:
            chunks.append(piece)
    return chunks
