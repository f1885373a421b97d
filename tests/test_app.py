"""The demo's handlers, and the whole page driven in a real (headless) Chromium."""

import asyncio
import inspect
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import gradio as gr
import pytest

import app
from lipsync.engine import check_face
from pipeline import Pipeline
from pipeline.examples import make_examples

REPO = Path(__file__).resolve().parents[1]
AUDIO_INPUT = "input[type=file][accept*='audio']"
FACE_INPUT = "input[type=file][accept*='image']"
LONG_TEXT = " ".join(f"Sentence number {n} is said slowly and clearly by the cloned voice." for n in range(1, 30))


class _Reports:
    """A stand-in for gr.Progress: what a handler reports, and an event at its first report of a stage's steps."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.first_step = threading.Event()

    def __call__(self, value, desc=None, **_):
        self.calls.append((value, desc))
        if isinstance(value, tuple):
            self.first_step.set()

    def steps(self, stage: str) -> list[tuple[int, int]]:
        """The (done, total) reported by the stage whose description begins with `stage`."""
        return [value for value, desc in self.calls if isinstance(value, tuple) and desc.startswith(stage)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return app.Demo(Pipeline("cpu", synthesizer="offline", lipsync="offline"), tmp_path_factory.mktemp("demo"))


def test_page_builds_with_every_endpoint_and_its_examples(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))  # where the page keeps its examples' copies
    examples = make_examples(tmp_path)
    check_face(examples.face)  # the drawn face is one MediaPipe finds (or this raises)
    assert demo.pipeline.encoder.preprocess(examples.voice).size > 16000
    page = app.build_demo(demo, examples)
    names = {getattr(fn, "api_name", None) for fn in page.fns.values()}
    work = {"text_to_clip", "voice", "lipsync", "convert", "compare"}
    assert work <= names
    groups = {fn.api_name: fn.concurrency_id for fn in page.fns.values() if getattr(fn, "api_name", None) in work}
    assert {groups[name] for name in work - {"compare"}} == {app.WORK}  # one --concurrency (it had been one each)
    assert groups["compare"] != app.WORK  # a compare (under a second) had waited behind every long job queued
    modes = {fn.trigger_mode for fn in page.fns.values() if getattr(fn, "api_name", None) in work}
    assert modes == {"always_last"}  # a click while busy had been dropped, the first result left under new text
    webcam_to_face = [
        fn
        for fn in page.fns.values()
        if [type(b) for b in fn.inputs] == [gr.Image]
        and fn.inputs[0].sources == ["webcam"]
        and [type(b) for b in fn.outputs] == [gr.File]
    ]
    assert len(webcam_to_face) == 2, "both face inputs take a webcam photo"
    datasets = [block for block in page.blocks.values() if isinstance(block, gr.Dataset)]
    assert len(datasets) == 3
    for dataset in datasets:  # the Voice tab's example had been said to hold a drawn face
        shows_a_face = any(header.startswith(app.FACE) for header in dataset.headers)
        assert ("face" in dataset.label) == shows_a_face, (dataset.label, dataset.headers)


def _voice_inputs(page: gr.Blocks) -> list:
    """The page's inputs of a voice or speech: those the handlers take recordings from."""
    inputs = {getattr(fn, "api_name", None): fn.inputs for fn in page.fns.values()}
    return [
        inputs["text_to_clip"][0],
        inputs["voice"][0],
        inputs["lipsync"][1],
        *inputs["convert"][:2],
        *inputs["compare"],
    ]


def _recorded_webm(speech: Path, folder: Path) -> Path:
    """What a browser's recorder makes: Opus in WebM, sound only."""
    from core.ffmpeg import run

    webm = folder / "recorded.webm"
    run(["-i", str(speech), "-t", "6", "-c:a", "libopus", "-vn", str(webm)], "make a WebM recording")
    return webm


def test_every_voice_input_takes_a_browser_recording_and_a_video(demo, speech_files, faces_dir, tmp_path):
    """gr.Audio's upload had refused a .webm (browsers call it video/webm) and any video, which the pipeline takes."""
    from gradio_client.utils import is_valid_file

    page = app.build_demo(demo)
    for box in _voice_inputs(page):
        assert isinstance(box, gr.File), box.label
        assert all(is_valid_file(name, box.file_types) for name in ("a.webm", "a.mp4", "a.m4a", "a.flac", "a.wav"))
    microphone_to_voice = [
        fn
        for fn in page.fns.values()
        if [type(b) for b in fn.inputs] == [gr.Audio]
        and fn.inputs[0].sources == ["microphone"]
        and fn.outputs[0] in _voice_inputs(page)
    ]
    assert len(microphone_to_voice) == 7, "every voice input takes a microphone recording"
    webm = _recorded_webm(speech_files[0], tmp_path)
    path, _, _ = demo.voice(str(webm), "Hello there.", 1, True)
    assert Path(path).is_file()
    assert "Cosine similarity" in demo.compare(str(faces_dir / "talking_man_25fps.mp4"), str(webm))


def test_page_messages_stay_and_name_uploads_as_the_user_named_them(demo, tmp_path):
    upload = tmp_path / "gradio" / "0123abcd" / "notes.wav"  # where the server keeps an upload
    upload.parent.mkdir(parents=True)
    upload.write_text("not a recording")
    with pytest.raises(gr.Error) as refused:
        demo.voice(str(upload), "Hello.", None, True)
    assert "Could not read notes.wav" in refused.value.message and str(tmp_path) not in refused.value.message
    assert "Invalid data" not in refused.value.message and "(" not in refused.value.message  # no ffmpeg's words
    assert refused.value.duration is None and not refused.value.print_exception


def test_page_messages_speak_of_the_page_not_of_the_command_line(demo, speech_files):
    """Text in another script had been sent to --synthesizer/--base-voice/--language, a missing checkpoint to the
    server's cache path: neither is the page user's to use."""
    with pytest.raises(gr.Error) as refused:
        demo.voice(str(speech_files[0]), "你好，世界。今天天气很好。", None, True)
    message = refused.value.message
    assert "for another language, this demo would need a Piper voice of it" in message
    assert "--synthesizer" not in message
    with pytest.raises(gr.Error) as refused:
        demo.voice(str(speech_files[0]), "Hello.", None, True, "sv2tts")
    message = refused.value.message
    assert message.startswith("This demo's server does not have the rtvc-synthesizer checkpoint: choose auto")
    assert "/.cache/" not in message
    assert app._for_the_page("(at most 1920 pixels; --max-size raises the limit)") == "(at most 1920 pixels)"
    assert app._for_the_page("(pitch); fetch openvoice-v2 for neural conversion") == (
        "(pitch); whoever runs the demo can fetch openvoice-v2 for neural conversion"
    )
    from core.errors import VoxlipError
    from core.seeds import checked_seed

    with pytest.raises(VoxlipError) as refused:  # the page's random seed is -1, not Python's None
        checked_seed(2**40)
    assert app._for_the_page(str(refused.value)).endswith("or -1 for a different result each time")
    music = "give a recording of speech (your own samples: pass them through mark_audio() first)"
    assert app._for_the_page(music).endswith("give a recording of speech")  # had named a Python function


def test_pipeline_messages_begin_with_a_capital_as_the_page_s_own(demo, speech_files):
    """The pipeline's messages had begun in lower case ("the text is empty: ...") beside the page's capitalised ones."""
    with pytest.raises(gr.Error) as refused:
        demo.voice(str(speech_files[0]), "<b></b>", None, True)
    assert refused.value.message.startswith("The text is empty"), refused.value.message
    assert app._sentence("notes.wav is a directory", ["notes.wav"]) == "notes.wav is a directory"
    assert app._sentence("ffmpeg could not write", []) == "ffmpeg could not write"


def test_consent_and_missing_inputs_are_page_messages(demo, speech_files):
    with pytest.raises(gr.Error, match="consent"):
        demo.voice(str(speech_files[0]), "Hello.", None, False)
    with pytest.raises(gr.Error) as refused:
        demo.voice(None, "Hello.", None, True)
    assert refused.value.message.endswith(": Voice to clone is empty.")  # nothing was uploaded: no size blamed
    with pytest.raises(gr.Error, match="at most|up to"):
        demo.voice(str(speech_files[0]), "x" * (app.MAX_TEXT + 1), None, True)


def test_a_seed_is_a_whole_number_in_range_and_a_refusal_quotes_what_was_typed(demo):
    """99999999999999999999 had been quoted rounded (100000000000000000000) and 3.7 taken silently as 4."""
    assert [app._seed(typed) for typed in ("-1", "", None, " 42 ", 7, -1.0, "4294967295")] == [
        None,
        None,
        None,
        42,
        7,
        None,
        4294967295,
    ]
    for typed in ("99999999999999999999", "3.7", "-2", "abc", "nan", "inf", "4294967296"):
        with pytest.raises(gr.Error) as refused:
            app._seed(typed)
        assert refused.value.message == (
            f"Seed {typed}: give a whole number from 0 to 4294967295, or -1 for a different result each time."
        )
    page = app.build_demo(demo)
    seeds = [fn.inputs[2] for fn in page.fns.values() if getattr(fn, "api_name", None) in {"voice", "convert"}]
    assert seeds and all("0 to 4294967295" in box.info for box in seeds)


def test_an_empty_input_is_named_and_so_is_a_file_the_browser_did_not_take(demo, speech_files, faces_dir):
    """Text to clip and Lip-sync had said "Give a voice recording and a face" whichever was missing, and every tab had
    blamed the 50 MB limit, also when nothing was uploaded or the browser had refused the file's type."""
    voice, face = str(speech_files[0]), str(faces_dir / "painting_pearl_earring.jpg")
    for call, named in [
        (lambda: demo.text_to_clip(voice, None, "Hi.", None, True), ": Face is empty."),
        (lambda: demo.text_to_clip(None, face, "Hi.", None, True), ": Voice to clone is empty."),
        (lambda: demo.text_to_clip(None, None, "Hi.", None, True), ": Voice to clone and Face are empty."),
        (lambda: demo.lipsync(face, None, True), ": Speech is empty."),
        (lambda: demo.lipsync(None, voice, True), ": Face is empty."),
        (lambda: demo.convert(voice, None, None, True), ": Speech to say in that voice is empty."),
    ]:
        with pytest.raises(gr.Error) as refused:
            call()
        assert refused.value.message.endswith(named) and "MB" not in refused.value.message, refused.value.message
    browser_said = "Invalid file type: painting_mona_lisa.jpg. Only audio, video allowed."
    with pytest.raises(gr.Error) as refused:
        app._given("voice", {app.REFERENCE: None}, browser_said)
    assert refused.value.message.endswith(
        "Voice to clone is empty. The page did not take painting_mona_lisa.jpg: that box takes a recording or a video."
    )
    with pytest.raises(gr.Error) as refused:
        app._given(
            "lipsync",
            {app.FACE: None, app.SPEECH: voice},
            'File(s) exceed the maximum allowed size of 50 MB: "long.mp4"',
        )
    assert refused.value.message.endswith(
        "Face is empty. The page did not take long.mp4: an upload over 50 MB is not taken; a shorter recording or "
        "video will do."
    )


def test_voice_handler_names_its_components(demo, speech_files):
    path, details, _ = demo.voice(str(speech_files[0]), "Hello there.", 1, True)
    assert Path(path).is_file() and Path(path + ".provenance.json").is_file()
    assert re.fullmatch(r"voxlip-voice-\d{8}-\d{6}\.wav", Path(path).name)  # downloads told apart by their time
    assert (
        "offline fallbacks for the voice conversion" in details and "piper-joe" in details and "resemblyzer" in details
    )


def test_a_reference_with_no_voice_heard_is_not_said_to_be_converted_toward(demo, tmp_path):
    """A tone as the reference had been headed "Made with offline fallbacks for the voice conversion", its component
    "toward the reference (pitch, formants, timbre)", over speech whose timbre alone was moved."""
    import numpy as np
    import soundfile

    tone = tmp_path / "tone.wav"
    soundfile.write(tone, 0.3 * np.sin(2 * np.pi * 440 * np.arange(4 * 16_000) / 16_000), 16_000)
    _, details, _ = demo.voice(str(tone), "Hello there.", 1, True)
    assert details.startswith(f"**Made with {app.TIMBRE_ONLY}**"), details.splitlines()[0]
    assert "pitch, formants" not in details and "timbre only" in details


def test_the_base_voice_unconverted_is_not_said_to_be_made_by_neural_models(demo, speech_files):
    """With converter none, the details had begun "Made with neural models" over speech that is not the reference's."""
    _, details, _ = demo.voice(str(speech_files[0]), "Hello there.", 1, True, "auto", "auto", None, "none")
    headline = details.splitlines()[0]
    assert "neural models" not in headline and "the Piper base voice as it is, not in the reference's voice" in headline
    _, details, _ = demo.voice(str(speech_files[0]), "Hello there.", 1, True, "auto", "auto", None, "offline")
    assert details.startswith("**Made with offline fallbacks for the voice conversion")


def test_each_result_comes_with_its_provenance_record_to_download(demo, speech_files, tmp_path):
    """The record had stayed beside the server's copy: the page did not hand it out."""
    import json
    import shutil

    from pipeline.provenance import detect

    page = app.build_demo(demo)
    for fn in page.fns.values():
        if getattr(fn, "api_name", None) in {"text_to_clip", "voice", "lipsync", "convert"}:
            assert isinstance(fn.outputs[-1], gr.File) and "Provenance record" in fn.outputs[-1].label
    path, _, record = demo.voice(str(speech_files[0]), "Hello there.", 1, True)
    assert Path(record).name == Path(path).name + ".provenance.json"
    assert json.loads(Path(record).read_text())["output"]["file"] == Path(path).name
    kept = tmp_path / "downloads"  # both downloaded, under the names they have: voxlip detect reads the record
    kept.mkdir()
    shutil.copy(path, kept)
    shutil.copy(record, kept)
    assert detect(kept / Path(path).name).record_matches


def test_voice_components_are_chosen_per_request(demo, speech_files, tmp_path, monkeypatch):
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path / "empty-cache"))
    _, details, _ = demo.voice(str(speech_files[0]), "Hello there.", 1, True, "offline", "auto")
    assert "offline voice" in details
    with pytest.raises(gr.Error, match="voxlip fetch rtvc-synthesizer"):
        demo.voice(str(speech_files[0]), "Hello there.", 1, True, "sv2tts", "griffinlim")
    assert demo._pipeline_for("offline", "auto").encoder is demo.pipeline.encoder


def _offered(dropdown: gr.Dropdown) -> list[str]:
    return [value for _, value in dropdown.choices]


def test_the_voice_components_offered_are_those_on_this_server(demo, tmp_path, monkeypatch):
    """A synthesizer, vocoder or converter whose checkpoint the server lacks had been offered, and only failed after
    the click; it is left out, and its info says how whoever runs the demo gets it."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path / "cache"))
    inputs = {getattr(fn, "api_name", None): fn.inputs for fn in app.build_demo(demo).fns.values()}
    synthesizer, vocoder, converter = (inputs["voice"][i] for i in (4, 5, 7))
    assert _offered(synthesizer) == ["auto", "offline"]
    assert "not on this server: sv2tts (whoever runs the demo can run `voxlip fetch rtvc-synthesizer`)" in (
        synthesizer.info
    )
    assert not vocoder.visible, "its vocoders serve SV2TTS alone"
    assert _offered(converter) == ["auto", "offline", "none"] and "`voxlip fetch openvoice-v2`" in converter.info
    assert _offered(inputs["convert"][4]) == ["auto", "offline"]

    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "synthesizer.pt").touch()  # a fetched checkpoint is offered
    inputs = {getattr(fn, "api_name", None): fn.inputs for fn in app.build_demo(demo).fns.values()}
    synthesizer, vocoder = inputs["voice"][4], inputs["voice"][5]
    assert _offered(synthesizer) == ["auto", "sv2tts", "offline"] and "not on this server" not in synthesizer.info
    assert vocoder.visible and _offered(vocoder) == ["auto", "griffinlim"]
    assert "`voxlip fetch rtvc-vocoder hifigan-universal-v1`" in vocoder.info


def test_the_clip_and_convert_tabs_take_the_similarity_a_still_head_and_a_face_index(demo, speech_files, faces_dir):
    plain = demo._pipeline_for()
    default = plain.voice_settings.offline.similarity
    assert plain is demo.pipeline and demo._pipeline_for(similarity=default) is plain
    chosen = demo._pipeline_for(similarity=0.25, still=True)
    assert chosen.voice_settings.offline.similarity == 0.25 and chosen.lipsync_options.still
    assert not demo.pipeline.lipsync_options.still and chosen.encoder is demo.pipeline.encoder
    assert demo._pipeline_for(revoicing_similarity=2).voice_settings.offline.revoicing_similarity == 1.0
    assert (
        demo._pipeline_for(face_index=1).lipsync_options.face_index == 1
        and demo.pipeline.lipsync_options.face_index is None
    )
    photo = str(faces_dir / "painting_pearl_earring.jpg")
    path, details, _ = demo.text_to_clip(str(speech_files[0]), photo, "Hello there.", 1, True, 0.0, True)
    assert Path(path).is_file()
    assert details.startswith("**Made with the Piper base voice as it is, not in the reference's voice (similarity 0)")
    audio, _, details, _ = demo.convert(str(speech_files[0]), str(speech_files[1]), 1, True, None, 0.05)
    assert Path(audio).is_file()


def test_similarity_0_is_said_to_be_the_voice_as_it_was(demo, speech_files):
    """At similarity 0 the Voice and Convert tabs had said "Made with offline fallbacks for the voice conversion" over
    speech nobody converted, and sent the user to a command-line option (--similarity)."""
    _, details, _ = demo.voice(str(speech_files[0]), "Hello there.", 1, True, "auto", "auto", 0.0)
    headline = details.splitlines()[0]
    assert "the Piper base voice as it is, not in the reference's voice (similarity 0)" in headline, headline
    assert "voice conversion" not in details and "moved toward the reference by" not in details
    assert "a similarity above 0 (the Similarity slider) moves it" in details and "--" not in details


def test_the_convert_tab_offers_no_similarity_at_which_nothing_would_be_converted(demo, speech_files):
    """The Convert tab's slider went down to 0, where the recording came back as it was, only watermarked, yet was
    credited as re-voiced; it starts above 0, and a 0 sent to the demo's API is refused in the page's words."""
    similarity = {getattr(fn, "api_name", None): fn.inputs for fn in app.build_demo(demo).fns.values()}["convert"][5]
    assert isinstance(similarity, gr.Slider) and similarity.minimum == 0.05 and "from 0.05 to 1" in similarity.label
    with pytest.raises(gr.Error) as refused:
        demo.convert(str(speech_files[0]), str(speech_files[1]), 1, True, None, 0.0)
    message = refused.value.message
    assert message.startswith("A similarity of 0 would leave the recording as it is: nothing would be converted")
    assert "give a similarity above 0 (the Similarity slider)" in message and "--" not in message


def test_a_still_head_is_not_said_to_move(demo, speech_files, faces_dir):
    """With the head kept still, the details had still listed "offline blinks and head motion"."""
    photo = str(faces_dir / "painting_pearl_earring.jpg")
    _, details, _ = demo.lipsync(photo, str(speech_files[0]), True, True)
    assert "head motion" not in details and "face motion: offline blinks, the head kept still" in details


def test_a_result_s_details_name_the_files_it_was_made_from(demo, speech_files, faces_dir, tmp_path):
    """An input changed while its request ran left a result that did not say which files it was made of."""
    face = tmp_path / "upload-hash" / "my_face.jpg"  # gradio keeps an upload under the name it was given
    face.parent.mkdir()
    face.write_bytes((faces_dir / "painting_pearl_earring.jpg").read_bytes())
    _, details, _ = demo.lipsync(str(face), str(speech_files[0]), True)
    assert f"Made from {app.FACE}: `my_face.jpg`, {app.SPEECH}: `{speech_files[0].name}`" in details, details
    _, details, _ = demo.voice(str(speech_files[0]), "Hello.", None, True)
    assert f"Made from {app.REFERENCE}: `{speech_files[0].name}`" in details, details


def test_a_tiny_photo_is_said_to_be_scaled_to_the_size_of_the_clip(demo, speech_files, faces_dir, tmp_path):
    """A 100x118 photo had been said to be scaled up to 128x151 in a clip of 128x150 (H.264 keeps even sides)."""
    from PIL import Image

    from core.ffmpeg import probe

    photo = tmp_path / "tiny.jpg"
    Image.open(faces_dir / "painting_pearl_earring.jpg").resize((100, 118)).save(photo)
    path, details, _ = demo.lipsync(str(photo), str(speech_files[0]), True)
    clip = probe(path)
    assert (clip.width, clip.height) == (128, 150)
    assert "the face input is 100x118: its frames were scaled up to 128x150" in details


def test_convert_handler_re_voices_a_recording(demo, speech_files):
    with pytest.raises(gr.Error, match="Give the voice"):
        demo.convert(str(speech_files[0]), None, None, True)
    audio, video, details, _ = demo.convert(str(speech_files[0]), str(speech_files[1]), 1, True)
    assert Path(audio).is_file() and video is None
    assert "voice conversion: offline voice conversion" in details and "fetch openvoice-v2" in details


def test_compare_voices(demo, speech_files):
    assert "1.000: the same speaker" in demo.compare(str(speech_files[0]), str(speech_files[0]))


def test_the_compare_verdict_and_its_numbers_agree(demo, speech_files, monkeypatch):
    """0.70996 had read "0.710: different speakers - threshold 0.71"."""
    threshold = demo.pipeline.encoder.config.same_speaker_threshold
    monkeypatch.setattr(app, "similarity", lambda first, second: threshold - 4e-5)
    shown = demo.compare(str(speech_files[0]), str(speech_files[1]))
    assert f"{threshold:.3f}: different speakers (just under the threshold, {threshold:.3f})" in shown, shown
    assert app._verdict(0.70996, 0.71) == "0.710: different speakers (just under the threshold, 0.710)"
    assert app._verdict(0.71004, 0.71) == "0.710: the same speaker (just over the threshold, 0.710)"
    assert app._verdict(0.71, 0.71) == "0.710: the same speaker (at the threshold, 0.710)"
    assert app._verdict(0.62, 0.71) == "0.620: different speakers (under the threshold, 0.710)"
    assert app._verdict(0.85, 0.71) == "0.850: the same speaker (over the threshold, 0.710)"


def test_a_recording_refused_on_a_tab_of_two_is_named(demo, speech_files, tmp_path):
    """ "the recording is silent" had not said which of the two recordings was."""
    import soundfile

    silence = tmp_path / "silence.wav"
    soundfile.write(silence, [0.0] * 48_000, 16_000)
    for call, named in [
        (lambda: demo.compare(str(silence), str(speech_files[0])), "Voice A"),
        (lambda: demo.compare(str(speech_files[0]), str(silence)), "Voice B"),
        (lambda: demo.convert(str(silence), str(speech_files[0]), None, True), "Voice to clone"),
    ]:
        with pytest.raises(gr.Error) as refused:
            call()
        assert refused.value.message.startswith(f"{named}: the recording is silent"), refused.value.message


def test_the_progress_bar_moves_through_the_sentences_and_the_frames(demo, speech_files, faces_dir):
    """The bar had stood at "cloning the voice - 10%" through a long text, and at 100% while a video was written."""
    reports = _Reports()
    demo.voice(str(speech_files[0]), "One sentence. Another one here. And a third.", 1, True, progress=reports)
    sentences = reports.steps("cloning the voice")
    assert len(sentences) >= 2 and sentences[-1][0] == sentences[-1][1] >= 2, reports.calls
    reports = _Reports()
    photo = str(faces_dir / "painting_pearl_earring.jpg")
    demo.text_to_clip(str(speech_files[0]), photo, "One sentence. And another.", 1, True, progress=reports)
    assert reports.steps("cloning the voice") and len(reports.steps("lip-sync")) >= 2, reports.calls
    reports = _Reports()
    video = str(faces_dir / "talking_man_25fps.mp4")
    demo.convert(str(speech_files[0]), video, 1, True, progress=reports)
    frames = reports.steps("writing the video")
    assert len(frames) >= 2 and frames[-1][0] == frames[-1][1] > 25, reports.calls


def _temporary_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("voxlip-*")}


def _in_a_thread(job) -> tuple[threading.Thread, dict]:
    """`job()` started in a thread; the dict gets its "result" or its "error"."""
    outcome = {}

    def run():
        try:
            outcome["result"] = job()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_job_stopped_from_another_thread_ends_without_its_output(demo, speech_files, faces_dir):
    """A job went on for 200 s after its tab closed, and wrote its clip for nobody."""
    reports, stop = _Reports(), threading.Event()
    results, temporary = set(demo.workdir.rglob("*")), _temporary_folders()
    photo = str(faces_dir / "painting_pearl_earring.jpg")
    thread, outcome = _in_a_thread(
        lambda: demo.text_to_clip(str(speech_files[0]), photo, LONG_TEXT, 1, True, progress=reports, stop=stop)
    )
    assert reports.first_step.wait(300), "the job reported no progress"
    reported = len(reports.calls)
    stop.set()
    thread.join(300)
    assert isinstance(outcome.get("error"), app.JobStopped), outcome
    assert len(reports.calls) <= reported + 1, "the job went on reporting after the stop"
    assert set(demo.workdir.rglob("*")) == results and _temporary_folders() == temporary


def test_a_job_stopped_after_its_last_progress_report_saves_nothing(demo, speech_files):
    """A stop that came after the work's last progress report (a cancel while the result was being finished) had let
    the result be saved for nobody."""
    stop, results = threading.Event(), set(demo.workdir.rglob("*"))

    def bar(value, desc=None, **_):
        if isinstance(value, tuple) and value[0] == value[1]:  # the last sentence made
            stop.set()

    with pytest.raises(app.JobStopped):
        demo.voice(str(speech_files[0]), "One sentence. And another.", 1, True, progress=bar, stop=stop)
    assert set(demo.workdir.rglob("*")) == results


def test_closing_the_tab_stops_its_session_s_job(demo, speech_files, faces_dir):
    page = app.build_demo(demo)
    closed = [fn for fn in page.fns.values() if any(target[1] == "unload" for target in fn.targets)]
    assert len(closed) == 1, "no handler of the tab's closing"
    clip = next(fn for fn in page.fns.values() if getattr(fn, "api_name", None) == "text_to_clip")
    reports = _Reports()
    inputs = [str(speech_files[0]), str(faces_dir / "painting_pearl_earring.jpg"), LONG_TEXT, 1, True, None, False, -1]
    thread, outcome = _in_a_thread(lambda: asyncio.run(clip.fn(*inputs, reports, gr.Request(session_hash="tab"))))
    assert reports.first_step.wait(300), "the job reported no progress"
    closed[0].fn(gr.Request(session_hash="another tab"))
    closed[0].fn(gr.Request(session_hash="tab"))
    thread.join(300)
    assert outcome == {"result": (None, app.STOPPED, None)}, outcome


def test_a_stop_asked_while_a_request_waits_stops_it_as_it_starts_and_a_new_click_clears_it():
    jobs = app.Jobs()
    jobs.clicked("tab", "voice")
    jobs.stop("tab", "voice")
    with pytest.raises(app.JobStopped):
        jobs.run("tab", "voice", lambda stop: ("made",))
    assert jobs.run("tab", "lipsync", lambda stop: ("made",)) == ("made",)  # another button's job goes on
    jobs.clicked("tab", "voice")
    assert jobs.run("tab", "voice", lambda stop: ("made",)) == ("made",)


def _stop_button_steps(page: gr.Blocks, api_name: str) -> tuple:
    """The steps of a button's request that the page's browser runs: the work's, and, called as gradio calls them,
    a click that passes its checks (its Stop button shown), those that set Stop's visibility (their last output) when
    the work ends (`done`: that visibility alone) or fails, and Stop's click."""
    work = next(fn for fn in page.fns.values() if getattr(fn, "api_name", None) == api_name)
    emptied = next(fn for fn in page.fns.values() if fn.js == app.DISMISS_MESSAGES and work.outputs[0] in fn.outputs)
    stop_button = next(fn for fn in page.fns.values() if work._id in fn.cancels).targets[0][0]
    stop = next(fn for fn in page.fns.values() if fn.fn and fn.targets == [(stop_button, "click")])
    to_stop = [fn for fn in page.fns.values() if fn.outputs and fn.outputs[-1]._id == stop_button]
    after_work = [fn for fn in to_stop if fn.trigger_after == work._id]
    shown = next(fn for fn in to_stop if fn not in after_work)
    done = next(fn for fn in after_work if fn.trigger_only_on_success)
    ended = next(fn for fn in after_work if fn.trigger_only_on_failure)
    shown, succeeded, ended, stop = (_with_request(fn.fn) for fn in (shown, done, ended, stop))

    def click(request: gr.Request) -> bool:
        emptied.fn("", request)
        return shown(request).visible

    return work, click, lambda request: succeeded(request)[-1], ended, stop


def _with_request(step):
    """A step of the page, called as gradio calls it: with the request when it takes one."""
    return lambda request: step(request) if inspect.signature(step).parameters else step()


def test_stop_stays_while_a_click_made_during_a_job_waits_to_run(demo, speech_files):
    """A click made while the button's request ran runs after it (gradio's always_last), but the first request's end
    had hidden the Stop button: the second ran on with nothing to stop it."""
    work, click, done, ended, stop = _stop_button_steps(app.build_demo(demo), "voice")
    tab = gr.Request(session_hash="tab")
    seen = []

    def while_it_runs(then):
        """The page's progress bar, which does `then()` at the request's first report."""
        return lambda value, desc=None, **_: seen or seen.append(then())

    voice = str(speech_files[0])
    assert click(tab)
    clicked_again = while_it_runs(lambda: click(tab))  # passed its checks: gradio runs it after this one
    asyncio.run(work.fn(voice, "First.", 1, True, "auto", "auto", None, "auto", clicked_again, tab))
    assert seen == [True] and done(tab).visible, "the second click's request waits to run: Stop stays"
    seen.clear()
    stopped = while_it_runs(lambda: (stop(tab), ended(tab)[-1].visible)[1])  # gradio ends its wait at once
    assert asyncio.run(work.fn(voice, "Second.", 1, True, "auto", "auto", None, "auto", stopped, tab))[1] == app.STOPPED
    assert seen == [False], "the request was stopped: Stop goes"
    assert not done(tab).visible
    seen.clear()
    assert click(tab)
    with pytest.raises(gr.Error):  # refused after it began: gradio drops the click that waited to run after it
        asyncio.run(work.fn(voice, "<b></b>", 1, True, "auto", "auto", None, "auto", clicked_again, tab))
    assert seen == [True] and not ended(tab)[-1].visible


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def client_in(tmp_path, monkeypatch):
    """A gradio client that downloads into the test's folder: it also makes a scratch folder per download in the
    system's temporary folder, and leaves it there, so that is the test's folder too."""
    from gradio_client import Client

    scratch = tmp_path / "client"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return lambda url: Client(url, verbose=False, download_files=str(scratch / "downloads"))


def _app_started(port: int, env: dict, log: Path) -> subprocess.Popen:
    """app.py started on `port` as a user starts it, in `env`, its output written to `log`."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, str(REPO / "app.py"), "--port", str(port), "--device", "cpu"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    port = _free_port()
    folder = tmp_path_factory.mktemp("app")
    log = folder / "app.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_TEMP_DIR": str(folder / "gradio")}
    process = _app_started(port, env, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_served(process, url, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_served(process: subprocess.Popen, url: str, log: Path) -> None:
    """Return once the demo `process` answers at `url`; fail with the end of its `log` if it exits first, or has not
    answered in 2 minutes (it loads its models first)."""
    for _ in range(240):
        if process.poll() is not None:
            pytest.fail(f"the demo exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the demo did not answer at {url}: {log.read_text()[-2000:]}")


def _decode(page, url: str, tmp_path: Path, name: str):
    """Fetch a media element's source through the page (it may be a blob: URL) and probe it with ffmpeg."""
    import base64

    from core.ffmpeg import probe
    from voice.audio import load_audio

    encoded = page.evaluate(
        """async (url) => {
            const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
            let text = "";
            for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode(...bytes.subarray(i, i + 32768));
            return btoa(text);
        }""",
        url,
    )
    path = tmp_path / name
    path.write_bytes(base64.b64decode(encoded))
    info = probe(path)
    if info.has_audio:
        assert len(load_audio(path)) > 0.5 * 16000
    return info


def test_demo_in_a_real_browser(served_app, browser, speech_files, faces_dir, tmp_path):
    voice = next(p for p in speech_files if p.stem == "103-1240-0000")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(180_000)
    page.goto(served_app)

    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).set_input_files(str(voice))
    tab.locator(FACE_INPUT).set_input_files(str(faces_dir / "painting_pearl_earring.jpg"))
    tab.locator("textarea").first.fill("Hello, this clip was made in a browser test.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Make the clip").click()
    video = tab.locator("video[src]").first
    video.wait_for()
    clip = _decode(page, video.get_attribute("src"), tmp_path, "clip.mp4")
    assert clip.has_video and clip.has_audio
    assert "offline fallbacks" in tab.inner_text()
    page.screenshot(path=str(_artifacts(tmp_path) / "demo.png"), full_page=True)
    tab.locator(".consent input[type=checkbox]").uncheck()  # refused: the earlier clip goes, the reason stays
    tab.get_by_role("button", name="Make the clip").click()
    page.get_by_text("Tick the consent box first").first.wait_for()
    assert tab.locator("video[src]").count() == 0 and "offline fallbacks" not in tab.inner_text()
    assert tab.locator("[data-testid='status-tracker'] .error").count() == 0, "outputs marked Error, not emptied"

    page.get_by_role("tab", name="Voice", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).set_input_files(str(voice))
    tab.locator("textarea").first.fill("A short sentence.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Clone the voice").click()
    audio = tab.locator("audio[src]").last
    audio.wait_for(state="attached")
    assert _decode(page, audio.get_attribute("src"), tmp_path, "voice.wav").has_audio

    page.get_by_role("tab", name="Lip-sync", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(FACE_INPUT).set_input_files(str(faces_dir / "not_a_person_dog.jpg"))
    tab.locator(AUDIO_INPUT).set_input_files(str(voice))
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Lip-sync").click()
    page.get_by_text("no face found in not_a_person_dog.jpg").first.wait_for()  # the file's name, not the server's copy


def _artifacts(tmp_path: Path) -> Path:
    """Where the browser test saves what a person would look at (the page's screenshot): the folder VOXLIP_ARTIFACTS
    names (made if need be), else the test's own temporary folder, never the checkout."""
    folder = Path(os.environ.get("VOXLIP_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _start_a_long_clip(page, speech_files, faces_dir):
    """Start making a clip of LONG_TEXT on the page's first tab; that tab."""
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    tab.locator(FACE_INPUT).set_input_files(str(faces_dir / "painting_pearl_earring.jpg"))
    tab.locator("textarea").first.fill(LONG_TEXT)
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Make the clip").click()
    return tab


def _start_a_short_voice(page, speech_files):
    """Start cloning a voice saying "Hello." on the page's Voice tab; that tab."""
    page.get_by_role("tab", name="Voice", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    tab.locator("textarea").first.fill("Hello.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Clone the voice").click()
    return tab


def test_the_stop_button_stops_a_job_and_the_tab_works_on(served_app, browser, speech_files, faces_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(180_000)
    page.goto(served_app)
    tab = _start_a_long_clip(page, speech_files, faces_dir)
    tab.get_by_role("button", name="Stop").click(timeout=60_000)
    tab.get_by_text(app.STOPPED, exact=True).first.wait_for()
    tab.get_by_role("button", name="Stop").wait_for(state="hidden")
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_inner_texts()
    tab.locator("textarea").first.fill("Hello.")
    tab.get_by_role("button", name="Make the clip").click()
    tab.locator("video[src]").first.wait_for()


def test_the_stop_button_goes_when_a_request_is_refused_in_its_work(served_app, browser, speech_files, faces_dir):
    """A refusal raised inside the work (no consent, no face) had left the Stop button on the page, nothing running."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(120_000)
    page.goto(served_app)
    page.get_by_role("tab", name="Lip-sync", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(FACE_INPUT).set_input_files(str(faces_dir / "not_a_person_dog.jpg"))
    tab.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    for refused in ("Tick the consent box first", "No face found in not_a_person_dog.jpg"):
        tab.get_by_role("button", name="Lip-sync").click()
        page.get_by_text(refused).first.wait_for()
        tab.get_by_role("button", name="Stop").wait_for(state="hidden")
        tab.locator(".consent input[type=checkbox]").check()


HEARD = """() => {
    window.heard = [];
    new MutationObserver(() => {
        document.querySelectorAll("[aria-live]").forEach((region) => {
            const said = region.innerText.trim();
            if (said && window.heard.at(-1) !== said) window.heard.push(said);
        });
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
"""Run in the browser: what the page's live regions say (what a screen reader hears), kept in window.heard."""
PHONE = {"width": 375, "height": 667}


def test_a_screen_reader_hears_how_a_job_ended_in_a_real_browser(served_app, browser, speech_files, faces_dir):
    """A screen reader had heard "Loading", then the untranslated "common.complete" whether the job ended or was
    stopped, and nothing of how it ended."""
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(180_000)
    page.goto(served_app)
    page.get_by_role("button", name="Make the clip").wait_for()
    page.evaluate(HEARD)
    tab = _start_a_short_voice(page, speech_files)
    page.wait_for_function("(said) => window.heard.includes(said)", arg=app.DONE)
    page.get_by_role("tab", name="Text to clip", exact=True).click()
    tab = _start_a_long_clip(page, speech_files, faces_dir)
    tab.get_by_role("button", name="Stop").click(timeout=60_000)
    page.wait_for_function("(said) => window.heard.includes(said)", arg=app.STOPPED)
    heard = page.evaluate("window.heard")
    assert not [said for said in heard if said.startswith("common.")], heard


def test_progress_and_outcome_show_once_under_the_button_on_a_phone_in_a_real_browser(
    served_app, browser, speech_files, faces_dir
):
    """On a phone the progress had been drawn under the empty clip box, off-screen, and once on each output (three
    bars, three texts for a screen reader); "Stopped." too had been off-screen."""
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(180_000)
    page.goto(served_app)
    tab = _start_a_long_clip(page, speech_files, faces_dir)
    page.get_by_text("cloning the voice").first.wait_for()
    progress = tab.locator("[data-testid='status-tracker'] .progress-text")
    assert progress.count() == 1, progress.all_inner_texts()
    _assert_in_view(page, progress)
    tab.get_by_role("button", name="Stop").click()
    outcome = tab.get_by_role("status").get_by_text(app.STOPPED, exact=True)
    outcome.wait_for()
    _assert_in_view(page, outcome)


def _assert_in_view(page, element) -> None:
    """`element` is inside the page's viewport as it is (not scrolled to)."""
    box, viewport = element.bounding_box(), page.viewport_size
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], (box, viewport)


def test_the_focus_goes_back_to_the_button_that_starts_the_work_when_stop_goes_in_a_real_browser(
    served_app, browser, speech_files, faces_dir
):
    """Stop pressed from the keyboard, or a job ended while Stop had the focus, had dropped the focus to the page."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(180_000)
    page.goto(served_app)
    tab = _start_a_long_clip(page, speech_files, faces_dir)
    tab.get_by_role("button", name="Stop").focus()
    page.keyboard.press("Enter")
    tab.get_by_role("button", name="Stop").wait_for(state="hidden")
    expect(tab.get_by_role("button", name="Make the clip")).to_be_focused()
    tab = _start_a_short_voice(page, speech_files)
    tab.get_by_role("button", name="Stop").focus()  # the job ends while Stop has the focus
    tab.locator("audio[src]").last.wait_for(state="attached")
    tab.get_by_role("button", name="Stop").wait_for(state="hidden")
    expect(tab.get_by_role("button", name="Clone the voice")).to_be_focused()


def test_stop_takes_a_waiting_request_out_of_the_queue_at_once(served_app, browser, speech_files, faces_dir):
    """A request waiting behind another tab's job, stopped, had stayed in the queue (and its Stop button on the page)
    until that job ended."""
    first, second = (browser.new_page(viewport={"width": 1280, "height": 1400}) for _ in range(2))
    for page in (first, second):
        page.set_default_timeout(120_000)
        page.goto(served_app)
    running = _start_a_long_clip(first, speech_files, faces_dir)
    running.get_by_role("button", name="Stop").wait_for()
    first.get_by_text("cloning the voice").first.wait_for()  # the job runs: the next request waits behind it
    second.get_by_role("tab", name="Voice", exact=True).click()
    waiting = second.locator(".tabitem:visible").first
    waiting.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    waiting.locator("textarea").first.fill("Hello.")
    waiting.locator(".consent input[type=checkbox]").check()
    waiting.get_by_role("button", name="Clone the voice").click()
    second.get_by_text(re.compile(r"queue: 1/1")).first.wait_for()
    waiting.get_by_role("button", name="Stop").click()
    waiting.get_by_text(app.STOPPED, exact=True).first.wait_for()
    waiting.get_by_role("button", name="Stop").wait_for(state="hidden")
    assert running.get_by_role("button", name="Stop").is_visible(), "the job ahead ended before the stop was shown"
    running.get_by_role("button", name="Stop").click()
    running.get_by_text(app.STOPPED, exact=True).first.wait_for()
    waiting.get_by_role("button", name="Clone the voice").click()  # the stopped tab works on
    waiting.locator("audio[src]").last.wait_for(state="attached")


def test_voice_inputs_take_a_webm_recording_and_a_video_in_a_real_browser(
    served_app, browser, speech_files, faces_dir, tmp_path
):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    page.get_by_role("tab", name="Voice", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).first.set_input_files(str(_recorded_webm(speech_files[0], tmp_path)))
    tab.get_by_text("recorded.webm").first.wait_for()
    page.get_by_role("tab", name="Compare voices", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).first.set_input_files(str(faces_dir / "talking_man_25fps.mp4"))
    tab.get_by_text("talking_man_25fps.mp4").first.wait_for()
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_inner_texts()


def test_each_upload_box_and_download_link_is_named_by_its_label_in_a_real_browser(served_app, browser, speech_files):
    """Every upload box had been named "Click to upload or drop files" (two alike on three tabs), a download link by its
    size alone ("1.9 KB"), and the result audio's by nothing."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(120_000)
    page.goto(served_app)
    uploads = {
        "Text to clip": ["Voice to clone", "Face"],
        "Lip-sync": ["Face", "Speech"],
        "Convert speech": ["Voice to clone", "Speech to say in that voice"],
        "Compare voices": ["Voice A", "Voice B"],
        "Voice": ["Voice to clone"],
    }
    for name, boxes in uploads.items():
        page.get_by_role("tab", name=name, exact=True).click()
        tab = page.locator(".tabitem:visible").first
        for box in boxes:
            expect(tab.get_by_role("button", name=f"Upload {box}", exact=True)).to_have_count(1)
        expect(tab.get_by_role("button", name="Click to upload or drop files")).to_have_count(0)
    tab.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    tab.locator("textarea").first.fill("Hello.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Clone the voice").click()
    tab.locator("audio[src]").last.wait_for(state="attached")
    expect(tab.get_by_role("link", name="Download Cloned speech", exact=True)).to_have_count(1)
    expect(tab.get_by_role("link", name=re.compile(r"^Download Provenance record, [0-9.]+\sKB$"))).to_have_count(1)
    expect(tab.get_by_role("link", name=re.compile(r"^Download Voice to clone, [0-9.]+\sKB$"))).to_have_count(1)


def test_each_file_s_remove_button_and_a_clip_s_controls_are_named_by_their_box_in_a_real_browser(
    served_app, browser, speech_files, faces_dir
):
    """Each file's remove button had been named "Clear" (two alike on Text to clip), a clip's play button
    "play-pause-replay-button" and its full screen button "full-screen"."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(120_000)
    page.goto(served_app)
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).set_input_files(str(speech_files[0]))
    tab.locator(FACE_INPUT).set_input_files(str(faces_dir / "painting_pearl_earring.jpg"))
    for box in ("Voice to clone", "Face"):
        expect(tab.get_by_role("button", name=f"Remove {box} file", exact=True)).to_have_count(1)
    tab.locator("textarea").first.fill("Hello.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Make the clip").click()
    tab.locator("video[src]").first.wait_for()
    expect(tab.get_by_role("button", name="Play or pause Talking clip", exact=True)).to_have_count(1)
    expect(tab.get_by_role("button", name="Show Talking clip full screen", exact=True)).to_have_count(1)
    vague = re.compile(r"^(Clear|play-pause-replay-button|full-screen)$")
    expect(tab.get_by_role("button", name=vague)).to_have_count(0)


def test_the_help_of_a_dropdown_and_a_slider_describes_it_in_a_real_browser(served_app, browser):
    """The help text of the Synthesizer and Converter dropdowns and of the Similarity slider had been in no control's
    name or description: a screen reader did not say it."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    tab = page.locator(".tabitem:visible").first
    expect(tab.get_by_role("slider")).to_have_accessible_description(app.SIMILARITY_INFO)
    expect(tab.get_by_role("spinbutton").first).to_have_accessible_description(app.SIMILARITY_INFO)
    page.get_by_role("tab", name="Voice", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    for dropdown, help_begins in {"Synthesizer": "auto: Piper", "Converter": "auto: OpenVoice"}.items():
        expect(tab.get_by_role("combobox", name=dropdown)).to_have_accessible_description(re.compile(f"^{help_begins}"))
    expect(tab.get_by_role("textbox", name=re.compile(r"^Seed"))).to_have_accessible_description("")  # in its name


def test_every_tab_is_in_view_on_a_phone_in_a_real_browser(served_app, browser):
    """At a phone's width three of the five tabs had been hidden behind a "more" menu."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    names = ["Text to clip", "Voice", "Lip-sync", "Convert speech", "Compare voices"]
    page.get_by_role("tab", name=names[0], exact=True).wait_for()
    assert [name for name in names if not page.get_by_role("tab", name=name, exact=True).is_visible()] == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
    page.get_by_role("tab", name="Compare voices", exact=True).click()
    page.locator(".tabitem:visible").first.get_by_role("button", name="Compare").wait_for()


def _shown_title(page) -> str:
    """What an error message's title shows: its text, or what the page's style draws in its place."""
    return page.locator(".toast-title").first.evaluate(
        """(title) => getComputedStyle(title).fontSize === "0px"
            ? JSON.parse(getComputedStyle(title, "::before").content)
            : title.innerText.trim()"""
    )


def test_a_refused_request_is_titled_by_what_happened_not_error(served_app, browser):
    """gradio titles every error message "Error" whatever gr.Error's title says: "Error" over "Give two recordings"."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    page.get_by_role("tab", name="Compare voices", exact=True).click()
    page.locator(".tabitem:visible").first.get_by_role("button", name="Compare").click()
    page.get_by_text("Give two recordings").first.wait_for()
    assert _shown_title(page) == app.REFUSAL_TITLE
    heard = page.locator("[data-testid='toast-body']").first.aria_snapshot()
    assert f'button "{app.REFUSAL_TITLE} Close"' in heard and "Error" not in heard, heard


def test_a_click_after_an_upload_over_the_limit_gets_one_message(served_app, browser, tmp_path):
    """The browser's message about the file it did not upload and ours about the empty input had come together
    ("Error (2)"), ours not saying why the input was empty."""
    large = tmp_path / "long.wav"
    with open(large, "wb") as file:
        file.truncate((app.MAX_UPLOAD_MB + 1) * 1024 * 1024)  # the browser looks at the size alone
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    page.get_by_role("tab", name="Voice", exact=True).click()
    tab = page.locator(".tabitem:visible").first
    tab.locator(AUDIO_INPUT).first.set_input_files(str(large))
    page.get_by_text("exceed the maximum allowed size").first.wait_for()
    tab.locator("textarea").first.fill("Hello.")
    tab.locator(".consent input[type=checkbox]").check()
    tab.get_by_role("button", name="Clone the voice").click()
    page.get_by_text(f"an upload over {app.MAX_UPLOAD_MB} MB is not taken").first.wait_for()
    assert page.locator("[data-testid='toast-text']").all_inner_texts() == [
        page.get_by_text("an upload over").first.inner_text()
    ]


def test_eight_concurrent_requests_each_get_their_own_result(served_app, speech_files, client_in):
    from gradio_client import handle_file

    from pipeline.provenance import detect
    from voice.audio import load_audio

    client = client_in(served_app)
    voice = handle_file(str(speech_files[0]))
    texts = [" ".join(["word"] * (2 + 3 * i)) + "." for i in range(8)]
    jobs = [client.submit(voice, text, -1, True, api_name="/voice") for text in texts]
    results = [job.result(timeout=600) for job in jobs]
    paths = [Path(path) for path, _, _ in results]
    assert len(set(paths)) == 8
    durations = [len(load_audio(p)) for p in paths]
    assert durations == sorted(durations), "each request got the speech of its own text"
    assert all(detect(p).audio.detected for p in paths[-2:])


def _served_in_this_process(demo, tmp_path, monkeypatch):
    """The page served in this process, one request of a group at a time as app.py serves it (its --concurrency): the
    page, to close, and its port."""
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    page = app.build_demo(demo)
    page.queue(default_concurrency_limit=1)
    port = _free_port()
    page.launch(server_port=port, prevent_thread_lock=True, quiet=True, allowed_paths=[str(demo.workdir)])
    return page, port


def test_a_compare_does_not_wait_behind_a_long_job(demo, speech_files, client_in, tmp_path, monkeypatch):
    """A compare (under a second) had waited in the one queue behind every clip and voice job asked before it. The
    page is served in this process, one request of a group at a time as app.py serves it, and the voice job is held
    in its work until the compare has answered."""
    from gradio_client import handle_file

    running, release = threading.Event(), threading.Event()
    clone_voice = Pipeline.clone_voice

    def held(self, *args, **kwargs):
        running.set()
        release.wait()
        return clone_voice(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "clone_voice", held)
    page, port = _served_in_this_process(demo, tmp_path, monkeypatch)
    try:
        client = client_in(f"http://127.0.0.1:{port}/")
        voice = handle_file(str(speech_files[0]))
        long_job = client.submit(voice, "Hello.", -1, True, api_name="/voice")
        assert running.wait(timeout=120), "the voice job never ran"
        compare = client.submit(voice, voice, api_name="/compare")
        try:
            compared = compare.result(timeout=120)
        except TimeoutError:
            pytest.fail("the compare waited behind the voice job")
        assert "Cosine similarity" in compared and not long_job.done()
        release.set()
        assert Path(long_job.result(timeout=300)[0]).is_file()
    finally:
        release.set()
        page.close()


def test_a_request_cancelled_through_the_api_stops_and_keeps_its_place_until_it_has(
    demo, speech_files, client_in, tmp_path, monkeypatch
):
    """A request an API client cancelled (gradio_client's job.cancel()) had run on to its end and saved its result,
    beside the next request despite one request at a time: gradio cancels the request, not the thread of its work.
    The page is served in this process, one request at a time as app.py serves it; the first request's work waits
    in its voice cloning until it is asked to stop, or until a second request's work starts beside it."""
    from gradio_client import handle_file

    flags, running, beside, lock = [], threading.Event(), threading.Event(), threading.Lock()
    at_once = {"now": 0, "most": 0}
    reporting = app._reporting

    def recorded(progress, stop, *args):
        flags.append(stop)
        return reporting(progress, stop, *args)

    clone_voice = Pipeline.clone_voice

    def held(self, *args, progress=None, **kwargs):
        with lock:
            at_once["now"] += 1
            at_once["most"] = max(at_once["most"], at_once["now"])
            first = not running.is_set()
            if not first:
                beside.set()
        running.set()
        try:
            while first and not (flags[0].wait(0.05) or beside.is_set()):
                pass
            progress(1, 2, 1.0)  # a sentence made: the work's next progress report
            return clone_voice(self, *args, progress=progress, **kwargs)
        finally:
            with lock:
                at_once["now"] -= 1

    monkeypatch.setattr(app, "_reporting", recorded)
    monkeypatch.setattr(Pipeline, "clone_voice", held)
    page, port = _served_in_this_process(demo, tmp_path, monkeypatch)
    results = set(demo.workdir.iterdir())
    try:
        client = client_in(f"http://127.0.0.1:{port}/")
        voice = handle_file(str(speech_files[0]))
        cancelled = client.submit(voice, LONG_TEXT, -1, True, api_name="/voice")
        assert running.wait(timeout=120), "the voice job never ran"
        after = client.submit(voice, "Hello.", -1, True, api_name="/voice")  # waits behind it, in the same session
        cancelled.cancel()
        audio, details, _ = after.result(timeout=300)
    finally:
        beside.set()
        page.close()
    assert at_once["most"] == 1, "the cancelled request's work ran on beside the next one"
    assert flags[0].is_set(), "the cancelled request's work was not asked to stop"
    assert details != app.STOPPED and Path(audio).is_file(), "the next request of the session was stopped too"
    assert len(set(demo.workdir.iterdir()) - results) == 1, "the cancelled request saved its result too"


CONTRAST = """(selector) => {
    const luminance = (colour) => {
        const linear = colour.match(/[\\d.]+/g).slice(0, 3).map((v) => v / 255)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    };
    const background = (element) => {
        for (; element; element = element.parentElement) {
            const fill = getComputedStyle(element).backgroundColor;
            if (!/^rgba\\(.*, 0\\)$|transparent/.test(fill)) return fill;
        }
        return "rgb(255, 255, 255)";
    };
    const element = [...document.querySelectorAll(selector)].find((e) => e.offsetParent && e.innerText.trim());
    const [a, b] = [luminance(getComputedStyle(element).color), luminance(background(element))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
"""The WCAG contrast ratio of the first shown element `selector` finds: its text's colour on its background."""


def test_the_small_help_text_is_readable_in_a_real_browser(served_app, browser):
    """The help under each control, an upload box's "- or -" and a slider's ends had been 1.91:1 on white."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    page.get_by_role("button", name="Make the clip").wait_for()
    ratios = {selector: page.evaluate(CONTRAST, selector) for selector in (".info-text", ".or", ".min_value")}
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios  # WCAG AA, small text


def test_a_slider_focused_from_the_keyboard_shows_it_in_a_real_browser(served_app, browser):
    """The Similarity slider focused with Tab had looked as it did unfocused: no ring, no outline."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(60_000)
    page.goto(served_app)
    slider = page.locator(".tabitem:visible").first.get_by_role("slider")
    outline = "(slider) => `${getComputedStyle(slider).outlineStyle} ${getComputedStyle(slider).outlineWidth}`"
    unfocused = slider.evaluate(outline)
    page.locator(".tabitem:visible").first.get_by_role("button", name="Reset to default value").focus()
    page.keyboard.press("Tab")
    assert slider.evaluate("(slider) => slider.matches(':focus-visible')")
    focused = slider.evaluate(outline)
    assert focused != unfocused and not focused.startswith("none") and not focused.endswith(" 0px"), focused


def test_bad_requests_get_page_messages(demo, speech_files, faces_dir, tmp_path):
    for call, message in [
        (lambda: demo.voice(str(tmp_path), "Hello.", None, True), "is a directory"),
        (lambda: demo.voice(str(tmp_path / "gone.wav"), "Hello.", None, True), "does not exist"),
        (lambda: demo.voice(str(speech_files[0]), "<b></b>", None, True), "empty"),
        (lambda: demo.lipsync(str(faces_dir / "not_a_person_dog.jpg"), str(speech_files[0]), True), "No face found"),
        (lambda: demo.lipsync(str(speech_files[0]), str(speech_files[0]), True), "no picture"),
        (lambda: demo.lipsync(None, str(speech_files[0]), True), "Give a face"),
        (
            lambda: demo.lipsync(str(faces_dir / "painting_pearl_earring.jpg"), str(speech_files[0]), True, False, 2),
            "Face index 2 asked, but painting_pearl_earring.jpg shows 1 face: give face index 0, or -1",
        ),
        (lambda: demo.text_to_clip(str(speech_files[0]), None, "Hi.", None, True), "Give a voice recording and a face"),
        (lambda: demo.compare(str(speech_files[0]), str(tmp_path / "gone.wav")), "Voice B: .*does not exist"),
        (lambda: demo.compare(str(speech_files[0]), None), "Give two recordings: Voice B is empty"),
    ]:
        with pytest.raises(gr.Error, match=message):
            call()
    assert list(tmp_path.iterdir()) == []


def test_a_path_that_was_never_uploaded_is_refused_with_a_message(served_app):
    import json

    never = {"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}
    request = urllib.request.Request(
        served_app + "gradio_api/call/compare",
        data=json.dumps({"data": [never, never]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    event = json.loads(urllib.request.urlopen(request, timeout=30).read())["event_id"]
    answer = urllib.request.urlopen(f"{served_app}gradio_api/call/compare/{event}", timeout=60).read().decode()
    assert "event: error" in answer and "not uploaded" in answer and '"error": null' not in answer, answer


def test_the_demo_stops_cleanly_on_sigterm(tmp_path, speech_files, client_in):
    """What `docker stop` or systemd sends: exit 143, its folders (uploads included) gone."""
    from gradio_client import handle_file

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "TMPDIR": str(scratch)}
    log = tmp_path / "app.log"
    process = _app_started(port, env, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_served(process, url, log)
        client_in(url).predict(
            handle_file(str(speech_files[0])), handle_file(str(speech_files[0])), api_name="/compare"
        )
        assert any(p.is_file() for p in scratch.rglob("*")), "the upload and the examples are in the demo's folders"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    printed = log.read_text()
    assert process.returncode == 143, printed[-2000:]
    assert "stopped by SIGTERM" in printed and "Traceback" not in printed, printed[-2000:]
    assert [p for p in scratch.rglob("*") if p.is_file()] == []


def test_a_base_voice_the_demo_cannot_load_stops_it_before_serving_with_the_reason(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "TMPDIR": str(scratch)}
    finished = subprocess.run(
        [sys.executable, str(REPO / "app.py"), "--port", str(_free_port()), "--base-voice", "piper-joe#2"],
        capture_output=True,
        env=env,
        cwd=REPO,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1 and "Traceback" not in finished.stderr
    assert "voxlip demo: the Piper voice piper-joe has one speaker: leave out #2" in finished.stderr
    assert not any(scratch.iterdir()), "nothing is left behind"
