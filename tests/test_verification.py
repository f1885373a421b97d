import numpy as np
import pytest
import scipy.io.wavfile

from core.errors import InputError
from voice.encoder import load_encoder
from voice.verification import equal_error_rate, half_split_trials


def test_equal_error_rate_on_known_scores():
    assert equal_error_rate(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == (0.0, 0.8)
    eer, _ = equal_error_rate(np.array([0.9, 0.3, 0.8, 0.7]), np.array([0.1, 0.2, 0.85, 0.4]))
    assert eer == 0.25


def test_librispeech_equal_error_rate_is_under_ten_percent(speech_files):
    result = half_split_trials(speech_files, load_encoder("resemblyzer"))
    print(result.summary())
    assert len(result.speakers) >= 38
    assert result.eer < 0.10
    assert result.same_scores.mean() > 0.85 and result.different_scores.mean() < 0.65


def test_fewer_than_two_usable_speakers_is_an_input_error_naming_the_skipped(tmp_path):
    broken, quiet = tmp_path / "broken.wav", tmp_path / "quiet.wav"
    broken.write_bytes(b"not audio")
    scipy.io.wavfile.write(quiet, 16_000, np.zeros(16_000, np.float32))

    class NoSpeech:
        def embed_utterance(self, wave, source_sr=None):
            raise InputError("the recording is silent")

    with pytest.raises(InputError, match=r"need at least 2 speakers .* found 0; skipped: broken.wav: .*quiet.wav: the"):
        half_split_trials([broken, quiet], NoSpeech())
