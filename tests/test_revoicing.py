"""Re-voicing: OpenVoice V2's converter after the base voice (`--converter`), `voxlip convert` and
`Pipeline.convert_voice` for speech-to-speech, with the seeded converter and with no checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

import voice.revoicing as revoicing
from core import checkpoints
from core.errors import InputError
from core.ffmpeg import probe
from pipeline import Pipeline
from pipeline.cli import main as voxlip
from pipeline.provenance import detect, read_credentials
from voice.audio import SAMPLE_RATE, dbfs, load_audio, save_audio
from voice.pieces import converted_in_pieces, pieces_at_pauses
from voice.revoicing import NeuralConverter

RATE = 22_050


@pytest.fixture(scope="module")
def reference(speech_files):
    return next(p for p in speech_files if p.stem == "103-1240-0000")


@pytest.fixture(scope="module")
def source_file(speech_files, tmp_path_factory):
    """1.5 s of another speaker's speech, the recording to re-voice."""
    wave, rate = soundfile.read(next(p for p in speech_files if p.stem == "118-121721-0000"), dtype="float32")
    path = tmp_path_factory.mktemp("source") / "source.wav"
    soundfile.write(path, wave[int(0.3 * rate) : int(1.8 * rate)], rate)
    return path


@pytest.fixture(scope="module")
def talking_video(faces_dir, tmp_path_factory):
    """The first 1.2 s of a talking clip, with its soundtrack."""
    from core.ffmpeg import run

    path = tmp_path_factory.mktemp("video") / "talking.mp4"
    run(
        ["-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "1.2", "-c:v", "libx264", "-c:a", "aac", str(path)],
        "cut",
    )
    return path


@pytest.fixture
def fetched_converter(seeded_checkpoint, shared_dir):
    """The seeded OpenVoice V2 converter where `voxlip fetch openvoice-v2` puts it (this test's own cache)."""
    manifest = json.loads((shared_dir / "compat" / "manifests" / "openvoice_v2.json").read_text())
    path = checkpoints.local_path(checkpoints.get("openvoice-v2"))
    path.parent.mkdir(parents=True)
    path.symlink_to(seeded_checkpoint("openvoice_v2", "checkpoint.pth"))
    (path.parent / "config.json").write_text(json.dumps(manifest["hparams"]["config_json"]))
    return path


@pytest.mark.parametrize("length", [1, 5_000, 20_000, 20_001, 63_333, 200_000])
def test_long_speech_is_cut_at_its_pauses_into_pieces_that_overlap_there(length):
    rate = 1_000
    wave = np.random.default_rng(length).normal(0, 0.1, length).astype(np.float32)
    wave[17_000:17_400] *= 0.01  # a pause where the first piece may end (its last quarter: 15-20 s)
    bounds = pieces_at_pauses(wave, rate, longest_seconds=20, overlap_seconds=0.2)
    assert bounds[0][0] == 0 and bounds[-1][1] == length
    assert all(end - start <= 20_000 for start, end in bounds)
    assert all(nxt[0] == end - 200 for (_, end), nxt in zip(bounds, bounds[1:]))
    if length > 20_000:
        assert 17_200 <= bounds[0][1] <= 17_400  # the shared 0.2 s lies in the pause
    ones = converted_in_pieces(length, bounds, lambda i, start, end: np.ones(end - start, np.float32))
    np.testing.assert_allclose(ones, 1.0, atol=1e-6)  # the cross-fades sum to one


def test_long_speech_is_converted_in_pieces_as_long_as_it(fetched_converter, monkeypatch):
    converter = NeuralConverter()
    lengths = []
    original = revoicing.convert

    def spy(model, wave, *args, **kwargs):
        lengths.append(len(wave))
        return original(model, wave, *args, **kwargs)

    monkeypatch.setattr(revoicing, "convert", spy)
    monkeypatch.setattr(revoicing, "LONGEST_SECONDS", 0.5)
    monkeypatch.setattr(revoicing, "OVERLAP_SECONDS", 0.1)
    wave = (0.1 * np.sin(np.arange(int(1.6 * RATE)) * 2 * np.pi * 180 / RATE)).astype(np.float32)
    embedding = np.ones(256, np.float32) / 16
    done = []
    out = converter.convert(wave, RATE, embedding, embedding, seed=1, progress=lambda i, n: done.append((i, n)))
    assert out.shape == wave.shape and np.isfinite(out).all() and np.abs(out).max() > 0
    assert len(lengths) in (4, 5) and max(lengths) <= 0.5 * RATE and done[-1] == (len(lengths), len(lengths))
    again = converter.convert(wave, RATE, embedding, embedding, seed=1)
    np.testing.assert_array_equal(out, again)


def test_tone_colour_embeddings_are_computed_once(fetched_converter, monkeypatch):
    converter = NeuralConverter()
    calls = []
    wave = np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32)
    first = converter.embedding("test|noise", lambda: calls.append(1) or (wave, RATE))
    second = NeuralConverter().embedding("test|noise", lambda: calls.append(1) or (wave, RATE))
    assert first.shape == (256,) and calls == [1]
    np.testing.assert_array_equal(first, second)
    assert list((checkpoints.cache_dir() / "tone-colour").glob("*.npy"))


def test_a_converter_whose_config_json_was_edited_computes_its_embeddings_again(fetched_converter):
    """Embeddings had been kept by the checkpoint's sha256 alone: after an edit of config.json they were read back as
    the old config had made them, and the record did not name the config."""
    from core.files import sha256_file

    calls = []
    wave = np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32)
    NeuralConverter().embedding("test|noise", lambda: calls.append(1) or (wave, RATE))
    config_path = fetched_converter.parent / "config.json"
    config = json.loads(config_path.read_text())
    config["data"]["win_length"] = 800  # a narrower analysis window: the same weights hear other spectrograms
    config_path.write_text(json.dumps(config))
    edited = NeuralConverter()
    edited.embedding("test|noise", lambda: calls.append(1) or (wave, RATE))
    assert calls == [1, 1]
    assert edited.component.config_sha256 == sha256_file(config_path) and edited.component.sha256


def test_say_with_the_seeded_converter_writes_a_marked_file(fetched_converter, reference, tmp_path, capsys):
    out = tmp_path / "say.wav"
    args = ["say", "--ref", str(reference), "--text", "Hello there.", "-o", str(out), "--seed", "3"]
    assert voxlip(args + ["--converter", "openvoice-v2", "--i-have-consent"]) == 0
    printed = capsys.readouterr().out
    assert "synthesizer: piper-joe" in printed and "voice conversion: openvoice-v2 (neural" in printed, printed
    assert soundfile.info(out).samplerate == RATE and detect(out).audio.detected
    pipeline = Pipeline("cpu")  # auto: the fetched converter after the Piper voice, here and when streaming
    pieces = list(pipeline.stream_voice(reference, "Good morning to you all, my old friends.", consent=True, seed=1))
    assert len(pieces) >= 2 and all(p.components[-1].checkpoint == "openvoice-v2" for p in pieces)
    assert len(list((checkpoints.cache_dir() / "tone-colour").glob("*.npy"))) == 2  # the base voice's, the speaker's


def test_the_converter_starts_from_the_speaker_of_a_base_voice_nearest_the_reference(
    fetched_converter, three_speaker_voice, tmp_path, capsys
):
    path, halves = three_speaker_voice
    reference = tmp_path / "bob.wav"
    soundfile.write(reference, halves[1], 16_000)
    args = ["say", "--ref", str(reference), "--text", "Hello there.", "-o", str(tmp_path / "say.wav")]
    assert voxlip(args + ["--base-voice", str(path), "--converter", "openvoice-v2", "--i-have-consent"]) == 0
    printed = capsys.readouterr().out
    assert "synthesizer: en_US-three-medium#bob" in printed and "voice conversion: openvoice-v2" in printed, printed


def test_convert_with_the_seeded_converter_keeps_the_timing(fetched_converter, reference, source_file, tmp_path):
    out = tmp_path / "converted.wav"
    args = ["convert", "--ref", str(reference), "--source", str(source_file), "-o", str(out), "--seed", "1"]
    assert voxlip(args + ["--i-have-consent"]) == 0
    assert soundfile.info(out).duration == pytest.approx(soundfile.info(source_file).duration, abs=1e-3)
    assert detect(out).marked
    record = json.loads((tmp_path / "converted.wav.provenance.json").read_text())
    assert record["inputs"]["source_speech"]["file"] == "source.wav" and "text_sha256" not in record["inputs"]
    assert [c["checkpoint"] for c in record["components"]] == ["resemblyzer", "openvoice-v2"]


def test_convert_offline_with_no_checkpoints(reference, source_file, tmp_path, capsys, monkeypatch):
    out = tmp_path / "offline.wav"
    args = ["convert", "--ref", str(reference), "--source", str(source_file), "-o", str(out), "--seed", "2"]
    assert voxlip(args + ["--i-have-consent"]) == 0
    printed = capsys.readouterr().out
    assert "offline voice conversion" in printed and "fetch openvoice-v2" in printed
    assert soundfile.info(out).duration == pytest.approx(soundfile.info(source_file).duration, abs=1e-3)
    pipeline = Pipeline("cpu")
    first = pipeline.convert_voice(reference, source_file, consent=True, seed=4)
    second = pipeline.convert_voice(reference, source_file, consent=True, seed=4)
    np.testing.assert_array_equal(first.samples, second.samples)
    assert not first.neural and first.text is None
    monkeypatch.setenv("HOME", str(source_file.parent))  # "~" in a path: the home folder, as a shell has it (the
    from_home = pipeline.convert_voice(reference, f"~/{source_file.name}", consent=True, seed=4)  # record's read of it
    np.testing.assert_array_equal(from_home.samples, first.samples)  # had raised FileNotFoundError after the work)


def test_a_convert_is_credited_as_an_edit_of_its_source_keeping_a_voxlip_source_s_credentials(
    reference, source_file, tmp_path
):
    """`voxlip convert` had credited a re-voiced recording as created by a trained model from nothing; and of a file
    voxlip had made, it had dropped that file's own content credentials."""
    once, twice = tmp_path / "once.wav", tmp_path / "twice.wav"
    for source, out in ((source_file, once), (once, twice)):
        args = ["convert", "--ref", str(reference), "--source", str(source), "-o", str(out), "--seed", "2"]
        assert voxlip(args + ["--i-have-consent"]) == 0
    credentials = detect(twice).credentials
    assert credentials.valid and [action["action"] for action in credentials.actions] == ["c2pa.opened", "c2pa.edited"]
    edited = credentials.actions[1]
    assert edited["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert "the words, timing and delivery are the recording's (once.wav)" in edited["parameters"]["description"]
    ingredients = {i.title: i for i in credentials.ingredients}
    assert {title: (i.relationship, i.valid) for title, i in ingredients.items()} == {
        "once.wav": ("parentOf", True),
        reference.name: ("inputTo", None),  # the reference voice, an input to the models
    }
    assert ingredients["once.wav"].generator == credentials.generator  # once.wav's own manifest, kept
    assert sorted((i.title, i.generator) for i in read_credentials(once).ingredients) == [
        (reference.name, None),
        ("source.wav", None),
    ]


def test_a_long_recording_is_converted_offline_in_pieces_each_keeping_its_pitch(
    reference, speech_files, tmp_path, monkeypatch
):
    """30 s, a man then a woman: converted in pieces of at most 20 s (memory does not grow with the length), and the
    woman still speaks higher than the man by the same ratio (each piece is not set to one pitch)."""
    from voice.offline import engine
    from voice.offline.config import DEFAULT
    from voice.offline.pitch import praat_f0

    man, woman = (
        load_audio(next(p for p in speech_files if p.stem == stem)) for stem in ("163-121908-0000", "226-122538-0000")
    )
    source = save_audio(tmp_path / "two.wav", np.concatenate([man, woman]), SAMPLE_RATE)
    seconds = []  # of every change of voice
    change_voice = engine.change_voice
    monkeypatch.setattr(
        engine, "change_voice", lambda wave, rate, *a: seconds.append(len(wave) / rate) or change_voice(wave, rate, *a)
    )
    converted = Pipeline("cpu").convert_voice(reference, source, consent=True, seed=0)
    assert max(seconds) <= 20 and converted.duration == pytest.approx((len(man) + len(woman)) / SAMPLE_RATE, abs=1e-3)

    def median_hz(wave: np.ndarray, rate: int, start: float, end: float) -> float:
        f0 = praat_f0(load_audio(wave[int(start * rate) : int(end * rate)], source_sr=rate), DEFAULT)
        return float(np.median(f0[f0 > 0]))

    spoken = [median_hz(np.concatenate([man, woman]), SAMPLE_RATE, *span) for span in ((1, 13), (17, 29))]
    heard = [median_hz(converted.samples, converted.sample_rate, *span) for span in ((1, 13), (17, 29))]
    assert spoken[1] / spoken[0] > 1.3
    assert heard[1] / heard[0] == pytest.approx(spoken[1] / spoken[0], rel=0.1)


def test_quiet_room_tone_before_speech_with_an_offset_keeps_its_level(reference, speech_files, tmp_path):
    """20 s of room tone at -70 dBFS, then speech whose recording sits 0.01 off zero: the whole's offset taken out
    leaves the room tone off zero, which the conversion's high-pass removes; its level had been matched to the tone
    with that offset (23 dB louder, -47 dBFS), and is now matched to it without."""
    speech = load_audio(next(p for p in speech_files if p.stem == "198-126831-0000"))
    tone = np.random.default_rng(1).normal(0, 10 ** (-70 / 20), 20 * SAMPLE_RATE).astype(np.float32)
    source = save_audio(tmp_path / "room.wav", np.concatenate([tone, speech + np.float32(0.01)]), SAMPLE_RATE)
    converted = Pipeline("cpu").convert_voice(reference, source, consent=True, seed=0)
    rate = converted.sample_rate
    pre_roll = converted.samples[rate : 14 * rate]  # the first piece's tone, away from its edges and the mark's start
    level = 20 * np.log10(np.sqrt(np.mean(np.square(pre_roll, dtype=np.float64))))
    assert level == pytest.approx(-70, abs=3)


def test_a_long_recording_keeps_the_level_between_its_pieces(reference, speech_files, tmp_path):
    """A reading peaking at 0.99, then the same 12 dB quieter: two pieces. The loud one, converted at its source's
    level, peaks over full scale; it had been lowered alone (to 0.99: 1.9 dB), 10.1 dB over the quiet one. One gain
    for the whole now keeps the 12 dB between them, and the peak under full scale with the mark added."""
    speech = load_audio(next(p for p in speech_files if p.stem == "198-126831-0000"))
    loud = speech * np.float32(0.99 / np.abs(speech).max())
    quiet, gap = loud * np.float32(10 ** (-12 / 20)), np.zeros(SAMPLE_RATE, np.float32)
    source = save_audio(tmp_path / "two.wav", np.concatenate([loud, gap, quiet]), SAMPLE_RATE)
    converted = Pipeline("cpu").convert_voice(reference, source, consent=True, seed=0)
    rate, length = converted.sample_rate, len(loud) / SAMPLE_RATE

    def level(start: float, end: float) -> float:
        part = converted.samples[int(start * rate) : int(end * rate)]
        return 10 * np.log10(np.mean(np.square(part, dtype=np.float64)))

    assert level(0, length) - level(length + 1, 2 * length + 1) == pytest.approx(12, abs=0.5)
    assert np.abs(converted.samples).max() <= 1.0


@pytest.fixture
def one_word(source_file, tmp_path):
    """0.2 s of speech and a pause: too little for the VAD to call speech, or for a pitch to be read."""
    wave, rate = soundfile.read(source_file, dtype="float32")
    path = tmp_path / "one_word.wav"
    soundfile.write(path, np.concatenate([wave[rate : rate + rate // 5], np.zeros(rate // 2, dtype=np.float32)]), rate)
    return path


def test_voxlips_own_speech_is_re_voiced_at_its_own_rate(reference, source_file):
    """A Speech from clone_voice had been refused ("must be a file path or an array of samples ... not Speech"), and
    its samples alone need their rate: the Speech is taken itself, and what is refused names it."""
    pipeline = Pipeline("cpu")
    speech = pipeline.clone_voice(source_file, "Hello there, my good friend.", consent=True, seed=1)
    converted = pipeline.convert_voice(reference, speech, consent=True, seed=0)
    assert converted.duration == pytest.approx(speech.duration, abs=1e-3) and speech.sample_rate != SAMPLE_RATE
    with pytest.raises(InputError, match=r"or voxlip's Speech itself \(it carries its rate\)"):
        pipeline.convert_voice(reference, tuple(speech), consent=True)


def test_similarity_0_is_refused_where_nothing_would_be_converted(reference, source_file, tmp_path, capsys):
    """At similarity 0 the recording came back as it was, only watermarked, yet its content credentials said "the voice
    was converted to the reference speaker's" (c2pa.edited, trainedAlgorithmicMedia), and a video's real footage was
    labelled with a "synthesised" soundtrack: nothing is converted there, so it is refused, before any work."""
    import dataclasses

    from voice.offline.config import DEFAULT

    with pytest.raises(InputError, match=r"^revoicing_similarity 0 would leave the recording as it is: nothing would"):
        Pipeline("cpu", offline_voice=dataclasses.replace(DEFAULT, revoicing_similarity=0.0))
    out = tmp_path / "c3.flac"
    args = ["convert", "--ref", str(reference), "--source", str(source_file), "-o", str(out), "--similarity", "0"]
    assert voxlip([*args, "--i-have-consent"]) == 1
    assert capsys.readouterr().err == (
        "voxlip: error: --similarity 0 would leave the recording as it is: nothing would be converted; give a "
        "similarity above 0, up to 1 (the default is 0.5)\n"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []
    low = Pipeline("cpu", offline_voice=dataclasses.replace(DEFAULT, revoicing_similarity=0.05))
    assert low.convert_voice(reference, source_file, consent=True, seed=0).duration > 0  # the least the demo offers


def test_a_band_limited_reference_is_noted_in_words_for_a_re_voiced_recording(reference, source_file, tmp_path):
    """A phone call's reference had been said to leave "the base voice's colour" above its top, though a re-voiced
    recording has no base voice: above it the recording keeps its own."""
    phone = save_audio(tmp_path / "phone.wav", load_audio(reference, 8_000), 8_000)
    converted = Pipeline("cpu").convert_voice(phone, source_file, consent=True, seed=0)
    notes = "\n".join(converted.notes)
    assert "the reference has nothing above 3.9 kHz" in notes, notes
    assert "above that the re-voiced recording keeps its own colour" in notes and "base voice" not in notes


def test_source_samples_too_short_or_silent_are_named_in_good_grammar(reference):
    """The message had said "the source samples is 0.01 s long"."""
    voxlip = Pipeline("cpu")
    with pytest.raises(InputError, match=r"^the source array is 0\.01 s long: give at least 0\.5 s"):
        voxlip.convert_voice(reference, np.full(160, 0.1, np.float32), consent=True, source_sr=16_000)
    with pytest.raises(InputError, match=r"^the source array is silent: give a recording"):
        voxlip.convert_voice(reference, np.zeros(16_000, np.float32), consent=True, source_sr=16_000)


def test_a_recording_too_short_for_its_pitch_is_converted_with_a_note_saying_why(reference, one_word):
    converted = Pipeline("cpu").convert_voice(reference, one_word, consent=True, seed=0)
    assert any(note.startswith("could not estimate the pitch of the recording (only") for note in converted.notes)
    made_by = " ".join((*converted.notes, *(c.describe() for c in converted.components)))
    assert "timbre only" in made_by and "pitch, formants" not in made_by  # its timbre alone moved, as the note says
    assert len(converted.samples) / converted.sample_rate == pytest.approx(soundfile.info(one_word).duration, abs=1e-3)


def test_the_seeded_converter_re_voices_a_single_word(fetched_converter, reference, one_word):
    converted = Pipeline("cpu").convert_voice(reference, one_word, consent=True, seed=0)
    assert converted.neural and np.isfinite(converted.samples).all()
    assert len(converted.samples) / converted.sample_rate == pytest.approx(soundfile.info(one_word).duration, abs=1e-3)


def test_a_video_source_gets_its_soundtrack_converted_and_labelled(reference, talking_video, tmp_path):
    out = tmp_path / "dubbed.mp4"
    args = ["convert", "--ref", str(reference), "--source", str(talking_video), "-o", str(out)]
    assert voxlip(args + ["--i-have-consent"]) == 0
    made, source = probe(out), probe(talking_video)
    assert made.has_audio and made.fps == source.fps and made.duration == pytest.approx(source.duration, abs=0.05)
    found = detect(out)
    assert found.marked and found.frames.detected
    record = json.loads((tmp_path / "dubbed.mp4.provenance.json").read_text())
    assert record["inputs"]["source_video"]["file"] == "talking.mp4" and "visible_label" in record["watermarks"]
    # credited as an edit of the source video (had been "created" by a trained model, with no ingredient)
    assert found.credentials.valid
    actions = {action["action"]: action for action in found.credentials.actions}
    assert set(actions) == {"c2pa.opened", "c2pa.edited"}
    assert actions["c2pa.opened"]["parameters"]["ingredients"]
    assert actions["c2pa.edited"]["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    assert "the soundtrack was synthesised" in actions["c2pa.edited"]["parameters"]["description"]
    assert "the frames are the source video's (talking.mp4)" in actions["c2pa.edited"]["parameters"]["description"]
    assert actions["c2pa.edited"]["parameters"]["models"] == found.credentials.models != []
    speech = tmp_path / "dubbed.wav"
    assert voxlip(args[:-1] + [str(speech), "--i-have-consent"]) == 0
    assert soundfile.info(speech).duration == pytest.approx(source.duration, abs=0.05)
    revoiced = read_credentials(speech)  # the video's speech re-voiced: an edit of the video, as audio
    assert [action["action"] for action in revoiced.actions] == ["c2pa.opened", "c2pa.edited"]
    assert [(i.title, i.relationship) for i in revoiced.ingredients] == [
        ("talking.mp4", "parentOf"),
        (reference.name, "inputTo"),  # the reference voice, an input to the models
    ]


def test_a_clip_lip_synced_from_converted_speech_names_the_source_recording(
    reference, source_file, faces_dir, tmp_path
):
    """A clip of a face saying converted speech had named the reference voice and the face only, in its `inputs`, its
    record and its content credentials: the recording whose words, timing and delivery it keeps was left out."""
    from core.files import sha256_file

    pipeline = Pipeline("cpu")
    converted = pipeline.convert_voice(reference, source_file, consent=True, seed=2)
    with pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", converted, consent=True) as clip:
        assert clip.inputs["source_speech"] == source_file
        out = clip.save(tmp_path / "said.mp4")
    record = json.loads((tmp_path / "said.mp4.provenance.json").read_text())
    assert record["inputs"]["source_speech"] == {"file": "source.wav", "sha256": sha256_file(source_file)}
    assert record["inputs"]["reference_voice"]["file"] == reference.name and "face" in record["inputs"]
    credentials = detect(out).credentials
    assert credentials.valid and [a["action"] for a in credentials.actions] == ["c2pa.opened", "c2pa.edited"]
    edited = credentials.actions[1]
    assert edited["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert "the words, timing and delivery are the recording's (source.wav)" in edited["parameters"]["description"]
    assert [(i.title, i.relationship) for i in credentials.ingredients] == [
        ("source.wav", "parentOf"),
        ("painting_pearl_earring.jpg", "inputTo"),
        (reference.name, "inputTo"),
    ]

    samples, rate = soundfile.read(source_file, dtype="float32")
    from_memory = pipeline.convert_voice(reference, samples, consent=True, seed=2, source_sr=rate)
    with pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", from_memory, consent=True) as clip:
        clip.save(tmp_path / "from_memory.mp4")
    record = json.loads((tmp_path / "from_memory.mp4.provenance.json").read_text())
    assert record["inputs"]["source_speech"]["given"] == f"samples in memory, {rate} Hz, {len(samples) / rate:.1f} s"


def test_a_video_whose_sound_starts_late_keeps_it_late_against_its_frames(reference, talking_video, tmp_path):
    """A track put in at an offset (its first sound timed 0.6 s after the first frame) stays there: it had been moved
    to the first frame, 0.6 s early against the lips; the clip's duration is the file's (frames or sound, the
    longer)."""
    from core.ffmpeg import decode_audio, run

    late = tmp_path / "late.mp4"
    both = ["-i", str(talking_video), "-itsoffset", "0.6", "-i", str(talking_video), "-map", "0:v", "-map", "1:a"]
    run([*both, "-c", "copy", str(late)], "offset the track")
    assert probe(late).audio_delay == pytest.approx(0.6, abs=0.03)
    written = []  # the video's frames as they are written, most of the run's time, had shown no progress
    progress = lambda done, total, rate: written.append((done, total))  # noqa: E731
    clip = Pipeline("cpu").convert_voice(reference, late, consent=True, seed=0, video_progress=progress)
    out = clip.save(tmp_path / "dubbed.mp4")
    assert [done for done, _ in written[:-1]] == list(range(1, clip.frames + 1))
    assert written[-1] == (clip.frames, clip.frames)

    def first_sound(path) -> float:
        return (
            np.flatnonzero(np.abs(decode_audio(path, SAMPLE_RATE, None, on_timeline=probe(path).has_video)) > 0.02)[0]
            / SAMPLE_RATE
        )

    assert first_sound(out) == pytest.approx(first_sound(talking_video) + 0.6, abs=0.06)
    assert clip.duration == pytest.approx(probe(out).duration, abs=0.05) and clip.duration > 1.7
    speech = Pipeline("cpu").convert_voice(reference, late, consent=True, seed=0, keep_video=False)
    said = speech.save(tmp_path / "dubbed.wav")  # the speech alone keeps its silence before it too (had not)
    assert first_sound(said) == pytest.approx(first_sound(talking_video) + 0.6, abs=0.06)

    early = tmp_path / "early.mp4"  # its pictures start 0.5 s after its sound: that half second is not dubbed
    both = ["-itsoffset", "0.5", "-i", str(talking_video), "-i", str(talking_video), "-map", "0:v", "-map", "1:a"]
    run([*both, "-c", "copy", str(early)], "offset the pictures")
    assert probe(early).audio_delay == pytest.approx(-0.5, abs=0.03)
    clip = Pipeline("cpu").convert_voice(reference, early, consent=True, seed=0)
    out = clip.save(tmp_path / "dubbed_early.mp4")
    assert clip.frames == 30  # the pictures as they are (ffmpeg had put 13 repeats of the first before them in MP4)
    assert len(decode_audio(out, SAMPLE_RATE, None, on_timeline=True)) / SAMPLE_RATE == pytest.approx(0.7, abs=0.06)


def test_a_video_with_two_audio_tracks_is_dubbed_in_step_with_the_one_re_voiced(reference, talking_video, tmp_path):
    """Of two tracks, the default one (the speech, put in 0.6 s late) is re-voiced and timed by its own start: the
    delay had been taken from the first track listed (noise from 0 s), and the dub came 0.6 s early and short."""
    from core.ffmpeg import decode_audio, run

    two = tmp_path / "two.mp4"
    noise = ["-f", "lavfi", "-t", "1.2", "-i", "anoisesrc=a=0.01", "-itsoffset", "0.6", "-i", str(talking_video)]
    maps = ["-map", "0:v", "-map", "1:a", "-map", "2:a", "-disposition:a:0", "0", "-disposition:a:1", "default"]
    run(["-i", str(talking_video), *noise, *maps, "-c:v", "copy", "-c:a", "aac", str(two)], "add a second track")
    assert probe(two).audio_tracks == 2 and probe(two).audio_track == 1
    assert probe(two).audio_delay == pytest.approx(0.6, abs=0.03)
    clip = Pipeline("cpu").convert_voice(reference, two, consent=True, seed=0)
    out = clip.save(tmp_path / "dubbed.mp4")

    def first_sound(path) -> float:
        return (
            np.flatnonzero(np.abs(decode_audio(path, SAMPLE_RATE, None, on_timeline=probe(path).has_video)) > 0.02)[0]
            / SAMPLE_RATE
        )

    assert first_sound(out) == pytest.approx(first_sound(talking_video) + 0.6, abs=0.06)
    assert probe(out).duration == pytest.approx(1.8, abs=0.06)
    said = [note for note in clip.notes if note.startswith(f"{two} has 2 audio tracks: track 2 (")]
    assert len(said) == 1 and "used as the source recording" in said[0], clip.notes


def test_a_small_video_is_dubbed_with_its_frames_scaled_up_so_the_mark_fits(reference, talking_video, tmp_path):
    """A 96x96 video had been refused at the very end (its frames "would not carry voxlip's watermark ... pass them
    through protect_frames() first"): its frames are scaled up to 128 pixels, as a lip-sync's are, and it says so."""
    from core.ffmpeg import run

    small = tmp_path / "small.mp4"
    run(["-i", str(talking_video), "-vf", "scale=96:96,setsar=1", "-c:a", "copy", str(small)], "shrink")
    clip = Pipeline("cpu").convert_voice(reference, small, consent=True, seed=0)
    out = clip.save(tmp_path / "dubbed.mp4")
    made = probe(out)
    assert (made.width, made.height) == (128, 128) and made.duration == pytest.approx(1.2, abs=0.05)
    assert "the video is 96x96: its frames were scaled up to 128x128 (at least 128 pixels" in "\n".join(clip.notes)
    assert detect(out).frames.detected
    assert clip.frames_without_face is None  # no face is looked for (it had said 0)


def test_an_hdr_video_source_is_said_to_be_read_without_tone_mapping(reference, talking_video, tmp_path, capsys):
    from core.ffmpeg import run

    hlg = tmp_path / "hlg.mp4"  # tagged as an iPhone's HDR video is (HLG, BT.2020)
    tags = "setparams=color_primaries=bt2020:color_trc=arib-std-b67:colorspace=bt2020nc"
    run(["-i", str(talking_video), "-vf", tags, "-c:v", "libx264", "-c:a", "copy", str(hlg)], "tag")
    args = ["convert", "--ref", str(reference), "--source", str(hlg), "-o", str(tmp_path / "dubbed.mp4")]
    assert voxlip(args + ["--i-have-consent"]) == 0
    assert "note: the video is HDR (HLG or PQ)" in capsys.readouterr().out


def test_a_video_ffmpeg_stops_decoding_is_dubbed_as_far_as_it_goes_and_said_to_be_damaged(
    reference, talking_video, tmp_path, capsys
):
    """`convert --source` of a video whose pictures are mostly damaged (ffmpeg decodes some, then stops with an error;
    its sound intact) had been refused after the whole conversion ("could not decode all of the video"), where a
    lip-sync of it says the video is damaged: the dub keeps the frames ffmpeg decodes and says so in the same words."""
    from core.ffmpeg import read_frames, run

    pictures, damaged, out = tmp_path / "pictures.mp4", tmp_path / "damaged.mp4", tmp_path / "dubbed.mp4"
    run(["-i", str(talking_video), "-an", "-c:v", "copy", str(pictures)], "keep the pictures")
    data = bytearray(pictures.read_bytes())
    start, end = int(len(data) * 0.3), int(len(data) * 0.95)
    data[start:end] = np.random.default_rng(1).integers(0, 256, end - start, dtype=np.uint8).tobytes()
    pictures.write_bytes(bytes(data))
    both = ["-i", str(pictures), "-i", str(talking_video), "-map", "0:v", "-map", "1:a"]
    run([*both, "-c", "copy", str(damaged)], "mux")
    with pytest.raises(InputError, match="could not decode all of the video"):  # ffmpeg stops with an error
        list(read_frames(damaged))
    args = ["convert", "--ref", str(reference), "--source", str(damaged), "-o", str(out), "--i-have-consent"]
    assert voxlip(args) == 0
    said = capsys.readouterr().out
    assert "note: the video is damaged (ffmpeg: " in said
    assert "): its frames there may look broken in the clip; give an undamaged copy\n" in said
    assert probe(out).has_audio and detect(out).frames.detected


def test_bad_conversions_are_refused_before_any_output(
    reference, source_file, seeded_checkpoint, faces_dir, tmp_path, capsys
):
    short = tmp_path / "short.wav"
    soundfile.write(short, np.full(4_000, 0.1, np.float32), 16_000)
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(32_000, np.float32), 16_000)
    out = tmp_path / "out.wav"
    base = ["convert", "--ref", str(reference), "-o", str(out), "--i-have-consent"]
    synthesizer = seeded_checkpoint("rtvc_tacotron", "synthesizer.pt")
    cases = [
        (base + ["--source", str(short)], "0.25 s long: give at least 0.5 s"),
        (base + ["--source", str(silent)], "is silent"),
        (base + ["--source", str(source_file), "--converter", "none"], "needs a converter"),
        (base + ["--source", str(source_file), "--converter", "nonsense"], "unknown converter"),
        (base[:-1] + ["--source", str(source_file)], "--i-have-consent"),
        (
            ["convert", "--ref", str(reference), "--source", str(source_file), "-o", str(tmp_path / "x.mp4")]
            + ["--i-have-consent"],
            "no video to keep: write the converted speech as .wav, .flac or .mp3",
        ),
        (base + ["--source", str(source_file), "--converter", "openvoice-v2"], "voxlip fetch openvoice-v2"),
        (base + ["--source", str(faces_dir / "painting_mona_lisa.jpg")], "painting_mona_lisa.jpg is a picture: give"),
        (  # a folder, with a video to re-voice: the example is a video's name (it had been output.wav)
            ["convert", "--ref", str(reference), "--source", str(faces_dir / "talking_man_25fps.mp4"), "-o"]
            + [str(tmp_path), "--i-have-consent"],
            f"{tmp_path} is a directory: give a file name in it, e.g. {tmp_path / 'output.mp4'}",
        ),
        (
            ["say", "--ref", str(reference), "--text", "Hi.", "-o", str(out), "--synthesizer", str(synthesizer)]
            + ["--converter", "offline", "--i-have-consent"],
            "SV2TTS already speaks in the reference's voice",
        ),
    ]
    for args, message in cases:
        capsys.readouterr()
        assert voxlip(args) == 1, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert not out.exists() and not (tmp_path / "x.mp4").exists()


def test_a_float_file_peaking_over_4_is_taken_as_a_file_as_reference_and_as_source(reference, tmp_path):
    """A float WAV peaking at 40 (a DAW's export before normalising) had been refused as a reference and as a source
    with the message for arrays given in memory ("the audio array's samples reach 40.1 ... divide them by 32768"),
    its samples, decoded already, checked again as an array; at peak 3 the same file was taken. Now both are taken
    alike, and an array given in memory peaking at 40 is still refused."""
    wave, rate = soundfile.read(reference, dtype="float32", frames=3 * 16_000)
    hot = {}
    for peak in (3, 40):
        hot[peak] = tmp_path / f"peak{peak}.wav"
        soundfile.write(hot[peak], wave / np.abs(wave).max() * peak, rate, subtype="FLOAT")
    pipeline = Pipeline("cpu")
    loud, hotter = pipeline.speaker(hot[3]), pipeline.speaker(hot[40])  # lowered to the encoder's level, both
    assert dbfs(hotter.wave) == pytest.approx(dbfs(loud.wave), abs=0.5) and hotter.embedding @ loud.embedding > 0.95
    converted = pipeline.convert_voice(reference, hot[40], consent=True, seed=0)
    assert converted.duration == pytest.approx(3.0, abs=1e-3)
    with pytest.raises(InputError, match="the audio array's samples reach 40, .* full scale at 1.0"):
        pipeline.speaker(wave / np.abs(wave).max() * 40, source_sr=rate)
