import dataclasses
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from core.amounts import seconds_in_words
from core.errors import InputError
from core.ffmpeg import probe
from pipeline import Pipeline, Speaker, vocode
from pipeline.cli import main as voxlip
from pipeline.provenance import ConsentError, detect, detect_audio_mark, record_path
from pipeline.provenance.audio_watermark import AUDIO_MARK
from pipeline.provenance.seal import seal
from voice.encoder import similarity
from voice.offline.config import OfflineConfig


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline("cpu", synthesizer="offline", lipsync="offline")


@pytest.fixture(scope="module")
def reference(speech_files):
    return next(p for p in speech_files if p.stem == "103-1240-0000")


def test_clone_voice_offline_is_labelled_marked_and_timed(pipeline, reference, tmp_path):
    speech = pipeline.clone_voice(reference, "The quick brown fox jumps over the lazy dog.", consent=True)
    assert speech.sample_rate == 22050 and 1.5 < speech.duration < 6
    assert not speech.neural and any("offline voice" in c.checkpoint for c in speech.components)
    assert any("fetch the SV2TTS checkpoints" in n for n in speech.notes)
    assert speech.phones and all(start <= end for _, start, end in speech.phones)
    path = speech.save(tmp_path / "say.wav")
    assert detect(path).audio.detected
    record = json.loads((tmp_path / "say.wav.provenance.json").read_text())
    assert record["inputs"]["reference_voice"]["file"] == reference.name and "text_sha256" in record["inputs"]
    for ending in (".flac", ".mp3"):  # the other formats, marked and signed alike
        report = detect(speech.save(tmp_path / f"say{ending}"))
        assert report.audio.detected and report.credentials.valid and report.record is not None
        assert abs(soundfile.info(tmp_path / f"say{ending}").duration - speech.duration) < 0.1
    as_wav, as_flac = (soundfile.read(tmp_path / f"say{ending}", dtype="int16")[0] for ending in (".wav", ".flac"))
    np.testing.assert_array_equal(as_wav, as_flac)  # had differed by 1 in half the samples


def test_fresh_processes_speak_without_torch_and_a_voice_asked_for_again_without_analysis(
    reference, speech_files, tmp_path
):
    """The cold start of `voxlip say`: the first process on a machine (an empty cache) reads the speaker encoder's
    checkpoint with torch and keeps it compiled; later ones import no torch (about a third of the start-up), a
    new voice included, and a voice asked for before comes with its speaker and analysis from the cache."""
    other = next(p for p in speech_files if p.stem == "19-198-0000")
    runs = []
    computed_again = (  # the last run may neither embed the voice nor analyse it: both come from the cache
        "import pipeline.api, voice.offline.reference; "
        "_no = lambda *a, **k: (_ for _ in ()).throw(AssertionError('computed again, not taken from the cache')); "
        "pipeline.api.prepare_speaker = voice.offline.reference.analyse = _no; "
    )
    for run, voice in enumerate([reference, other, reference]):
        out = tmp_path / f"say{run}.wav"
        code = (
            (computed_again if run == 2 else "") + "import sys; from pipeline.cli import main; "
            f"code = main(['say', '--ref', {str(voice)!r}, '--text', 'Hello there.', '-o', {str(out)!r}, "
            "'--i-have-consent', '--seed', '0']); "
            "print('torch loaded' if 'torch' in sys.modules else 'no torch'); sys.exit(code)"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(result.stdout)
        assert detect(out).audio.detected
    assert "torch loaded" in runs[0] and "no torch" in runs[1] and "no torch" in runs[2]
    first, again = (soundfile.read(tmp_path / f"say{run}.wav")[0] for run in (0, 2))
    np.testing.assert_array_equal(first, again)


def test_speaker_is_computed_once_and_saved(pipeline, reference, tmp_path):
    speaker = pipeline.speaker(reference)
    again = Speaker.load(speaker.save(tmp_path / "voice.npz"))
    assert similarity(speaker.embedding, again.embedding) == pytest.approx(1.0)
    first = pipeline.clone_voice(again, "One.", consent=True, seed=3)
    second = pipeline.clone_voice(again, "One.", consent=True, seed=3)
    np.testing.assert_array_equal(first.samples, second.samples)


def test_a_speaker_is_saved_only_under_a_name_ending_in_npz_and_a_missing_or_foreign_file_is_said_so(tmp_path):
    """Speaker.save had swapped any ending for .npz ("bob.v1" and "bob.v2" both wrote bob.npz, the second over the
    first), and Speaker.load called a missing file "not a speaker file ([Errno 2] ...)" and a text file one with
    numpy's advice to load it with allow_pickle."""
    from core.components import Component

    speaker = Speaker(np.zeros(16000, np.float32), np.ones(256, np.float32) / 16, Component("speaker encoder", "test"))
    for name in ("bob.v1", "bob"):
        with pytest.raises(InputError, match=rf"{name}: voxlip writes speakers as \.npz; give a file name ending in"):
            speaker.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    for name in ("bob.v1.npz", "bob.v2.NPZ"):
        assert speaker.save(tmp_path / name) == tmp_path / name
        np.testing.assert_array_equal(Speaker.load(tmp_path / name).embedding, speaker.embedding)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bob.v1.npz", "bob.v2.NPZ"]
    with pytest.raises(InputError, match="speaker file .*missing.npz does not exist; make one with Pipeline.speaker"):
        Speaker.load(tmp_path / "missing.npz")
    (tmp_path / "notes.txt").write_text("not a speaker")
    np.save(tmp_path / "one.npy", np.zeros(3))
    for name in ("notes.txt", "one.npy"):
        with pytest.raises(InputError, match="not a speaker file saved by voxlip") as error:
            Speaker.load(tmp_path / name)
        assert "pickle" not in str(error.value) and "Errno" not in str(error.value)


def test_a_reference_s_analysis_left_empty_or_cut_short_in_the_cache_is_made_again(pipeline, reference):
    """A damaged speaker entry in the cache had ended every later run with "internal error (BadZipFile ...)" or
    "(EOFError ...)": Speaker.load let numpy's errors for such a file through."""
    from core.cache import cache_dir

    first = pipeline.speaker(reference)
    (entry,) = (cache_dir() / "speakers").glob("*.npz")
    for kept in (0, entry.stat().st_size // 2):
        entry.write_bytes(entry.read_bytes()[:kept])
        with pytest.raises(InputError, match="is not a speaker file saved by voxlip"):
            Speaker.load(entry)
        again = pipeline.speaker(reference)
        np.testing.assert_array_equal(again.embedding, first.embedding)
        np.testing.assert_array_equal(Speaker.load(entry).embedding, first.embedding)  # whole again


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("😀🎉", "nothing to say"),
        ("Привет, как дела?", "Cyrillic script"),
        ("x" * 30_000, "at most 20,000"),
    ],
)
def test_bad_text_is_refused_before_any_work(pipeline, text, message):
    with pytest.raises(Exception, match=message):
        pipeline.clone_voice("/does/not/matter.wav", text, consent=True)


def test_a_piper_voice_of_another_language_reads_its_script_and_says_so(pipeline, reference, tmp_path):
    """A Russian Piper voice (joe's weights under a Russian voice's JSON: espeak-ng's "ru" phonemes) speaks
    Cyrillic text, as its own language or asked for; the English voice refuses it, naming the way out."""
    import dataclasses

    joe = pipeline._voice.offline_voice.base.path
    voice = tmp_path / "ru_RU-test-medium.onnx"
    voice.symlink_to(joe)
    config = json.loads(joe.with_name(joe.name + ".json").read_text())
    config |= {"espeak": {"voice": "ru"}, "language": {"code": "ru_RU", "family": "ru"}}
    voice.with_name(voice.name + ".json").write_text(json.dumps(config))
    russian = pipeline.with_voice(
        "offline", offline=dataclasses.replace(pipeline.voice_settings.offline, base_voice=str(voice))
    )
    for language in (None, "ru"):
        speech = russian.clone_voice(reference, "Привет, как дела?", consent=True, seed=0, language=language)
        assert 0.8 < speech.duration < 4 and speech.phones
        assert "the Piper voice ru_RU-test-medium" in speech.notes[0] and "fetch openvoice-v2" in speech.notes[0]
        assert any("recogniser is English-only" in note for note in speech.notes)
    with pytest.raises(InputError, match=r"Cyrillic script, but the voice speaks English.*--base-voice.*--language"):
        pipeline.clone_voice(reference, "Привет, как дела?", consent=True)


def test_with_voice_keeps_every_voice_component_not_given():
    """with_voice(synthesizer=...) had dropped the pipeline's vocoder checkpoint (hifigan-lj-v3 became auto mode's
    hifigan-lj-v1) and its fast vocoder, and took no vocoder_checkpoint."""
    mine = Pipeline(
        "cpu", synthesizer="sv2tts", vocoder="hifigan", vocoder_checkpoint="hifigan-lj-v3", fast_vocoder=True
    )
    kept = mine.with_voice(synthesizer="offline").voice_settings
    assert (kept.synthesizer, kept.vocoder, kept.vocoder_checkpoint) == (
        "offline",
        "hifigan",
        "hifigan-lj-v3",
    )
    assert kept.fast_vocoder and kept.converter == "auto"
    assert mine.with_voice(vocoder_checkpoint="hifigan-lj-v1").voice_settings.vocoder_checkpoint == "hifigan-lj-v1"
    other = mine.with_voice(vocoder="wavernn").voice_settings  # its own registry file, not the HiFi-GAN one
    assert (other.vocoder, other.vocoder_checkpoint, other.synthesizer) == ("wavernn", None, "sv2tts")


def test_a_speech_and_a_pipeline_show_short_reprs():
    """repr(speech) had been about 3,100 characters (its settings dict, the consent statement, every component's
    sha256) and repr(Pipeline()) the default <pipeline.api.Pipeline object at 0x...>."""
    from core.components import Component
    from pipeline import Speech
    from pipeline.provenance import CONSENT_STATEMENT

    speech = Speech(
        samples=np.zeros(11025, np.float32),
        sample_rate=22050,
        text="Hi.",
        components=(Component("speaker encoder", "resemblyzer", "a" * 64), Component("synthesizer", "piper-joe", "b")),
        consent=CONSENT_STATEMENT,
        settings={"voice": {"seed": 4, "offline": {f"field{i}": i for i in range(200)}}},
        notes=("a note",),
    )
    assert repr(speech) == (
        "Speech(text='Hi.', duration=0.5, sample_rate=22050, seed=4, components=('resemblyzer', 'piper-joe'), "
        "reference=None, notes=('a note',))"
    )
    voxlip = Pipeline("cpu", vocoder="hifigan", precision="bfloat16")
    assert repr(voxlip) == (
        "Pipeline(device='cpu', encoder='resemblyzer', synthesizer='auto', vocoder='hifigan', converter='auto', "
        "precision='bfloat16', lipsync='auto', face_detector='blazeface')"
    )
    assert not {"encoder", "face_detector", "_lipsync_generator"} & set(vars(voxlip))  # no model loaded to say it


def test_with_voice_takes_voice_settings_fields_by_their_names():
    """voice_settings was said to be "what with_voice takes", but with_voice(**vars(settings)) failed: it took no
    `precision`."""
    given = Pipeline("cpu", synthesizer="offline", precision="bfloat16", converter="offline")
    settings = given.voice_settings
    assert Pipeline("cpu").with_voice(**vars(settings)).voice_settings == settings
    assert given.with_voice(precision="float32").voice_settings == dataclasses.replace(settings, precision="float32")
    with pytest.raises(InputError, match="precision 'float16'"):
        given.with_voice(precision="float16")


def test_consent_is_required(pipeline, reference):
    with pytest.raises(ConsentError):
        pipeline.clone_voice(reference, "Hello.", consent=False)


NO_RATE = r"the {} was given as samples without their rate: pass their rate as source_sr \(e.g. source_sr=sr after"
"""Samples without source_sr had been taken at 16 kHz: voxlip's own 22.05 kHz speech came out 38% longer and lower."""


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda v, r: v.clone_voice(r, "Hi.", consent=True, seed=-1), "seed -1: give a whole number from 0"),
        (lambda v, r: v.clone_voice(r, "Hi.", consent=True, seed=1.5), "seed 1.5: give a whole number"),
        (lambda v, r: v.convert_voice(r, r, consent=True, seed=2**40), "give a whole number from 0 to 4294967295"),
        (lambda v, r: v.stream_voice(r, "Hi.", consent=True, seed="a"), "seed 'a'"),  # at the call, not the first piece
        (lambda v, r: v.stream_voice(r, "Hi.", consent=False), "consent"),
        (lambda v, r: v.speaker(np.zeros(16000, np.float32), source_sr=0), "source_sr=0: give the samples' rate"),
        (lambda v, r: v.speaker(np.zeros(16000, np.float32), source_sr=100), "a whole number from 4000 to 384000"),
        (lambda v, r: v.speaker(np.zeros(16000, np.float32), source_sr=16000.5), "source_sr=16000.5"),
        (lambda v, r: v.speaker(np.zeros(16000, np.float32)), NO_RATE.format("reference voice")),
        (
            lambda v, r: v.clone_voice(np.zeros(16000, np.float32), "Hi.", consent=True),
            NO_RATE.format("reference voice"),
        ),
        (
            lambda v, r: v.text_to_clip(np.zeros(16000, np.float32), r, "Hi.", consent=True),
            NO_RATE.format("reference voice"),
        ),
        (lambda v, r: v.lipsync(r, np.zeros(16000, np.float32), consent=True), NO_RATE.format("speech")),
        (
            lambda v, r: v.convert_voice(r, np.zeros(16000, np.float32), consent=True),
            NO_RATE.format("source recording"),
        ),
        (
            lambda v, r: v.convert_voice(np.zeros(16000, np.float32), r, consent=True),
            r"speaker\(samples, source_sr=rate\)",
        ),
        (lambda v, r: v.clone_voice(r, "Hi.", consent=True, source_sr=16000), "the reference voice is a file .* leave"),
        (lambda v, r: v.lipsync(r, r, consent=True, source_sr=8000), "source_sr=8000 .* the speech is a file"),
        (lambda v, r: v.convert_voice(r, r, consent=True, source_sr=8000), "source recording is a file .* own rate"),
    ],
    ids=[
        "negative seed",
        "fractional seed",
        "huge seed",
        "stream seed",
        "stream consent",
        "rate 0",
        "rate 100",
        "rate 16000.5",
        "speaker samples without rate",
        "clone samples without rate",
        "text_to_clip samples without rate",
        "lipsync samples without rate",
        "convert samples without rate",
        "convert reference samples",
        "rate with a reference file",
        "rate with a speech file",
        "rate with a source file",
    ],
)
def test_wrong_seeds_and_sample_rates_are_refused_before_any_work(pipeline, reference, call, message):
    with pytest.raises((InputError, ConsentError), match=message):
        call(pipeline, reference)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda v, r, f: v.clone_voice(r, "Hi.", consent=True, language=5),
            r"^language must be a language code, e\.g\. 'en', 'de' or 'en-us' \(--language\), or None .* "
            r"not 5 \(int\)$",
        ),
        (
            lambda v, r, f: Pipeline("cpu", offline_voice=OfflineConfig(similarity="0.5")),
            r"^OfflineConfig's similarity must be a number between 0 and 1 \(e\.g\. similarity=0\.5\), "
            r"not '0\.5' \(str\)$",
        ),
        (
            lambda v, r, f: v.with_voice(offline=OfflineConfig(revoicing_similarity=2.0)),
            r"^revoicing_similarity must be between 0 and 1, not 2\.0$",
        ),
        (
            lambda v, r, f: v.lipsync(f, r, consent=True, progress=5),
            r"^progress must be a function called as progress\(done, total, rate\), or None, not 5 \(int\)$",
        ),
        (lambda v, r, f: v.text_to_clip(r, f, "Hi.", consent=True, voice_progress="bar"), r"^voice_progress must be"),
        (lambda v, r, f: v.convert_voice(r, r, consent=True, video_progress=1), r"^video_progress must be a function"),
        (lambda v, r, f: vocode(np.zeros((80, 20), np.float32), seed=-1), r"^seed -1: give a whole number from 0"),
        (lambda v, r, f: v.clone_voice(r, "Hi.", consent="yes"), r"consent='yes' is a str\. If it is true, state it"),
        (
            lambda v, r, f: v.speaker(None),
            r"^the reference voice must be a file path, an array of samples \(with source_sr, their rate\) or a "
            r"Speech or a Speaker that voxlip made, not NoneType$",
        ),
    ],
    ids=[
        "language",
        "similarity",
        "revoicing similarity",
        "progress",
        "voice_progress",
        "video_progress",
        "vocode seed",
        "consent",
        "speaker",
    ],
)
def test_an_argument_of_the_wrong_type_gets_one_clear_input_error(pipeline, reference, faces_dir, call, message):
    """Each had escaped as Python's own error (AttributeError, TypeError; progress=5 after the work had started), been
    accepted (vocode's seed -1, where clone_voice refuses it), or said too little (consent, speaker(None))."""
    with pytest.raises(InputError, match=message):
        call(pipeline, reference, faces_dir / "painting_pearl_earring.jpg")


def test_a_numpy_true_states_consent_as_true_does(pipeline, reference):
    """consent=np.True_ (a checkbox's value read from an array) had been refused as if no consent were stated."""
    speech = pipeline.clone_voice(reference, "Hi.", consent=np.True_, seed=1)
    assert speech.consent == pipeline.clone_voice(reference, "Hi.", consent=True, seed=1).consent
    with pytest.raises(ConsentError, match=r"uses a reference voice\. If it is true"):
        pipeline.clone_voice(reference, "Hi.", consent=np.False_)


def test_a_gpu_asked_for_where_torch_finds_none_is_refused():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    message = r"device='cuda' \(--device cuda\): torch finds no CUDA GPU on this machine; use device='cpu' or 'auto'"
    with pytest.raises(InputError, match=message):  # the Python argument first: it had named --device alone
        Pipeline("cuda")
    assert Pipeline("auto").device == "cpu"


def test_a_clip_of_cloned_speech_says_what_was_said_of_the_voice(pipeline, reference, faces_dir):
    speech = pipeline.clone_voice(reference, "Hello there.", consent=True, seed=0)
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", speech, consent=True)
    assert any("offline voice" in note for note in speech.notes)
    assert clip.notes[: len(speech.notes)] == speech.notes


def test_the_record_names_the_inputs_as_they_were_read_not_as_they_are_when_saved(
    pipeline, reference, faces_dir, tmp_path
):
    """A reference overwritten, or deleted, between making a result and saving it had been recorded as the new file,
    or left out."""
    import hashlib
    import shutil

    mine, face = tmp_path / "mine.flac", tmp_path / "face.jpg"
    shutil.copyfile(reference, mine)
    shutil.copyfile(faces_dir / "painting_pearl_earring.jpg", face)
    used = hashlib.sha256(mine.read_bytes()).hexdigest()
    speech = pipeline.clone_voice(mine, "Hello there.", consent=True, seed=0)
    clip = pipeline.lipsync(face, speech, consent=True)
    face_used = hashlib.sha256(face.read_bytes()).hexdigest()
    mine.write_bytes(b"another recording")
    face.unlink()
    for result, name in ((speech, "said.wav"), (clip, "clip.mp4")):
        record = json.loads(record_path(result.save(tmp_path / name)).read_text())
        assert record["inputs"]["reference_voice"] == {"file": "mine.flac", "sha256": used}
    assert record["inputs"]["face"] == {"file": "face.jpg", "sha256": face_used}


def test_the_record_says_the_strength_the_mark_took_and_the_credentials_name_the_reference_voice(
    pipeline, reference, faces_dir, tmp_path, monkeypatch
):
    """Speech whose mark had to be made stronger (a word or two) had been recorded as marked at 1 dB, with the
    strengths it might have taken, which the content credentials garbled ("stronger_db": ""); and cloned speech, and a
    clip of it, named no ingredient for the reference recording whose voice they speak in."""
    import pipeline.provenance.audio_watermark as audio_watermark

    made = audio_watermark._marked
    tried: list[float] = []
    monkeypatch.setattr(
        audio_watermark,
        "_marked",
        lambda *args: tried.append(args[3]) or made(*args),  # args[3]: the strength
    )
    speech = pipeline.clone_voice(reference, "Hello there.", consent=True, seed=1)
    assert tried[-1] > AUDIO_MARK.strength_db, f"this speech took {tried}: choose one whose mark is made stronger"
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", speech, consent=True)
    assert len(tried) == 2  # the clip's soundtrack keeps the speech's mark: none added
    for result, name in ((speech, "said.wav"), (clip, "clip.mp4")):
        path = result.save(tmp_path / name)
        record = json.loads(record_path(path).read_text())
        assert record["watermarks"]["audio"]["strength_db"] == tried[-1]
        credentials = detect(path).credentials
        assert (reference.name, "inputTo") in [(i.title, i.relationship) for i in credentials.ingredients]
    assert credentials.ingredients[0].title == "painting_pearl_earring.jpg"  # the clip's face first
    said = detect(tmp_path / "said.wav").credentials.actions[0]["parameters"]["description"]
    assert (
        said == f"synthesised by voxlip's generative models in the voice of the reference recording ({reference.name})"
    )


def test_a_speech_carries_its_rate_and_its_samples_alone_need_theirs(pipeline, reference, faces_dir, tmp_path):
    """A Speech is taken at its own rate wherever audio is (a reference too); another source_sr with it is refused,
    and its samples alone are refused without one (they had been taken at 16 kHz, 38% too slow)."""
    face = faces_dir / "painting_pearl_earring.jpg"
    speech = pipeline.clone_voice(reference, "Hello there, my friend.", consent=True, seed=0)
    with pytest.raises(InputError, match="the source recording is a Speech at 22050 Hz, which knows its own rate"):
        pipeline.convert_voice(reference, speech, consent=True, source_sr=16_000)
    with pytest.raises(InputError, match=NO_RATE.format("speech") + ".* or give the Speech itself"):
        pipeline.lipsync(face, speech.samples, consent=True)
    clip = pipeline.lipsync(face, speech, consent=True, source_sr=speech.sample_rate)  # its own rate: nothing to refuse
    from_samples = pipeline.lipsync(face, speech.samples, consent=True, source_sr=speech.sample_rate)
    assert clip.duration == pytest.approx(speech.duration, abs=0.05) == from_samples.duration
    again = pipeline.speaker(speech)
    assert again.given.what == f"voxlip Speech in memory, 22050 Hz, {speech.duration:.1f} s"


def test_inputs_given_in_memory_are_recorded_by_what_they_were_and_their_data(pipeline, reference, faces_dir, tmp_path):
    """Samples and pictures in memory had been left out of the record (a clip of them named the text alone): each is
    named by what it was and the sha256 of its data, as a file is by its name and sha256."""
    import hashlib

    from PIL import Image

    wave, rate = soundfile.read(reference, dtype="float32")
    photo = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB")
    face = np.asarray(photo)
    speech = pipeline.clone_voice(wave, "Hello there.", consent=True, seed=0, source_sr=rate)
    clip = pipeline.lipsync(face, speech, consent=True)
    voice = {
        "given": f"samples in memory, {rate} Hz, {len(wave) / rate:.1f} s",
        "sha256": hashlib.sha256(wave.tobytes()).hexdigest(),
    }
    picture = hashlib.sha256(face.tobytes()).hexdigest()
    height, width = face.shape[:2]
    for result, name in ((speech, "said.wav"), (clip, "clip.mp4")):
        record = json.loads(record_path(result.save(tmp_path / name)).read_text())
        assert record["inputs"]["reference_voice"] == voice
    assert record["inputs"]["face"] == {"given": f"RGB image in memory, {width}x{height}", "sha256": picture}

    heard = pipeline.lipsync(photo, speech.samples, consent=True, source_sr=speech.sample_rate)
    record = json.loads(record_path(heard.save(tmp_path / "heard.mp4")).read_text())
    assert record["inputs"] == {
        "audio": {
            "given": f"samples in memory, 22050 Hz, {seconds_in_words(speech.duration)}",
            "sha256": hashlib.sha256(speech.samples.tobytes()).hexdigest(),
        },
        "face": {"given": f"PIL RGB image in memory, {width}x{height}", "sha256": picture},
    }
    source = wave[: 3 * rate]
    converted = pipeline.convert_voice(reference, source, consent=True, seed=0, source_sr=rate)
    record = json.loads(record_path(converted.save(tmp_path / "converted.wav")).read_text())
    assert record["inputs"]["source_speech"] == {
        "given": f"samples in memory, {rate} Hz, 3.0 s",
        "sha256": hashlib.sha256(source.tobytes()).hexdigest(),
    }
    assert record["inputs"]["reference_voice"]["file"] == reference.name


def test_say_command(reference, tmp_path, capsys):
    out = tmp_path / "out.wav"
    base = ["say", "--ref", str(reference), "-o", str(out), "--synthesizer", "offline"]
    assert voxlip(base + ["--text", "Hello there.", "--i-have-consent"]) == 0
    printed = capsys.readouterr().out
    assert "offline signal processing" in printed and "note: offline voice" in printed
    assert soundfile.info(out).samplerate == 22050
    text_file = tmp_path / "words.txt"
    text_file.write_text("Twenty one apples. 42!", encoding="utf-8")
    assert voxlip(base + ["--text-file", str(text_file), "--i-have-consent"]) == 0
    for args, message in [
        (base + ["--i-have-consent"], "--text"),
        (base + ["--text", "Hello."], "--i-have-consent"),
        (
            [
                "say",
                "--ref",
                str(tmp_path / "none.wav"),
                "-o",
                str(tmp_path / "x.wav"),
                "--text",
                "Hi.",
                "--i-have-consent",
            ],
            "does not exist",
        ),
        (base + ["--text", "Hi.", "--i-have-consent", "--synthesizer", str(tmp_path / "none.pt")], "does not exist"),
    ]:
        capsys.readouterr()
        assert voxlip(args) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "x.wav").exists()


def test_speech_made_without_a_seed_names_the_seed_drawn_which_makes_it_again(
    pipeline, reference, speech_files, tmp_path, capsys
):
    """Without a seed the seed used had been lost: the record named none (seeds 7 and 8 had given records differing
    only in the output's hash and z), so an output could not be made again from its record. One is drawn now, used,
    and named by the result, its record and the command line's report."""
    out, again = tmp_path / "drawn.wav", tmp_path / "again.wav"
    args = ["say", "--ref", str(reference), "--synthesizer", "offline", "--text", "Hello there.", "--i-have-consent"]
    assert voxlip([*args, "-o", str(out)]) == 0
    seed = json.loads(record_path(out).read_text())["settings"]["voice"]["seed"]
    assert isinstance(seed, int) and f"seed: {seed} (--seed {seed} makes the same again)" in capsys.readouterr().out
    assert voxlip([*args, "-o", str(again), "--seed", str(seed)]) == 0
    np.testing.assert_array_equal(soundfile.read(out)[0], soundfile.read(again)[0])

    said = pipeline.clone_voice(reference, "Hello there.", consent=True)
    assert isinstance(said.seed, int)
    remade = pipeline.clone_voice(reference, "Hello there.", consent=True, seed=said.seed)
    np.testing.assert_array_equal(said.samples, remade.samples)
    assert (remade.seed, pipeline.clone_voice(reference, "Hi.", consent=True, seed=7).seed) == (said.seed, 7)

    pieces = list(pipeline.stream_voice(reference, "Hello there, my friend. And one more.", consent=True))
    assert len(pieces) > 1 and {piece.seed for piece in pieces} == {pieces[0].seed}
    record = json.loads(record_path(pieces[1].save(tmp_path / "piece.wav")).read_text())
    voice = record["settings"]["voice"]
    assert (voice["seed"], voice["stream_piece"]) == (pieces[0].seed, 1)

    source = next(p for p in speech_files if p.stem == "19-198-0000")
    converted = pipeline.convert_voice(reference, source, consent=True)
    record = json.loads(record_path(converted.save(tmp_path / "converted.wav")).read_text())
    assert record["settings"]["voice"]["seed"] == converted.seed
    remade = pipeline.convert_voice(reference, source, consent=True, seed=converted.seed)
    np.testing.assert_array_equal(converted.samples, remade.samples)


def _signed_details(path) -> dict:
    """The voxlip assertion of `path`'s content credentials, as c2pa reads it back."""
    import c2pa

    mime = {".wav": "audio/wav", ".mp4": "video/mp4"}[path.suffix]
    with open(path, "rb") as stream, c2pa.Reader(mime, stream) as reader:
        store = json.loads(reader.json())
    assertions = store["manifests"][store["active_manifest"]]["assertions"]
    return next(a["data"] for a in assertions if a["label"] == "org.voxlip.provenance")


def test_the_record_names_the_settings_and_the_software_speech_was_made_with(reference, tmp_path):
    """The record had named none of the settings that change the output (similarity, language, precision, ...) and no
    version but voxlip's own ("0.1.0", whatever torch or numpy computed it): its settings and environment name them
    now, and its content credentials sign them."""
    import platform

    from core.ffmpeg import executable

    out = tmp_path / "said.wav"
    args = ["say", "--ref", str(reference), "--synthesizer", "offline", "--text", "Hello there.", "-o", str(out)]
    assert voxlip([*args, "--similarity", "0.6", "--language", "en", "--seed", "4", "--i-have-consent"]) == 0
    record = json.loads(record_path(out).read_text())
    voice = record["settings"]["voice"]
    assert (voice["seed"], voice["device"], voice["language"], voice["precision"]) == (4, "cpu", "en", "float32")
    assert (voice["synthesizer"], voice["converter"], voice["encoder"]) == ("offline", "auto", "resemblyzer")
    assert voice["offline"]["similarity"] == 0.6 and voice["offline"]["base_voice"] == "piper-joe"
    assert voice["offline"]["formant_range"] == list(OfflineConfig().formant_range)
    software = record["environment"]
    assert (software["python"], software["packages"]["numpy"]) == (platform.python_version(), np.__version__)
    assert {"torch", "onnxruntime", "praat-parselmouth"} <= set(software["packages"])
    assert software["ffmpeg"] == Path(executable()).name and "/" not in software["ffmpeg"]
    signed = _signed_details(out)
    assert json.loads(signed["settings_json"]) == record["settings"] and signed["environment"] == software
    assert detect(out).record_matches


def test_similarity_0_is_said_to_be_the_base_voice_as_it_is(reference, tmp_path, capsys):
    """`voxlip say --similarity 0` gives the base voice unconverted (converter none's samples), and its output, its
    record and its notes had still named the offline conversion toward the reference."""
    import soundfile as sf

    said = {}
    for name, options in {"similarity": ["--similarity", "0"], "none": ["--converter", "none"]}.items():
        out = tmp_path / f"{name}.wav"
        args = ["say", "--ref", str(reference), "-o", str(out), "--synthesizer", "offline", "--seed", "3"]
        assert voxlip([*args, "--text", "Hello there.", "--i-have-consent", *options]) == 0
        said[name] = capsys.readouterr().out
        record = json.loads(record_path(out).read_text())
        assert "voice conversion" not in json.dumps(record), record
        np.testing.assert_array_equal(sf.read(out)[0], sf.read(tmp_path / "similarity.wav")[0])
    assert "voice conversion" not in said["similarity"] and "offline voice conversion" not in said["similarity"]
    assert "reference analysis" not in said["similarity"], "the reference is not analysed for speech that ignores it"
    assert "note: similarity 0: the base voice as it is, not moved toward the reference" in said["similarity"]


def test_say_with_seeded_sv2tts_and_griffin_lim(reference, seeded_checkpoint, tmp_path, capsys):
    synthesizer = seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")
    out = tmp_path / "neural.wav"
    args = [
        "say",
        "--ref",
        str(reference),
        "--text",
        "Hi.",
        "-o",
        str(out),
        "--synthesizer",
        str(synthesizer),
        "--vocoder",
        "griffinlim",
        "--seed",
        "3",
        "--i-have-consent",
    ]
    assert voxlip(args) == 0
    printed = capsys.readouterr().out
    assert "synthesizer: synthesizer.pt (neural" in printed and "Griffin-Lim" in printed
    assert detect(out).audio.detected
    recorded = record_path(out).read_text()  # a file given by its path is named by its name alone, as its component is
    voice = json.loads(recorded)["settings"]["voice"]
    assert (voice["synthesizer"], voice["vocoder"]) == ("synthesizer.pt", "griffinlim")
    assert str(synthesizer.parent) not in recorded and str(tmp_path) not in recorded


def test_run_command_makes_a_clip(reference, faces_dir, tmp_path, capsys):
    out = tmp_path / "clip.mp4"
    args = [
        "run",
        "--ref",
        str(reference),
        "--face",
        str(faces_dir / "painting_pearl_earring.jpg"),
        "--text",
        "Hello world, this is a short test of the offline voice.",  # over AUDIO_MARK.checked_seconds: a conclusive mark
        "-o",
        str(out),
        "--synthesizer",
        "offline",
        "--checkpoint",
        "offline",
        "--i-have-consent",
    ]
    assert voxlip(args) == 0
    printed = capsys.readouterr().out
    assert "took " in printed and "lip-sync" in printed
    report = detect(out)
    assert report.audio.detected and report.frames.detected and report.credentials.valid
    assert probe(out).audio_rate == 22_050  # the voice's own rate, not the 16 kHz the lip-sync hears


def test_run_rejects_a_bad_face_before_making_speech(reference, faces_dir, tmp_path, capsys):
    args = [
        "run",
        "--ref",
        str(reference),
        "--face",
        str(faces_dir / "not_a_person_dog.jpg"),
        "--text",
        "Hi.",
        "-o",
        str(tmp_path / "x.mp4"),
        "--i-have-consent",
    ]
    assert voxlip(args) == 1
    assert "no face found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_save_whose_record_would_replace_an_input_is_refused(pipeline, reference, tmp_path):
    """A Speech saved as `x.wav`, made from a recording named `x.wav.provenance.json`, had written its record over that
    recording: the check of its inputs named the output alone."""
    given = tmp_path / "x.wav.provenance.json"
    given.write_bytes(reference.read_bytes())
    speech = pipeline.clone_voice(given, "Hello there.", consent=True, seed=0)
    with pytest.raises(InputError, match=r"x\.wav would write .*x\.wav\.provenance\.json beside it, which is also an"):
        speech.save(tmp_path / "x.wav")
    assert given.read_bytes() == reference.read_bytes() and sorted(tmp_path.iterdir()) == [given]


def test_a_speech_voxlip_did_not_make_with_consent_is_refused_at_save(pipeline, reference, tmp_path):
    """A Speech built by hand from 0.9 s of a real reader (too short for its missing mark to show) had been signed as
    voxlip's output, its record saying no consent; one made with consent had been signed with its consent removed, or
    with a "statement" that denied it. Only what voxlip made, with the consent it took, as it made it, is saved."""
    import dataclasses

    from pipeline import Speech
    from pipeline.provenance.consent import CONSENT_STATEMENT

    wave, rate = soundfile.read(reference, dtype="float32")
    made = pipeline.clone_voice(reference, "I never agreed to say this.", consent=True, seed=1)
    no_consent = "carries no statement of consent voxlip took"
    not_made = "is not as voxlip made it"
    for speech, message in [
        (Speech(samples=wave[rate : int(1.9 * rate)], sample_rate=rate, text=None, components=()), no_consent),
        (Speech(samples=wave[: 5 * rate], sample_rate=rate, text=None, components=()), no_consent),
        (dataclasses.replace(made, consent=None), no_consent),
        (dataclasses.replace(made, consent=None, speaker=None), no_consent),
        (dataclasses.replace(made, consent="I did not ask anyone"), "consent='I did not ask anyone'"),
        (
            Speech(
                samples=wave[rate : int(1.9 * rate)],
                sample_rate=rate,
                text=None,
                components=(),
                consent=CONSENT_STATEMENT,
            ),
            not_made,
        ),
        (dataclasses.replace(made, samples=wave[rate : int(1.9 * rate)], sample_rate=rate), not_made),
        (dataclasses.replace(made, sample_rate=made.sample_rate * 2), not_made),
    ]:
        with pytest.raises(InputError, match=message):
            speech.save(tmp_path / "refused.wav")
    assert list(tmp_path.iterdir()) == []
    retitled = dataclasses.replace(made, notes=())  # what voxlip made, said otherwise: still its samples and consent
    record = json.loads(record_path(retitled.save(tmp_path / "made.wav")).read_text())
    assert record["consent"] == {"stated": True, "statement": CONSENT_STATEMENT}
    first = next(iter(pipeline.stream_voice(reference, "Hi. And then some more words follow.", consent=True)))
    assert first.duration < AUDIO_MARK.checked_seconds and first.save(tmp_path / "piece.wav").is_file()
    kept = pickle.loads(pickle.dumps(made))  # through a queue or a file to a worker: the same speech as voxlip made
    assert kept.save(tmp_path / "kept.wav").is_file()
    unsettled = dataclasses.replace(made, settings={})  # as a voxlip that recorded no settings made it and sealed it
    older = dataclasses.replace(unsettled, _seal=seal(unsettled._recorded_fields))
    del older.__dict__["settings"]  # pickled by that voxlip: a Speech with no settings at all
    unpickled = pickle.loads(pickle.dumps(older))
    assert unpickled.seed is None and unpickled.save(tmp_path / "older.wav").is_file()


def test_a_speech_built_by_hand_from_its_samples_alone_is_refused_at_save_saying_what_to_do(tmp_path):
    """docs/api.md says a Speech built by hand (`Speech(samples=...)`) is refused with what to do instead; one given its
    samples and rate alone had raised "missing 2 required positional arguments: 'text' and 'components'"."""
    from pipeline import Speech

    speech = Speech(samples=np.zeros(22050, np.float32), sample_rate=22050)
    with pytest.raises(ConsentError, match="make it with clone_voice, stream_voice or convert_voice and consent=True"):
        speech.save(tmp_path / "speech.wav")
    assert list(tmp_path.iterdir()) == []


def test_a_speech_whose_recorded_fields_were_replaced_is_refused_at_save(pipeline, reference, speech_files, tmp_path):
    """A Speech's seal had covered its samples, rate and consent only: `dataclasses.replace` of its text, components,
    speaker or source had been signed and recorded as voxlip's (a re-voiced recording saved naming neither the voice
    cloned nor the recording, credited as made from nothing; a text never said). All that its record and content
    credentials are made from is sealed now; notes and timings stay free."""
    said = pipeline.clone_voice(reference, "This is a sentence to test saving.", consent=True, seed=1)
    source = next(p for p in speech_files if p.stem == "19-198-0000")
    converted = pipeline.convert_voice(reference, source, consent=True, seed=0)
    for changed in [
        dataclasses.replace(said, text="I confess to the crime."),
        dataclasses.replace(said, components=()),
        dataclasses.replace(said, components=said.components[1:]),
        dataclasses.replace(said, speaker=None),
        dataclasses.replace(said, speaker=pipeline.speaker(source)),
        dataclasses.replace(converted, source=None, source_sha256=None, source_given=None, speaker=None),
        dataclasses.replace(converted, source_sha256="0" * 64),
        dataclasses.replace(said, settings={"voice": {"seed": 2}}),
    ]:
        with pytest.raises(InputError, match="is not as voxlip made it .* only notes and timings may be replaced"):
            changed.save(tmp_path / "refused.wav")
        assert not changed.as_made
    assert list(tmp_path.iterdir()) == []
    retold = dataclasses.replace(converted, notes=("a note of mine",), timings={})
    record = json.loads(record_path(retold.save(tmp_path / "converted.wav")).read_text())
    assert record["inputs"]["source_speech"]["file"] == source.name
    assert record["inputs"]["reference_voice"]["file"] == reference.name
    kept = pickle.loads(pickle.dumps(converted))  # to a worker and back: still as voxlip made it
    assert kept.as_made and kept.save(tmp_path / "kept.wav").is_file()


def test_a_speech_not_as_voxlip_made_it_is_lip_synced_as_samples_its_claims_unrecorded(reference, faces_dir):
    """A Speech built by hand had its claimed components and text recorded in the clip made from it, as if voxlip
    had made that speech: it is now taken as samples in memory, as any samples are."""
    from core.components import Component
    from pipeline import Speech

    wave, rate = soundfile.read(reference, dtype="float32")
    claimed = Component("synthesizer", "a-model-that-never-ran", "0" * 64)
    built = Speech(samples=wave[: 2 * rate], sample_rate=rate, text="words never said", components=(claimed,))
    face = faces_dir / "painting_pearl_earring.jpg"
    with Pipeline("cpu", lipsync="offline").lipsync(face, built, consent=True) as clip:
        assert claimed not in clip.components and clip.text is None
        assert clip.given["audio"].what.startswith("samples in memory")


def test_a_speech_and_a_clip_are_equal_only_to_themselves(pipeline, reference, faces_dir):
    """`a == b` and `a in [b]` had raised "truth value of an array is ambiguous" (a Speech compared its samples), and
    `hash(a)` had raised: each result is one thing made, compared and hashed by identity."""
    first, again = (pipeline.clone_voice(reference, "Equal?", consent=True, seed=1) for _ in range(2))
    np.testing.assert_array_equal(first.samples, again.samples)
    assert first == first and first != again and first in [again, first] and again not in [first]
    assert {first: 1, again: 2}[again] == 2 and hash(first) == hash(first)
    speaker, same = pipeline.speaker(reference), pipeline.speaker(reference)  # a Speaker too
    assert speaker == speaker and speaker != same and speaker in [same, speaker] and {speaker: 1}[speaker] == 1
    with pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", first, consent=True) as clip:
        assert clip == clip and clip not in [first] and {clip: 1}[clip] == 1


def test_stream_voice_starts_with_a_short_marked_piece(pipeline, reference):
    text = "Hello there, my good friend. This longer sentence follows, with more words in it. And one more."
    pieces = list(pipeline.stream_voice(reference, text, consent=True))
    assert len(pieces) >= 2 and len(pieces[0].text) <= 24
    assert " ".join(p.text for p in pieces).replace("  ", " ") == text
    assert all(p.sample_rate == pieces[0].sample_rate for p in pieces)
    for piece in pieces:  # each marked; under AUDIO_MARK.checked_seconds too briefly for a conclusive check (z >= 5.5)
        found = detect_audio_mark(piece.samples, piece.sample_rate)
        checked = len(piece.samples) >= AUDIO_MARK.checked_seconds * piece.sample_rate
        assert found.detected if checked else found.score > 3
    assert any("fetch the SV2TTS checkpoints" in n for n in pieces[0].notes)


def test_a_new_voice_is_fitted_at_its_first_speech_and_a_short_clone_voice_warms_it(pipeline, reference, monkeypatch):
    """speaker() had said it prepares a voice once to reuse, but the offline voice's fit to a new voice, made in its
    first speech, made a first streamed piece take 2.95-5.15 s against 0.3 s after. speaker() leaves the fit out (an
    embedding or a re-voicing needs none), says so and how to warm a voice up; the warm-up covers the stream."""
    import inspect

    fits = []
    offline = pipeline._voice.offline_voice
    fitted = offline.fitted
    monkeypatch.setattr(offline, "fitted", lambda *args, **kwargs: fits.append(1) or fitted(*args, **kwargs))
    wave, rate = soundfile.read(reference, dtype="float32")
    speaker = pipeline.speaker(wave * np.float32(0.9), rate)  # a voice this pipeline has not fitted
    assert fits == []
    pipeline.clone_voice(speaker, "Hi.", consent=True, seed=1)
    assert len(fits) == 1
    list(pipeline.stream_voice(speaker, "Hello there, my good friend.", consent=True, seed=1))
    assert len(fits) == 1
    assert 'clone_voice(speaker, "Hi.", consent=True)' in inspect.getdoc(Pipeline.speaker)


def test_stream_voice_joins_a_phrase_cut_between_words_without_a_pause(pipeline, reference):
    """The first piece is cut inside a phrase ("Good morning | everyone,"): the quiet where the pieces meet is as short
    as between words said together (each piece's own edges had made a 0.2 s pause there)."""
    pieces = list(pipeline.stream_voice(reference, "Good morning everyone, and welcome to the show.", consent=True))
    assert pieces[0].text == "Good morning"
    joined, rate = np.concatenate([p.samples for p in pieces[:2]]), pieces[0].sample_rate
    hop = rate // 100
    frames = np.square(joined[: len(joined) // hop * hop].reshape(-1, hop)).mean(axis=1)
    quiet = frames < frames.max() * 10 ** (-3.0)  # 30 dB under the loudest 10 ms
    join = len(pieces[0].samples) // hop
    start, end = join, join
    while start > 0 and quiet[start - 1]:
        start -= 1
    while end < len(quiet) and quiet[end]:
        end += 1
    assert (end - start) * hop / rate <= 0.08


def test_stream_voice_pauses_longer_after_a_paragraph(pipeline, reference):
    """The piece that ends a paragraph ends with PARAGRAPH_PAUSE of silence, one that ends a sentence with less."""
    from voice.cloning import SENTENCE_PAUSE
    from voice.joins import PARAGRAPH_PAUSE

    pieces = list(pipeline.stream_voice(reference, "Good morning. Here we are.\n\nWelcome to the show.", consent=True))
    assert [p.text.strip() for p in pieces] == ["Good morning.", "Here we are.", "Welcome to the show."]
    hop = pieces[0].sample_rate // 100
    trailing = []  # seconds of quiet (10 ms frames 40 dB under the loudest) at each piece's end: marked, not zeros
    for piece in pieces:
        power = np.square(piece.samples[: len(piece.samples) // hop * hop].reshape(-1, hop)).mean(axis=1)
        trailing.append((len(power) - 1 - np.flatnonzero(power > power.max() * 1e-4)[-1]) / 100)
    assert trailing[0] >= SENTENCE_PAUSE and trailing[1] >= PARAGRAPH_PAUSE
    assert trailing[1] - trailing[0] > (PARAGRAPH_PAUSE - SENTENCE_PAUSE) / 2  # each piece's own end differs a little


def test_stream_voice_ends_a_line_without_a_mark_as_a_sentence(pipeline, reference):
    """A list's items end as sentences when streamed, as in the speech said at once (`lines_ended`): each had run into
    the next, its last word cut short ("Drink wa-") and no pause after it."""
    from voice.cloning import SENTENCE_PAUSE

    text = "Wake up at six\nDrink water\nMake coffee"
    pieces = list(pipeline.stream_voice(reference, text, consent=True))
    hop = pieces[0].sample_rate // 100
    for piece in pieces[-3:-1]:  # seconds of quiet (10 ms frames 40 dB under the loudest) at the end of each line
        power = np.square(piece.samples[: len(piece.samples) // hop * hop].reshape(-1, hop)).mean(axis=1)
        assert (len(power) - 1 - np.flatnonzero(power > power.max() * 1e-4)[-1]) / 100 >= SENTENCE_PAUSE
    assert [p.text for p in pieces][-2:] == ["Drink water.", "Make coffee"]


def test_whole_and_streamed_speech_start_after_the_same_short_lead_with_their_phones(pipeline, reference, monkeypatch):
    """A base voice that starts after 0.5 s of quiet (Piper does, for some sentences) is heard after at most the
    lead OfflineConfig.quiet_edges_seconds keeps, said whole or streamed (its first piece), its phones moved along;
    1 s of quiet after it is cut to the tail kept."""
    from voice.joins import speech_bounds

    text = "Good morning everyone, and welcome to the show."
    pipeline.clone_voice(reference, text, consent=True, seed=1)  # the reference fitted before the voice is changed
    base = pipeline._voice.offline_voice.base
    speak = base.speak

    def late(*args, **kwargs):
        said = speak(*args, **kwargs)
        moved = tuple(p._replace(start=p.start + 0.5, end=p.end + 0.5) for p in said.phones)
        quiet = np.zeros(said.sample_rate // 2, np.float32)
        return dataclasses.replace(said, wave=np.concatenate([quiet, said.wave, quiet, quiet]), phones=moved)

    monkeypatch.setattr(base, "speak", late)
    whole = pipeline.clone_voice(reference, text, consent=True, seed=1)
    first = next(iter(pipeline.stream_voice(reference, text, consent=True, seed=1)))
    config = OfflineConfig()
    lead, tail = config.quiet_edges_seconds
    for speech in (whole, first):
        start, _ = speech_bounds(speech.samples, speech.sample_rate, config.speech_floor_db, margin=0.0)
        assert start / speech.sample_rate <= lead + 0.01
        assert 0.0 <= speech.phones[0].start <= lead + 0.1
    end = speech_bounds(whole.samples, whole.sample_rate, config.speech_floor_db, margin=0.0)[1]
    assert (len(whole.samples) - end) / whole.sample_rate <= tail + 0.01


def test_speech_the_base_voice_starts_at_a_sound_gets_a_quiet_lead_whole_and_streamed(pipeline, reference, monkeypatch):
    """A base voice that starts at a sound on its first sample (Piper does, for sentences beginning with "s" or "sh")
    is heard after at least OfflineConfig.least_lead_seconds (0.05 s) of quiet, said whole or streamed (its first
    piece), its phones moved along."""
    from voice.joins import speech_bounds

    text = "Sam said hello, and then he left the room."
    pipeline.clone_voice(reference, text, consent=True, seed=1)  # the reference fitted before the voice is changed
    base = pipeline._voice.offline_voice.base
    speak = base.speak
    config = OfflineConfig()

    def at_a_sound(*args, **kwargs):
        said = speak(*args, **kwargs)
        first, _ = speech_bounds(said.wave, said.sample_rate, config.speech_floor_db, margin=0.0)
        cut = first / said.sample_rate
        moved = tuple(p._replace(start=max(p.start - cut, 0.0), end=p.end - cut) for p in said.phones)
        return dataclasses.replace(said, wave=said.wave[first:], phones=moved)

    monkeypatch.setattr(base, "speak", at_a_sound)
    whole = pipeline.clone_voice(reference, text, consent=True, seed=1)
    first = next(iter(pipeline.stream_voice(reference, text, consent=True, seed=1)))
    for speech in (whole, first):
        start, _ = speech_bounds(speech.samples, speech.sample_rate, config.speech_floor_db, margin=0.0)
        assert start / speech.sample_rate >= 0.04
        assert speech.phones[0].start >= 0.05 - 1e-6


def test_voice_clone_function_unpacks_and_names_components(reference):
    from pipeline import clone

    with pytest.raises(ConsentError):
        clone(reference, "Hi there.", consent=False)
    result = clone(reference, "Hi there, how are you?", consent=True, synthesizer="offline")
    wave, sr = result
    assert sr == 22050 and wave.ndim == 1 and len(wave) > sr // 2
    assert detect_audio_mark(wave, sr).detected
    assert [c.role for c in result.components] == ["speaker encoder", "synthesizer", "voice conversion"]


def test_voice_vocode_function_griffin_lim():
    from pipeline import vocode

    mel = np.random.default_rng(0).uniform(-4, 0, (80, 20)).astype(np.float32)
    wave, sr = vocode(mel, "griffinlim")
    assert sr == 16000 and len(wave) == pytest.approx(20 * 200, abs=400)


def test_the_one_call_functions_choose_the_device_as_a_pipeline_does(reference, monkeypatch):
    """clone had defaulted to "cpu" where Pipeline defaults to "auto" (a GPU when there is one); vocode had passed
    its device on unchecked."""
    import pipeline.api
    from pipeline import clone, vocode

    asked = []
    resolve = pipeline.api.resolve_device
    monkeypatch.setattr(pipeline.api, "resolve_device", lambda device: asked.append(device) or resolve(device))
    Pipeline()
    clone(reference, "Hi there.", consent=True, synthesizer="offline")
    vocode(np.zeros((80, 20), np.float32) - 4, "griffinlim")
    assert asked == ["auto", "auto", "auto"]
    with pytest.raises(InputError, match="unknown device 'tpu': use auto, cpu"):
        vocode(np.zeros((80, 20), np.float32) - 4, "griffinlim", device="tpu")


def test_a_torch_device_is_taken_by_its_name():
    """vocode(mel, device=torch.device("cpu")) had failed with AttributeError once it checked its device."""
    import torch

    from pipeline import vocode
    from pipeline.api import resolve_device

    assert resolve_device(torch.device("cpu")) == "cpu"
    wave, _ = vocode(np.zeros((80, 20), np.float32) - 4, "griffinlim", device=torch.device("cpu"))
    assert wave.size > 0
    with pytest.raises(InputError, match="device 0: give its name, auto, cpu"):
        resolve_device(0)


def test_missing_neural_checkpoints_name_voxlip_fetch(reference, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path / "empty-cache"))
    args = ["say", "--ref", str(reference), "--text", "Hi.", "-o", str(tmp_path / "x.wav"), "--i-have-consent"]
    assert voxlip(args + ["--synthesizer", "sv2tts"]) == 1
    err = capsys.readouterr().err
    assert "voxlip fetch rtvc-synthesizer" in err and "Traceback" not in err, err
    assert not (tmp_path / "x.wav").exists()


def test_auto_mode_passes_over_a_synthesizer_in_the_cache_that_is_not_the_published_one(
    reference, tmp_path, monkeypatch, capsys
):
    """A synthesizer.pt in the cache that is not the published file (listed "differs") had made every `voxlip say` in
    auto mode fail, though SV2TTS had not been asked for: now the next best voice speaks, and a note names the file and
    what to do. Asked for (--synthesizer sv2tts), it is still refused."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("VOXLIP_CACHE", str(cache))
    (cache / "synthesizer.pt").write_bytes(b"x" * 100)
    out = tmp_path / "auto.wav"
    args = ["say", "--ref", str(reference), "--text", "Hi.", "-o", str(out), "--seed", "1", "--i-have-consent"]
    assert voxlip(args) == 0
    printed = capsys.readouterr().out
    reason = (
        f"checkpoint 'rtvc-synthesizer': {cache / 'synthesizer.pt'} has 100 bytes but the published file has "
        "370,554,559; the file in the cache is not the published one"
    )
    assert "synthesizer: piper-joe (neural" in printed, printed
    assert f"note: not used (auto mode took the next best instead): {reason}" in printed, printed
    assert "pass its path with --synthesizer" in printed and "voxlip fetch rtvc-synthesizer" in printed
    assert detect(out).audio.detected
    assert voxlip(args + ["--synthesizer", "sv2tts"]) == 1
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err, err


@pytest.mark.parametrize("bad", ["other-model", "truncated"])
def test_auto_mode_passes_over_a_synthesizer_in_the_cache_that_does_not_load(
    reference, tmp_path, monkeypatch, capsys, seeded_checkpoint, bad
):
    """A synthesizer.pt of the published size that does not load (another model's weights, or cut short and the size
    not known to differ) had made every `voxlip say` in auto mode exit 1, where auto's vocoder, converter and Wav2Lip
    pass such a file over: now the offline voice speaks, with a note naming the file and why. Asked for
    (--synthesizer sv2tts), it is still refused."""
    import dataclasses

    from core import checkpoints

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("VOXLIP_CACHE", str(cache))
    weights = seeded_checkpoint("rtvc_wavernn").read_bytes()
    synthesizer = cache / "synthesizer.pt"
    synthesizer.write_bytes(weights if bad == "other-model" else weights[:100_000])
    size = synthesizer.stat().st_size  # as the published file's: nothing tells it from that one but loading it
    registry = tuple(
        dataclasses.replace(c, size=size) if c.name == "rtvc-synthesizer" else c for c in checkpoints._REGISTRY
    )
    monkeypatch.setattr(checkpoints, "_REGISTRY", registry)
    why = {
        "other-model": "does not hold the SV2TTS Tacotron synthesizer: this looks like a WaveRNN vocoder checkpoint; "
        "delete it (or put it where its model's file goes) and run `voxlip fetch rtvc-synthesizer`",
        "truncated": "is not a readable PyTorch checkpoint: it may be truncated or corrupt: delete it and run "
        "`voxlip fetch rtvc-synthesizer`",
    }[bad]
    out = tmp_path / "auto.wav"
    args = ["say", "--ref", str(reference), "--text", "Hi.", "-o", str(out), "--seed", "1", "--i-have-consent"]
    assert voxlip(args) == 0
    printed = capsys.readouterr().out
    assert "synthesizer: piper-joe (neural" in printed, printed
    assert f"note: not used (auto mode took the next best instead): {synthesizer} {why}" in printed, printed
    assert voxlip(args + ["--synthesizer", "sv2tts"]) == 1
    err = capsys.readouterr().err
    assert f"{synthesizer} {why}" in err and "Traceback" not in err, err


def test_long_text_and_digits_are_spoken_not_refused():
    from voice.text.checks import check_text
    from voice.text.splitting import split_text
    from voice.text.sv2tts import english_cleaners

    text, notes = check_text(" ".join(["This sentence is part of a long letter."] * 125))  # 5,000 characters
    assert len(text) >= 4_999 and all(len(chunk) <= 150 for chunk in split_text(text))
    assert notes == () and english_cleaners(check_text("12345")[0]) == "twelve thousand, three hundred forty-five"


def test_say_with_seeded_sv2tts_and_the_fast_wavernn(reference, seeded_checkpoint, tmp_path, capsys):
    synthesizer = seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")
    vocoder = seeded_checkpoint("rtvc_wavernn", "vocoder.pt")
    out = tmp_path / "fast.wav"
    text = "Hello there, this sentence is long enough to carry the watermark."
    args = [
        "say",
        "--ref",
        str(reference),
        "--text",
        text,
        "-o",
        str(out),
        "--synthesizer",
        str(synthesizer),
        "--vocoder",
        "wavernn",
        "--vocoder-checkpoint",
        str(vocoder),
        "--fast-vocoder",
        "--seed",
        "1",
        "--i-have-consent",
    ]
    assert voxlip(args) == 0
    printed = capsys.readouterr().out
    assert "vocoder: vocoder.pt (neural" in printed and "WaveRNN fast mode" in printed
    assert soundfile.info(out).samplerate == 16000 and detect(out).audio.detected


def test_say_in_bfloat16_with_seeded_sv2tts_and_hifigan(reference, seeded_checkpoint, shared_dir, tmp_path, capsys):
    synthesizer = seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")
    vocoder = shutil.copy(seeded_checkpoint("hifigan_v3", "generator_v3"), tmp_path / "generator_v3")
    hparams = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v3.json").read_text())["hparams"]
    (tmp_path / "config.json").write_text(json.dumps(hparams))
    out = tmp_path / "bf16.wav"
    args = [
        "say",
        "--ref",
        str(reference),
        "--text",
        "Hello there, this is said in half precision.",
        "-o",
        str(out),
        "--synthesizer",
        str(synthesizer),
        "--vocoder",
        "hifigan",
        "--vocoder-checkpoint",
        str(vocoder),
        "--precision",
        "bfloat16",
        "--seed",
        "1",
        "--i-have-consent",
    ]
    assert voxlip(args) == 0
    assert "precision: bfloat16" in capsys.readouterr().out
    assert soundfile.info(out).samplerate == hparams["sampling_rate"] and soundfile.info(out).duration > 1


def test_wavernn_vocodes_all_sentences_as_one_mel_cut_at_their_ends(seeded_checkpoint):
    from core.components import Component
    from voice.cloning import SENTENCE_PAUSE, VoiceCloner
    from voice.joins import PARAGRAPH_PAUSE
    from voice.speaker import Speaker
    from voice.synthesizer import synthesize
    from voice.text.splitting import split_text

    synthesizer = seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")
    vocoder = seeded_checkpoint("rtvc_wavernn", "vocoder.pt")
    cloner = VoiceCloner("cpu", str(synthesizer), "wavernn", str(vocoder), fast_vocoder=True)
    embedding = np.random.default_rng(0).normal(size=256).astype(np.float32)
    embedding /= np.linalg.norm(embedding)
    text = "Good morning.\nThe train leaves at noon.\n\nBring a coat."  # lines are never joined; a paragraph ends
    calls = []
    speaker = Speaker(np.zeros(16000, np.float32), embedding, Component("speaker encoder", "test"))
    cloned = cloner.clone(speaker, text, seed=4, progress=lambda *a: calls.append(a))

    mels = synthesize(split_text(text), embedding, cloner.tacotron, seed=4)
    assert len(mels) == 3
    whole, sr = cloner.vocode(np.concatenate(mels, axis=1), seed=4)
    pause = np.zeros(int(SENTENCE_PAUSE * sr), np.float32)
    hop = cloner.vocoder.config.hop_length
    ends = np.cumsum([m.shape[1] * hop for m in mels])
    paragraph = np.zeros(int(PARAGRAPH_PAUSE * sr), np.float32)
    expected = np.concatenate([whole[: ends[0]], pause, whole[ends[0] : ends[1]], paragraph, whole[ends[1] :]])
    np.testing.assert_array_equal(cloned.samples, expected)
    assert calls[-1][:2] == (3, 3) and [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)


def test_sv2tts_reads_text_by_the_rules_the_offline_voice_reads_with(seeded_checkpoint, monkeypatch):
    """The Tacotron had been given the text as typed, through RTVC's cleaners alone ("50%": "fifty")."""
    import voice.synthesizer
    from core.components import Component
    from voice.cloning import VoiceCloner
    from voice.speaker import Speaker

    given = []

    def synthesize(chunks, *args, **kwargs):
        given.extend(chunks)
        raise InterruptedError

    monkeypatch.setattr(voice.synthesizer, "synthesize", synthesize)
    cloner = VoiceCloner("cpu", str(seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")), "griffinlim")
    speaker = Speaker(np.zeros(16000, np.float32), np.zeros(256, np.float32), Component("speaker encoder", "test"))
    with pytest.raises(InterruptedError):
        cloner.clone(speaker, "Save 5-10% at 9:05.")
    assert given == ["Save 5 to 10 percent at 9 oh 5."]


def test_a_speaker_prepared_with_other_encoder_weights_under_the_same_name_is_prepared_again(
    reference, seeded_checkpoint, tmp_path
):
    """Prepared speakers had been kept by the encoder's name: a file of that name with other weights gave the old
    embedding, recorded with the old file's sha256."""
    import torch

    from core.files import sha256_file

    encoder = tmp_path / "encoder.pt"
    weights = torch.load(seeded_checkpoint("rtvc_encoder"), weights_only=True)
    torch.save(weights, encoder)
    first = Pipeline("cpu", encoder=str(encoder), synthesizer="offline").speaker(reference)
    weights["model_state"]["linear.weight"] = weights["model_state"]["linear.weight"].flip(0)  # other weights
    torch.save(weights, encoder)
    second = Pipeline("cpu", encoder=str(encoder), synthesizer="offline").speaker(reference)
    assert second.encoder.sha256 == sha256_file(encoder) != first.encoder.sha256
    assert not np.allclose(first.embedding, second.embedding)


def test_a_prepared_speaker_names_the_encoder_of_the_pipeline_that_asks_for_it(reference):
    """With Resemblyzer's pretrained.pt as rtvc-encoder's encoder.pt, a speaker prepared by
    Pipeline(encoder="rtvc-encoder") had come back from the cache to Pipeline() (the key was the encoder's sha256
    alone), naming rtvc-encoder in records Resemblyzer's encoder was said to make, with RTVC's embedding."""
    from core import checkpoints
    from voice.encoder import load_encoder

    resemblyzer = checkpoints.local_path(checkpoints.get("resemblyzer"))
    shutil.copyfile(resemblyzer, checkpoints.cache_dir() / checkpoints.get("rtvc-encoder").filename)
    by_rtvc = Pipeline("cpu", encoder="rtvc-encoder", synthesizer="offline").speaker(reference)
    by_default = Pipeline("cpu", synthesizer="offline").speaker(reference)
    assert (by_rtvc.encoder.checkpoint, by_default.encoder.checkpoint) == ("rtvc-encoder", "resemblyzer")
    assert by_rtvc.encoder.sha256 == by_default.encoder.sha256
    expected = load_encoder("resemblyzer").embed_utterance(by_default.wave, preprocessed=True)
    np.testing.assert_allclose(by_default.embedding, expected, atol=1e-6)
    again = Pipeline("cpu", encoder="rtvc-encoder", synthesizer="offline").speaker(reference)
    assert again.encoder.checkpoint == "rtvc-encoder"
    np.testing.assert_array_equal(again.embedding, by_rtvc.embedding)


def test_bfloat16_is_called_emulated_on_a_cpu_without_its_instructions(tmp_path):
    """There it ran 20x slower than float32 while the note said "faster"."""
    from voice.precision import bfloat16_is_emulated

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    assert bfloat16_is_emulated(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert not bfloat16_is_emulated(cpuinfo)
    assert not bfloat16_is_emulated(tmp_path / "absent")  # cannot be told: no note


def test_a_voice_cloner_refuses_what_is_not_a_prepared_speaker_and_a_seed_out_of_range(speech_files):
    """clone("voice.flac", ...) had met "AttributeError: 'str' object has no attribute 'wave'", seed=-1 numpy's raw
    ValueError."""
    from core.components import Component
    from voice.cloning import VoiceCloner

    cloner = VoiceCloner(synthesizer="offline")
    prepare = r"make one with voice\.speaker\.prepare_speaker\(voice\.encoder\.load_encoder\(\), reference\)"
    with pytest.raises(InputError, match=f"VoiceCloner.clone takes a prepared Speaker, not a str: {prepare}"):
        cloner.clone(str(speech_files[0]), "Hello there.", seed=1)
    with pytest.raises(InputError, match="VoiceCloner.revoice takes a prepared Speaker, not an array"):
        cloner.revoice(np.zeros(16_000, np.float32), np.zeros(16_000, np.float32), 16_000)
    with pytest.raises(InputError, match="VoiceCloner.stream takes a prepared Speaker, not a PosixPath"):
        next(cloner.stream(speech_files[0], "Hello there."))
    embedding = np.full(256, 1 / 16, np.float32)
    speaker = Speaker(np.zeros(16_000, np.float32), embedding, Component("speaker encoder", "test"))
    for seed in (-1, 1.5, 2**32):
        with pytest.raises(InputError, match=f"seed {seed!r}: give a whole number from 0 to 4294967295"):
            cloner.clone(speaker, "Hello there.", seed=seed)
