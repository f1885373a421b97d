"""The text's script and language against the voice's: notes or a refusal for text an English voice cannot read
(`check_script`, `checked_text`, `other_language`)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from core.errors import InputError

from .checks import check_text
from .pictographs import EMOJI_MODIFIERS, PICTOGRAPH
from .written_forms import CURRENCY_SIGNS

if TYPE_CHECKING:
    from collections.abc import Callable


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
    f"\u2800-\u28ff\u3190-\ua4c6{CURRENCY_SIGNS}{PICTOGRAPH}{EMOJI_MODIFIERS}]"
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
