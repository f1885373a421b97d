import gradio as gr
import pytest

import app
from voice.encoder import load_encoder


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("resemblyzer")


def test_demo_builds_with_a_compare_endpoint(encoder):
    demo = app.build_demo(encoder)
    assert isinstance(demo, gr.Blocks)
    assert any(getattr(fn, "api_name", None) == "compare" for fn in demo.fns.values())


def test_compare_reports_score_verdict_and_component(encoder, speech_files):
    text = app.compare_voices(encoder, str(speech_files[0]), str(speech_files[0]))
    assert "Cosine similarity 1.000: the same speaker" in text
    assert "resemblyzer" in text and "offline" in text


@pytest.mark.parametrize("second", [None, "/no/such/file.wav"])
def test_bad_input_becomes_a_page_message(encoder, speech_files, second):
    with pytest.raises(gr.Error):
        app.compare_voices(encoder, str(speech_files[0]), second)
