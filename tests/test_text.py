import json
import shutil

import pytest

from core.errors import InputError
from voice.text import (
    EOS_ID,
    SYMBOLS,
    english_cleaners,
    is_pronounceable,
    phonemize,
    sequence_to_text,
    text_to_sequence,
)


@pytest.fixture(scope="module")
def rtvc_text(shared_dir):
    return json.loads((shared_dir / "compat" / "cases" / "rtvc_text.json").read_text())


def test_symbol_table_is_sv2tts(rtvc_text):
    assert list(SYMBOLS) == rtvc_text["symbols"]


def test_text_to_sequence_reproduces_rtvc_exactly(rtvc_text):
    for case in rtvc_text["cases"]:
        assert english_cleaners(case["text"]) == case["cleaned"]
        assert text_to_sequence(case["text"]) == case["ids"]
        assert sequence_to_text(case["ids"]) == case["decoded"]


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("It cost $1.", "it cost one dollar."),
        ("$0.07", "seven cents"),
        ("In 2005 and 1900, 3.14", "in two thousand five and nineteen hundred, three point fourteen"),
        ("The 2nd of 3", "the second of three"),
        ("Capt. Hook, Ltd.", "captain hook, limited"),
        ("naïve café — “quoted”", 'naive cafe -- "quoted"'),
    ],
)
def test_english_cleaners(text, cleaned):
    assert english_cleaners(text) == cleaned


def test_unsupported_characters_are_dropped_and_eos_kept():
    assert text_to_sequence("😀") == [EOS_ID]
    assert not is_pronounceable("😀 !!")
    assert is_pronounceable("42")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_phonemize_with_espeak():
    assert phonemize("hello world") == "həloʊ wɜːld"
    assert phonemize(["bonjour"], language="fr-fr") == ["bɔ̃ʒuʁ"]
    with pytest.raises(InputError, match="not supported by espeak-ng"):
        phonemize("hi", language="xx-nowhere")
