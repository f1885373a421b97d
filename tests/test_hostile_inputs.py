"""What a careless or hostile user gives voxlip, and what they must get back.

Every case asserts the exit code, the message (what is wrong and what to do), that there is no
traceback, that no file was left behind and that no input was changed. The output paths that can
only fail on a full disk or a read-only folder get a real one: a small tmpfs mounted for the test
(as root, which CI is), else a mocked OSError from the writer, as the test's name says.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.cli import main as voxlip
from voice.audio import SAMPLE_RATE, load_audio, save_audio

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def inputs(tmp_path, speech_files, faces_dir, payload) -> dict[str, Path]:
    """Copies of real inputs (a reference voice, a photo, a video) and bad ones, in a folder of their own."""
    folder = tmp_path / "in"
    folder.mkdir()
    made = {
        "ref": folder / "ref.flac",
        "short": folder / "short.flac",
        "photo": folder / "photo.jpg",
        "video": folder / "video.mp4",
        "dog": folder / "dog.jpg",
    }
    shutil.copy(next(p for p in speech_files if p.stem == "103-1240-0000"), made["ref"])
    made["ref_wav"] = save_audio(folder / "ref.wav", load_audio(made["ref"]), SAMPLE_RATE)
    shutil.copy(next(p for p in speech_files if p.stem == "19-198-0000"), made["short"])
    shutil.copy(faces_dir / "painting_pearl_earring.jpg", made["photo"])
    shutil.copy(faces_dir / "talking_man_25fps.mp4", made["video"])
    shutil.copy(faces_dir / "not_a_person_dog.jpg", made["dog"])
    made["silence"] = save_audio(folder / "silence.wav", np.zeros(3 * SAMPLE_RATE, np.float32), SAMPLE_RATE)
    blip = 0.1 * np.sin(2 * np.pi * 440 * np.arange(100) / SAMPLE_RATE)  # 6 ms of sound
    made["blip"] = save_audio(folder / "blip.wav", blip.astype(np.float32), SAMPLE_RATE)
    made["offset"] = save_audio(folder / "offset.wav", np.full(2 * SAMPLE_RATE, 0.3, np.float32), SAMPLE_RATE)
    made["empty"] = folder / "empty.wav"
    made["empty"].write_bytes(b"")
    made["noise"] = folder / "noise.wav"  # random bytes: no audio ffmpeg can read
    made["noise"].write_bytes(np.random.default_rng(0).bytes(1000))
    made["corrupt"] = folder / "corrupt.jpg"
    made["corrupt"].write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 20)
    made["truncated"] = folder / "truncated.jpg"  # a download cut short: OpenCV reads it with its rest grey
    made["truncated"].write_bytes(made["photo"].read_bytes()[: made["photo"].stat().st_size // 3])
    made["notes"] = folder / "notes.txt"
    made["notes"].write_text("Hello there.", encoding="utf-8")
    made["binary"] = folder / "binary.txt"
    made["binary"].write_bytes(b"\x00\x9f\xff\x80" * 50)  # not UTF-8, and no byte-order mark
    made["evil"] = folder / "evil.pt"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "payload": payload(folder / "pwned")}, made["evil"])
    made["subdir"] = folder / "subdir"
    made["subdir"].mkdir()
    made["out_dir"] = tmp_path / "out"
    made["out_dir"].mkdir()
    made["file_as_folder"] = made["out_dir"] / "plain_file"
    made["file_as_folder"].write_text("a file, not a folder")
    made["ref_link"] = made["out_dir"] / "link.wav"
    made["ref_link"].symlink_to(made["ref_wav"])
    made["ref_hardlink"] = made["out_dir"] / "hardlink.wav"
    os.link(made["ref_wav"], made["ref_hardlink"])
    return made


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def _fill(args: list[str], inputs: dict[str, Path]) -> list[str]:
    """Arguments with {name} replaced by the path of that input ({out}: a file name in the output folder)."""
    out = inputs["out_dir"]
    return [a.format(out=out, **{k: str(v) for k, v in inputs.items()}) for a in args]


# (command line, exit code, a part of the message)
CASES = [
    # say: where the output goes
    ("say --ref {ref_wav} --text Hi. -o {ref_wav} --i-have-consent", 1, "also an input"),
    ("say --ref {ref_wav} --text Hi. -o {ref_link} --i-have-consent", 1, "also an input"),
    ("say --ref {ref_wav} --text Hi. -o {ref_hardlink} --i-have-consent", 1, "also an input"),
    ("say --ref {ref} --text Hi. -o {ref} --i-have-consent", 1, "also an input"),
    ("say --ref {ref} --text-file {notes} -o {notes} --i-have-consent", 1, "also an input"),
    ("say --ref {ref} --text Hi. -o {out}/out.txt --i-have-consent", 1, "ending in .wav"),
    ("say --ref {ref} --text Hi. -o {out}/out.ogg --i-have-consent", 1, "ending in .wav"),
    ("say --ref {ref} --text Hi. -o {out}/clip.mp4 --i-have-consent", 1, "for a talking clip give a face too"),
    ("say --ref {ref} --text Hi. -o {out} --i-have-consent", 1, "is a directory"),
    ("say --ref {ref} --text Hi. -o '' --i-have-consent", 1, "empty"),
    ("say --ref {ref} --text Hi. -o {out}/ --i-have-consent", 1, "is a directory"),
    ("say --ref {ref} --text Hi. -o {out}/noextension --i-have-consent", 1, "ending in .wav"),
    ("say --ref {ref} --text Hi. -o {file_as_folder}/x.wav --i-have-consent", 1, "is a file, not a folder"),
    ("say --ref {ref} --text Hi. -o {out}/" + "a" * 260 + ".wav --i-have-consent", 1, "at most 219 bytes"),
    ("say --ref {ref} --text Hi. -o {out}/" + "a" * 230 + ".wav --i-have-consent", 1, "at most 219 bytes"),
    ("say --ref {ref} --text Hi. -o {out}/" + "a" * 300 + "/x.wav --i-have-consent", 1, "File name too long; choose"),
    # say: the reference and the text
    ("say --ref {out}/missing.wav --text Hi. -o {out}/x.wav --i-have-consent", 1, "does not exist"),
    ("say --ref {subdir} --text Hi. -o {out}/x.wav --i-have-consent", 1, "is a directory"),
    ("say --ref {empty} --text Hi. -o {out}/x.wav --i-have-consent", 1, "could not read"),
    ("say --ref {corrupt} --text Hi. -o {out}/x.wav --i-have-consent", 1, "could not read"),
    ("say --ref {photo} --text Hi. -o {out}/x.wav --i-have-consent", 1, "could not read"),
    ("say --ref {silence} --text Hi. -o {out}/x.wav --i-have-consent", 1, "silent"),
    ("say --ref {blip} --text Hi. -o {out}/x.wav --i-have-consent", 1, "speech found"),
    ("say --ref {offset} --text Hi. -o {out}/x.wav --i-have-consent", 1, "silent"),  # a DC offset alone: no sound
    ("lipsync --face {photo} --audio {offset} -o {out}/x.mp4 --i-have-consent", 1, "is silent"),
    ("say --ref {ref} -o {out}/x.wav --i-have-consent", 1, "--text"),
    ("say --ref {ref} --text '' -o {out}/x.wav --i-have-consent", 1, "empty"),
    ("say --ref {ref} --text '  <b> </b> ' -o {out}/x.wav --i-have-consent", 1, "empty"),
    ("say --ref {ref} --text-file {out}/missing.txt -o {out}/x.wav --i-have-consent", 1, "could not read --text-file"),
    ("say --ref {ref} --text-file {binary} -o {out}/x.wav --i-have-consent", 1, "is not UTF-8 text"),
    ("say --ref {ref} --text-file {subdir} -o {out}/x.wav --i-have-consent", 1, "could not read --text-file"),
    ("say --ref {ref} --text 'Привет, как дела у тебя?' -o {out}/x.wav --i-have-consent", 1, "Cyrillic script"),
    ("say --ref {ref} --text 你好世界你好 -o {out}/x.wav --i-have-consent", 1, "CJK script"),
    ("say --ref {ref} --text '?! ... --' -o {out}/x.wav --i-have-consent", 1, "nothing to say"),
    ("say --ref {ref} --text Hi. -o {out}/x.wav", 1, "--i-have-consent"),
    # say: checkpoints and flags
    ("say --ref {ref} --text Hi. -o {out}/x.wav --synthesizer {out}/none.pt --i-have-consent", 1, "does not exist"),
    ("say --ref {ref} --text Hi. -o {out}/x.wav --synthesizer {evil} --i-have-consent", 1, "refused to load"),
    ("say --ref {ref} --text Hi. -o {out}/x.wav --synthesizer {subdir} --i-have-consent", 1, "is a directory"),
    (
        "say --ref {ref} --text Hi. -o {out}/x.wav --vocoder-checkpoint {evil} --i-have-consent",
        1,
        "needs --vocoder wavernn or --vocoder hifigan",
    ),
    ("say --ref {ref} --text Hi. -o {out}/x.wav --precision fp8 --i-have-consent", 2, "invalid choice"),
    ("say --ref {ref} --text Hi. -o {out}/x.wav --seed many --i-have-consent", 2, "give a whole number"),
    ("say --ref {ref} --text Hi. -o {out}/x.wav --seed -5 --i-have-consent", 2, "from 0 to 4294967295"),
    ("say --voice {ref} --text Hi. -o {out}/x.wav --i-have-consent", 2, "unrecognized argument --voice: voxlip say"),
    # lipsync: where the output goes
    ("lipsync --face {video} --audio {short} -o {video} --i-have-consent", 1, "also an input"),
    ("lipsync --face {photo} --audio {short} -o {short} --i-have-consent", 1, "also an input"),
    ("lipsync --face {photo} --audio {ref_wav} -o {ref_link} --i-have-consent", 1, "also an input"),
    ("lipsync --face {photo} --audio {ref_wav} -o {ref_wav} --i-have-consent", 1, "also an input"),
    ("lipsync --face {photo} --audio {short} -o {out}/out.txt --i-have-consent", 1, "ending in .mp4"),
    ("lipsync --face {photo} --audio {short} -o {out}/out.wav --i-have-consent", 1, "ending in .mp4"),
    ("lipsync --face {photo} --audio {short} -o {out} --i-have-consent", 1, "is a directory"),
    ("lipsync --face {photo} --audio {short} -o {out}/.mp4 --i-have-consent", 1, "is only an ending: give a name"),
    ("lipsync --face {photo} --audio {short} -o {file_as_folder}/x.mp4 --i-have-consent", 1, "is a file, not a folder"),
    # lipsync: the face and the audio
    ("lipsync --face {out}/missing.jpg --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "does not exist"),
    ("lipsync --face https://example.com/a.mp4 --audio {short} -o {out}/x.mp4 --i-have-consent", 2, "a web address"),
    ("lipsync --face {subdir} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "is a directory"),
    ("lipsync --face {short} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "no picture"),
    ("lipsync --face {dog} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "no face found"),
    ("lipsync --face {corrupt} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "could not"),
    ("lipsync --face {empty} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "could not read"),
    ("lipsync --face {truncated} --audio {short} -o {out}/x.mp4 --i-have-consent", 1, "is truncated or damaged"),
    ("lipsync --face {photo} --audio {out}/missing.wav -o {out}/x.mp4 --i-have-consent", 1, "does not exist"),
    ("lipsync --face {photo} --audio {photo} -o {out}/x.mp4 --i-have-consent", 1, "could not read"),
    ("lipsync --face {photo} --audio {noise} -o {out}/x.mp4 --i-have-consent", 1, "give a wav, flac, mp3"),
    ("lipsync --face {photo} --audio {blip} -o {out}/x.mp4 --i-have-consent", 1, "under 20 ms"),
    ("lipsync --face {photo} --audio {silence} -o {out}/x.mp4 --i-have-consent", 1, "is silent"),
    ("lipsync --face {photo} --audio {subdir} -o {out}/x.mp4 --i-have-consent", 1, "is a directory"),
    # lipsync: flags and checkpoints
    (
        "lipsync --face {photo} --audio {short} -o {out}/x.mp4 --pads 0 -10 0 0 --i-have-consent",
        1,
        "cannot be negative",
    ),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --face-index -1 --i-have-consent", 1, "starting at 0"),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --face-index 5 --i-have-consent", 1, "face index 5"),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --fps 0 --i-have-consent", 1, "out of range"),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --fps 1000 --i-have-consent", 1, "out of range"),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --max-size 100 --i-have-consent", 1, "at least 128"),
    (
        "lipsync --face {photo} --audio {short} -o {out}/x.mp4 --checkpoint {evil} --i-have-consent",
        1,
        "refused to load",
    ),
    (
        "lipsync --face {photo} --audio {short} -o {out}/x.mp4 --checkpoint {out}/no.pth --i-have-consent",
        1,
        "not exist",
    ),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4 --face-detector {evil} --i-have-consent", 1, "refused"),
    (
        "lipsync --face {photo} --audio {short} -o {out}/x.mp4 --label-corner middle --i-have-consent",
        2,
        "invalid choice",
    ),
    ("lipsync --face {photo} --audio {short} -o {out}/x.mp4", 1, "--i-have-consent"),
    # run: checked before the voice is made
    ("run --ref {ref} --face {video} --text Hi. -o {video} --i-have-consent", 1, "also an input"),
    ("run --ref {ref} --face {photo} --text Hi. -o {ref} --i-have-consent", 1, "also an input"),
    ("run --ref {ref} --face {photo} --text-file {notes} -o {notes} --i-have-consent", 1, "also an input"),
    ("run --ref {ref} --face {photo} --text Hi. -o {out}/x.wav --i-have-consent", 1, "ending in .mp4"),
    ("run --ref {silence} --face {dog} --text Hi. -o {out}/x.mp4 --i-have-consent", 1, "no face found"),
    ("run --ref {silence} --face {photo} --text Hi. -o {out}/x.mp4 --checkpoint {evil} --i-have-consent", 1, "refused"),
    (
        "run --ref {silence} --face {photo} --text Hi. -o {out}/x.mp4 --synthesizer {evil} --i-have-consent",
        1,
        "refused",
    ),
    ("run --ref {ref} --face {photo} --text '😀🎉' -o {out}/x.mp4 --i-have-consent", 1, "nothing to say"),
    # a folder for a checkpoint: said as for --synthesizer (--converter had said "unknown converter")
    (
        "say --ref {ref} --text Hi. -o {out}/x.wav --converter {subdir} --i-have-consent",
        1,
        "is a directory, not a check",
    ),
    ("run --ref {ref} --face {photo} --text Hi. -o {out}/x.mp4", 1, "--i-have-consent"),
    # embed
    ("embed {ref} {ref} {ref}", 1, "one recording"),
    ("embed {ref} --save {out}/e.txt", 1, "ending in .npy"),
    ("embed {ref} --save {ref}", 1, "also an input"),
    ("embed {ref} --save {out}", 1, "is a directory"),
    ("embed {out}/missing.wav", 1, "does not exist"),
    ("embed {silence}", 1, "silent"),
    ("embed {ref} {silence}", 1, "silence.wav: the recording is silent"),
    ("embed {ref} --checkpoint {evil}", 1, "refused to load"),
    ("embed {ref} --checkpoint {ref_wav}", 1, "is not a PyTorch checkpoint"),
    ("embed {ref} --checkpoint {notes}", 1, "is not a PyTorch checkpoint"),
    ("embed {ref} {ref} --threshold 2", 2, "give a cosine similarity from -1 to 1"),
    ("embed {ref} {ref} --threshold nan", 2, "give a cosine similarity from -1 to 1"),
    # convert
    ("convert --ref {ref} --source {corrupt} -o {out}/x.wav --i-have-consent", 1, "or a video in which someone speaks"),
    ("convert --ref {ref} --source {noise} -o {out}/x.mp4 --i-have-consent", 1, "or a video in which someone speaks"),
    ("convert --ref {ref} --source {photo} -o {out}/x.wav --i-have-consent", 1, "is a picture"),
    # detect
    ("detect {subdir}", 2, "is a directory"),
    ("detect {out}/missing.mp4", 2, "does not exist"),
    ("detect {corrupt}", 2, "no audio, video or image file ffmpeg can decode"),
]


def _exit_code(args: list[str]) -> int:
    try:
        return voxlip(args)
    except SystemExit as refused:  # argparse refuses a flag before voxlip runs
        return refused.code


@pytest.mark.parametrize("command, code, message", CASES, ids=[f"{i:02d} {c[0][:60]}" for i, c in enumerate(CASES)])
def test_hostile_command_line(inputs, tmp_path, capsys, command, code, message):
    before = _snapshot(tmp_path)
    result = _exit_code(_fill(shlex.split(command), inputs))
    err = capsys.readouterr().err
    assert result == code, err
    assert message in err and "Traceback" not in err, err
    assert _snapshot(tmp_path) == before  # nothing written, nothing changed
    assert not (tmp_path / "in" / "pwned").exists()


PIPED = [
    ("convert --ref {ref} --source {fifo} -o {out}/x.wav --i-have-consent", "fifo.wav is a pipe, not a file"),
    ("convert --ref {ref} --source {fd} -o {out}/x.wav --i-have-consent", "is a pipe, not a file: voxlip reads"),
    ("convert --ref {ref} --source - -o {out}/x.wav --i-have-consent", "voxlip does not read standard input (-)"),
    ("lipsync --face {photo} --audio {fd} -o {out}/x.mp4 --i-have-consent", "save it to a file first"),
    ("lipsync --face {fifo} --audio {short} -o {out}/x.mp4 --i-have-consent", "fifo.wav is a pipe, not a file"),
    ("say --ref {fd} --text Hi. -o {out}/x.wav --i-have-consent", "is a pipe, not a file"),
]


@pytest.mark.parametrize("command, message", PIPED)
def test_a_pipe_given_as_an_input_is_refused_before_it_is_read(inputs, tmp_path, capsys, command, message):
    """voxlip reads an input more than once: a named pipe had hung for ever, a shell's <(...) or /dev/stdin had been
    called corrupt (its bytes gone at the second read), and - had been said not to exist."""
    os.mkfifo(tmp_path / "in" / "fifo.wav")  # nobody writes to it: opening it would wait for ever
    before = _snapshot(tmp_path)
    read, write = os.pipe()  # what <(cat ref.wav) gives: /dev/fd/N, its first 60 kB waiting in it
    os.write(write, inputs["ref_wav"].read_bytes()[:60_000])
    os.close(write)
    filled = {**inputs, "fifo": tmp_path / "in" / "fifo.wav", "fd": Path(f"/dev/fd/{read}")}
    try:
        assert _exit_code(_fill(shlex.split(command), filled)) == 1
    finally:
        os.close(read)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert _snapshot(tmp_path) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs mounted for the test (root only), or None where mounting is not allowed."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    yield folder if mounted else None
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_read_only_folder_is_refused_before_any_work(small_disk, inputs, capsys):
    if small_disk is None:
        pytest.skip("mounting a read-only tmpfs needs root; the mocked-writer test covers the same message")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    args = ["say", "--ref", str(inputs["ref"]), "--text", "Hi.", "-o", str(small_disk / "x.wav"), "--i-have-consent"]
    assert voxlip(args) == 1
    err = capsys.readouterr().err
    assert "not writable" in err and "choose another folder" in err and "Traceback" not in err


def test_a_disk_too_small_for_the_output_is_refused_before_any_work(small_disk, inputs, capsys):
    if small_disk is None:
        pytest.skip("mounting a tmpfs needs root; the mocked-writer test covers a full disk")
    text = "This sentence is long enough to need several megabytes of audio. " * 40
    args = ["say", "--ref", str(inputs["ref"]), "--text", text, "-o", str(small_disk / "x.wav"), "--i-have-consent"]
    assert voxlip(args) == 1
    err = capsys.readouterr().err
    assert "MB free" in err and "free some space" in err and "Traceback" not in err
    assert list(small_disk.iterdir()) == []


def test_a_disk_that_fills_while_writing_leaves_no_partial_file(small_disk, inputs):
    from core.errors import VoxlipError
    from pipeline import Pipeline

    if small_disk is None:
        pytest.skip("mounting a tmpfs needs root; test_a_full_disk_mocked_oserror covers the message")
    speech = Pipeline("cpu", synthesizer="offline", lipsync="offline").clone_voice(
        inputs["ref"], "Hi there.", consent=True
    )
    (small_disk / "ballast").write_bytes(b"\0" * (1024 * 1024 - 16 * 1024))  # leaves 16 kB: too little for the WAV
    with pytest.raises(VoxlipError, match="disk is full: free some space"):
        speech.save(small_disk / "x.wav")
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast"]


def test_a_full_disk_mocked_oserror_from_the_writer_leaves_no_partial_file(inputs, tmp_path, monkeypatch):
    from core.errors import VoxlipError
    from pipeline import Pipeline

    speech = Pipeline("cpu", synthesizer="offline", lipsync="offline").clone_voice(
        inputs["ref"], "Hi there.", consent=True
    )

    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = _snapshot(tmp_path)
    monkeypatch.setattr(Path, "write_bytes", no_space)
    with pytest.raises(VoxlipError, match="No space left on device.*disk is full"):
        speech.save(inputs["out_dir"] / "x.wav")
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_a_clipped_reference_is_used_with_a_note_and_a_clean_one_without(inputs, capsys):
    wave = load_audio(inputs["ref"])
    clipped = save_audio(inputs["out_dir"] / "clipped.wav", np.clip(wave / np.abs(wave).max() * 4, -1, 1), SAMPLE_RATE)
    for reference, noted in ((clipped, True), (inputs["ref_wav"], False)):
        out = inputs["out_dir"] / f"said-{reference.stem}.wav"
        args = ["say", "--ref", str(reference), "--text", "Hello there.", "-o", str(out), "--i-have-consent"]
        assert voxlip(args) == 0
        assert ("the reference is clipped" in capsys.readouterr().out) == noted
        assert out.is_file()


def test_a_reference_in_which_no_voice_is_heard_is_used_with_a_note_saying_so(inputs):
    from pipeline import Pipeline

    wave = load_audio(inputs["ref"])[: 4 * SAMPLE_RATE]
    noise = np.random.default_rng(0).normal(0, 0.2, wave.size).astype(np.float32)
    drowned = wave / np.abs(wave).max() * 0.3 + noise * 1.5  # a reading under noise as loud as itself
    tone = (0.125 * np.sin(2 * np.pi * 440 * np.arange(wave.size) / SAMPLE_RATE)).astype(np.float32)  # ffmpeg's sine
    voxlip = Pipeline("cpu", synthesizer="offline")
    for reference, noted in ((noise, True), (drowned, True), (tone, True), (wave, False)):
        notes = voxlip.speaker(reference, source_sr=SAMPLE_RATE).notes
        assert any("no voice is heard in the reference" in note for note in notes) == noted
        assert not any("clipped" in note for note in notes)  # a sine's peaks (12.5% near its top) had read as clipping
    tone_notes = voxlip.speaker(tone, source_sr=SAMPLE_RATE).notes
    assert any("a steady tone (its pitch stays at 440 Hz)" in note for note in tone_notes)
    # Steady in pitch, not in level: as speech made monotone is, its syllables rising and falling (six LibriSpeech
    # readings flattened to half a semitone had been called steady tones)
    syllables = tone * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * np.arange(wave.size) / SAMPLE_RATE)).astype(np.float32)
    assert not any("steady tone" in note for note in voxlip.speaker(syllables, source_sr=SAMPLE_RATE).notes)


def test_a_quiet_chord_is_not_called_clipped():
    """Near its peak a tone's samples rise and fall; a clipped recording's lie flat there. A chord at a fifth of full
    scale, swelling four times a second, is no recording made too loud."""
    from pipeline import Pipeline

    t = np.arange(6 * SAMPLE_RATE) / SAMPLE_RATE
    chord = 0.1 * (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 660 * t)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    notes = Pipeline("cpu", synthesizer="offline").speaker(chord.astype(np.float32), source_sr=SAMPLE_RATE).notes
    assert not any("clipped" in note for note in notes), notes


def test_a_reference_with_little_or_much_speech_is_used_with_a_note_saying_how_much(inputs, capsys):
    wave = load_audio(inputs["ref"])
    short = save_audio(inputs["out_dir"] / "short.wav", wave[: 2 * SAMPLE_RATE], SAMPLE_RATE)
    long = save_audio(inputs["out_dir"] / "long.wav", np.tile(wave, 6), SAMPLE_RATE)  # 84 s, 72 s of it speech
    little, much = "s of speech, little to hear a voice by", "more than 60 s of speech: its first 60 s were"
    for reference, notes in ((short, {little}), (long, {much}), (inputs["ref_wav"], set())):
        out = inputs["out_dir"] / f"said-{reference.stem}.wav"
        args = ["say", "--ref", str(reference), "--text", "Hello there.", "-o", str(out), "--i-have-consent"]
        assert voxlip(args) == 0
        printed = capsys.readouterr().out
        assert {note for note in (little, much) if note in printed} == notes, printed
        assert out.is_file()


def test_the_note_on_a_short_reference_fits_embed_too():
    """`voxlip embed` had noted "the clone copies what little it hears", though it makes no clone."""
    from voice.speaker import speech_length_note

    note = speech_length_note(np.zeros(2 * SAMPLE_RATE, np.float32))
    assert note.startswith("the reference holds only 2.0 s of speech, little to hear a voice by"), note
    assert "copies" not in note and "embedding" in note, note
    assert "`voxlip embed`" not in note, note  # inside `voxlip embed` itself it had advised `voxlip embed`


def test_odd_text_is_said_with_notes_not_read_aloud_or_dropped(inputs, capsys):
    words = inputs["out_dir"] / "words.txt"
    words.write_bytes("<speak>Hello\x00there, <break time='1s'/> friend 👍🏽.</speak> Москва ".encode() + b"a" * 60)
    out = inputs["out_dir"] / "said.wav"
    assert (
        voxlip(["say", "--ref", str(inputs["ref"]), "--text-file", str(words), "-o", str(out), "--i-have-consent"]) == 0
    )
    printed = capsys.readouterr().out
    assert "removed 1 control character" in printed and "removed 3 markup tag" in printed
    assert "Cyrillic script" in printed and "60 letters" in printed and "left out 1 emoji" in printed
    assert out.is_file()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_text_files_as_windows_editors_save_them_are_read(tmp_path, encoding):
    from pipeline.cli import _text, build_parser

    words = tmp_path / "words.txt"
    words.write_text("Grüße, my friend.", encoding=encoding)
    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", str(words), "-o", "x.wav"])
    assert _text(args) == "Grüße, my friend."


def test_a_large_photo_is_scaled_down_and_says_so(tmp_path, faces_dir):
    import cv2

    from pipeline import Pipeline

    big = tmp_path / "big.jpg"
    photo = cv2.imread(str(faces_dir / "painting_pearl_earring.jpg"))
    cv2.imwrite(str(big), cv2.resize(photo, (photo.shape[1] * 4, photo.shape[0] * 4)))
    tone = (0.1 * np.sin(np.linspace(0, 4000, 16000))).astype(np.float32)
    clip = Pipeline("cpu", lipsync="offline").lipsync(big, tone, consent=True, source_sr=16_000)
    assert any("scaled to" in note and "--max-size" in note for note in clip.notes)
    assert max(cv2.imread(str(big)).shape[:2]) > 1920 and clip.frames == 25


def test_a_tiny_photo_is_scaled_up_so_its_clip_carries_the_label_and_mark(tmp_path, faces_dir, speech_files):
    import cv2

    from core.ffmpeg import probe
    from pipeline import Pipeline
    from pipeline.provenance import detect
    from voice.audio import load_audio

    tiny = tmp_path / "tiny.jpg"
    photo = cv2.imread(str(faces_dir / "painting_pearl_earring.jpg"))
    cv2.imwrite(str(tiny), cv2.resize(photo, (64, 76), interpolation=cv2.INTER_AREA))
    second = load_audio(speech_files[0])[16_000:32_000]  # speech: a pure tone cannot hold the audio mark
    clip = Pipeline("cpu", lipsync="offline").lipsync(tiny, second, consent=True, source_sr=16_000)
    assert any("64x76" in note and "scaled up to 128x152" in note for note in clip.notes)
    out = clip.save(tmp_path / "tiny.mp4")
    info = probe(out)
    assert (info.width, info.height) == (128, 152) and detect(out).frames.detected


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("stop, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stopped_lipsync_leaves_nothing_behind(inputs, tmp_path, stop, code):
    """SIGTERM (timeout, systemd, docker stop) and SIGHUP unwind like Ctrl-C: temp files go, exit 128 + N."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    long_audio = save_audio(tmp_path / "long.wav", np.tile(_speech(inputs["ref"]), 3), SAMPLE_RATE)
    out = inputs["out_dir"] / "clip.mp4"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "lipsync",
        "--face",
        str(inputs["video"]),
        "--audio",
        str(long_audio),
        "-o",
        str(out),
        "--checkpoint",
        "offline",
        "--i-have-consent",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith("voxlip-clip-") for p in scratch.iterdir()):  # the lip-sync has started
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    while not list(out.parent.glob(".clip.mp4.*")):  # and is writing its partial MP4
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    assert f"stopped by {signal.Signals(stop).name}; no partial output was left" in err and "Traceback" not in err, err
    assert _tree(scratch) == [] and not list(out.parent.glob("*clip*"))


def _speech(path: Path) -> np.ndarray:
    from voice.audio import load_audio

    return load_audio(path)
