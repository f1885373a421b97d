"""Text -> espeak-ng IPA phonemes -> the ids a Piper voice reads, as Piper's own front end makes them."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from core.errors import InputError

from ..text.languages import language_family
from ..text.line_ends import lines_ended
from ..text.pictographs import SAID_PICTOGRAPH_RE
from ..text.splitting import SENTENCE_END, paragraphs
from ..text.spoken import spoken_english
from .config import BOS, EOS, PAD, PiperConfig

PUNCTUATION = ';:,.!?¡¿—–…"«»“”()'
DECIMAL_MARKS = ".,"
"""Marks that are part of what they stand in, between two letters or digits ("3.14", "1,5", "www.example.com",
"john.doe@example.com"), not punctuation: espeak-ng says "dot" there, where a clause's end would be a pause."""
MARKS = re.compile(
    r"(?:\s*(?:[{}]|(?<!\w)[{}]|[{}](?!\w))+\s*)+".format(
        re.escape("".join(m for m in PUNCTUATION if m not in DECIMAL_MARKS)),
        re.escape(DECIMAL_MARKS),
        re.escape(DECIMAL_MARKS),
    )
)
"""A run of punctuation marks and the spaces around them: where a sentence is cut into clauses."""
TYPED_DASH = re.compile(r"(?<=\S)[ \t]+-{1,2}(?:[ \t]+|(?=\n)|$)|(?<=\w)--(?=\w)")
"""A hyphen between spaces on a line, or two between words: a dash typed on a keyboard ("I waited - then I left").
Not one that opens a line: that is a list's bullet (`lines_ended`), and read as a dash it would join the item to the
line before it, across a blank line too (a paragraph's pause lost)."""
MOST_WORDS_AT_ONCE = 40
"""A sentence longer than this many words is said in runs of at most this many (sentences), cut after its clauses'
marks where it has them: the voice's memory grows with what it says at once (`voxlip say` of one sentence of 39, 75
and 147 words peaked at 582 MB, 0.86 and 1.26 GB), and a text without full stops would otherwise be one sentence."""
PHRASE_STARTS = frozenset(
    "and but or nor so yet because although though while whereas when whenever where wherever which who whom whose "
    "that if unless until since after before then".split()
)
"""Words a long sentence without marks is best cut before (a phrase starts there)."""
LEADING_WORDS = frozenset(
    "the a an of to in on at by for from with into onto over under about my your his her its our their this these "
    "those some every no not very is are was were be been".split()
)
"""Words a run should not end with: they lead into the word after them."""
STAND_INS = {"—": ",", "–": ",", "…": ",", "“": "", "”": "", "«": "", "»": ""}
"""Typographic marks espeak-ng passes through, for a voice with no symbol of its own for them (Piper's English
voices have none): dashes (em, en, and a hyphen typed for one: `TYPED_DASH`) and ellipses are read as the pause a
comma makes, quotation marks left out without a note. Five sentences with them (joe, pocketsphinx WER against the
words): marks left out 0.24; as here 0.18; ellipsis as a full stop 0.20; quotation marks as '"' 0.38."""
LEFT_OUT = frozenset('"')
"""Marks left out though the voice has a symbol for them: a straight double quotation mark, as curly ones are
(`STAND_INS`). Given to the model, '"Where are you going?" he asked.' scored DistillMOS 3.41 against 3.78 curly and
pocketsphinx WER 13/44 against 5/44 (4 LibriSpeech speakers, cloned)."""


@dataclass(frozen=True)
class Phonemized:
    """One sentence: its phonemes (one codepoint each, NFD) and the ids, padded as the voice was trained."""

    phonemes: tuple[str, ...]
    ids: tuple[int, ...]
    skipped: frozenset[str] = frozenset()
    """Phonemes the voice has no symbol for (left out)."""


def espeak_knows(language: str) -> bool:
    """Whether espeak-ng has a voice of `language` (its family: "fr" for "fr_FR")."""
    from phonemizer.backend import EspeakBackend

    return language_family(language) in {language_family(known) for known in EspeakBackend.supported_languages()}


class Phonemizer:
    """espeak-ng through phonemizer, with stress marks and punctuation kept, for one espeak voice. Its espeak-ng
    reads one text at a time: threads sharing it (the demo's jobs, one Pipeline) take turns."""

    def __init__(self, espeak_voice: str):
        self.english = language_family(espeak_voice) == "en"
        self._turn = threading.Lock()
        from phonemizer.backend import EspeakBackend
        from phonemizer.backend.espeak.wrapper import EspeakWrapper

        try:
            self.backend = EspeakBackend(
                espeak_voice, with_stress=True, language_switch="remove-flags", logger=_quiet_logger()
            )
        except RuntimeError as e:
            if "language" in str(e).lower():
                known = ", ".join(sorted(EspeakBackend.supported_languages())[:12])
                raise InputError(
                    f"espeak-ng has no voice {espeak_voice!r} ({known}, ... are some it has): "
                    "choose a Piper voice of a language espeak-ng speaks"
                ) from None
            raise InputError(
                f"espeak-ng could not start ({e}); install it with `apt-get install espeak-ng` "
                f"(library looked for: {EspeakWrapper.library() or 'none'})"
            ) from None

    def sentences(self, text: str) -> list[str]:
        """The IPA of each sentence of `text`, its paragraphs' (`paragraphs`) one after another."""
        return [sentence for paragraph in self.paragraphs(text) for sentence in paragraph]

    def paragraphs(self, text: str) -> list[list[str]]:
        """The IPA of each sentence of each paragraph of `text` (`said_paragraphs` without the words)."""
        return [[ipa for ipa, _ in paragraph] for paragraph in self.said_paragraphs(text)]

    def said_paragraphs(self, text: str) -> list[list[tuple[str, str]]]:
        """(IPA, words as said) of each sentence of each paragraph of `text` (voice.text.splitting.paragraphs; empty
        sentences dropped; a long one in runs, MOST_WORDS_AT_ONCE), its punctuation kept between the words; the words
        name a sentence in messages.

        A line that ends without a mark ends as a sentence where the next starts anew (`lines_ended`: a title, a list's
        item, a line of a poem). English is first written as it is said (`spoken_english`: money, titles, short forms).
        Each clause is then read by espeak-ng on its own and the marks put back between them, as phonemizer's own
        preserve_punctuation does, but cut where the marks are: phonemizer 3.4 cuts at the first "." of the sentence, so
        that "It costs $19.99." would be read "dollar nineteen. ninety nine".
        """
        text = TYPED_DASH.sub(" — ", lines_ended(text))
        if self.english:
            text = spoken_english(text)
        else:  # a heart or a star check_text kept for English words
            text = SAID_PICTOGRAPH_RE.sub("", text)
        found = [
            [
                run
                for piece in SENTENCE_END.split(paragraph)
                if piece.strip()
                for run in runs_of_words(clauses(piece), MOST_WORDS_AT_ONCE)
            ]
            for paragraph in paragraphs(text) or [text]
        ]
        words = [clause for sentences in found for sentence in sentences for clause, _ in sentence if clause]
        with self._turn:
            said = iter(self.backend.phonemize(words, strip=True, njobs=1) if words else [])
        return [
            [
                (
                    "".join((next(said) if clause else "") + marks for clause, marks in sentence).strip(),
                    " ".join(filter(None, (f"{clause}{marks}".strip() for clause, marks in sentence))),
                )
                for sentence in sentences
            ]
            for sentences in found
        ]


def clauses(sentence: str) -> list[tuple[str, str]]:
    """(words, the punctuation after them) of each clause of `sentence`, in order, spaces collapsed; the first
    words are "" when the sentence opens with a mark."""
    found, start = [], 0
    for mark in MARKS.finditer(sentence):
        found.append((" ".join(sentence[start : mark.start()].split()), re.sub(r"\s+", " ", mark.group())))
        start = mark.end()
    words = " ".join(sentence[start:].split())
    if words:
        found.append((words, ""))
    return found


def runs_of_words(sentence: list[tuple[str, str]], most_words: int) -> list[list[tuple[str, str]]]:
    """A sentence's (words, marks) clauses (`clauses`) in runs of at most `most_words` words: whole clauses where
    they fit, and a clause longer than that alone cut into runs of about equal length between its words (`_cuts`)."""
    runs: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    count = 0
    for words, marks in sentence:
        split = words.split()
        if count + len(split) > most_words and current:
            runs.append(current)
            current, count = [], 0
        if len(split) > most_words:
            bounds = _cuts(split, most_words)
            pieces = [" ".join(split[a:b]) for a, b in zip(bounds, bounds[1:])]
            runs += [[(piece, "")] for piece in pieces[:-1]]
            words, split = pieces[-1], pieces[-1].split()
        current.append((words, marks))
        count += len(split)
    return runs + [current] if current else runs


def _cuts(words: list[str], most_words: int) -> list[int]:
    """Where runs of at most `most_words` of `words` begin, and its length: runs of about three quarters of that, each
    cut within a quarter of a run of where equal runs would cut, before a word that begins a phrase ("and", "which")
    if one is there, else not after one that leads into the next ("the", "of"), which would say "the smell of | fresh
    bread" with a sentence's pause."""
    parts = -(-len(words) // max(1, most_words * 3 // 4))  # room to move each cut
    cuts = [0]
    for k in range(1, parts):
        ideal = len(words) * k // parts
        reach = max(1, len(words) // parts // 4)
        lowest = max(cuts[-1] + 1, ideal - reach, len(words) - most_words * (parts - k))
        highest = min(cuts[-1] + most_words, ideal + reach)
        candidates = range(lowest, highest + 1) if lowest <= highest else [ideal]
        cuts.append(min(candidates, key=lambda at: (_cut_cost(words, at), abs(at - ideal))))
    return cuts + [len(words)]


def _cut_cost(words: list[str], at: int) -> int:
    """0 before a word that begins a phrase, 2 after a word that leads into the next, else 1."""
    if words[at].lower() in PHRASE_STARTS:
        return 0
    return 2 if words[at - 1].lower() in LEADING_WORDS else 1


def _quiet_logger():
    """phonemizer warns on every sentence whose punctuation it re-inserted; voxlip reports what matters itself."""
    import logging

    logger = logging.getLogger("voxlip.phonemizer")
    logger.setLevel(logging.ERROR)
    return logger


def phoneme_ids(ipa: str, config: PiperConfig) -> Phonemized:
    """Piper's id layout: BOS, then each phoneme's ids each followed by PAD, then EOS."""
    table = config.phoneme_ids
    phonemes = tuple(unicodedata.normalize("NFD", ipa))
    ids: list[int] = [*table[BOS], *table[PAD]]
    kept, skipped = [], set()
    for phoneme in phonemes:
        if phoneme in LEFT_OUT:
            continue
        if phoneme not in table:
            phoneme = STAND_INS.get(phoneme, phoneme)
            if not phoneme:
                continue
        if phoneme not in table:
            skipped.add(phoneme)
            continue
        kept.append(phoneme)
        ids += [*table[phoneme], *table[PAD]]
    ids += table[EOS]
    return Phonemized(tuple(kept), tuple(ids), frozenset(skipped))
