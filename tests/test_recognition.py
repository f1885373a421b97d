"""pocketsphinx: the word error rate voxlip measures intelligibility with, and the phones it hears."""

import numpy as np
import pytest

from voice.audio import load_audio
from voice.intelligibility import normalize_words, word_error_rate, word_errors

SPEAKER = "163-121908-0000"


@pytest.fixture(scope="module")
def references(speech_files):
    path = next((p for p in speech_files if p.stem == SPEAKER), None)
    if path is None:
        pytest.skip(f"{SPEAKER}.flac is not in the shared LibriSpeech folder")
    return {SPEAKER: load_audio(path)}


def test_word_error_rate_counts_edits_over_reference_words():
    assert normalize_words("It's 5 o'clock, Dr. Smith!") == ["it's", "five", "o'clock", "doctor", "smith"]
    assert word_errors("the cat sat on the mat", "the cat sat on mat") == (1, 6)
    assert word_errors("a b c", "x a b c y") == (2, 3)
    assert word_error_rate(["a b", "c d"], ["a b", "c e"]) == 0.25


def test_heard_phones_are_words_aligned_in_time(references):
    pytest.importorskip("pocketsphinx", reason="pocketsphinx recognises and aligns the reference's words")
    from voice.recognition import hear_phones

    wave = references["163-121908-0000"]
    heard = hear_phones(wave)
    assert len(heard.text.split()) >= 10
    starts = [start for _, start, _ in heard.phones]
    assert starts == sorted(starts) and all(end > start for _, start, end in heard.phones)
    assert heard.phones[-1][2] <= len(wave) / 16_000 + 0.02
    assert {"SIL", "AH", "T"} <= {name for name, _, _ in heard.phones}
    assert hear_phones(np.zeros(16_000, dtype=np.float32)).phones == ()


def test_hear_phones_aligns_a_long_recording_phrase_by_phrase(speech_files):
    """pocketsphinx fails to phone-align this recording in one piece; phrase by phrase it covers most of it."""
    from voice.recognition import hear_phones

    path = next((p for p in speech_files if p.stem == "200-124139-0000"), None)
    if path is None:
        pytest.skip("200-124139-0000.flac is not in the shared LibriSpeech folder")
    wave = load_audio(path)
    heard = hear_phones(wave)
    spoken = sum(end - start for name, start, end in heard.phones if name != "SIL")
    assert len(heard.phones) > 100 and spoken > 0.5 * len(wave) / 16_000
    starts = [start for _, start, _ in heard.phones]
    assert starts == sorted(starts) and all(end > start for _, start, end in heard.phones)
