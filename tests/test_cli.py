import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.cli import build_parser
from pipeline.cli import main as voxlip

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def voices(speech_files):
    return {p.stem: p for p in speech_files}


def test_embed_two_recordings_prints_similarity_and_verdict(voices, tmp_path, capsys):
    a, b = voices["103-1240-0000"], voices["118-121721-0000"]
    assert voxlip(["embed", str(a), str(b), "--save", str(tmp_path / "e.npy")]) == 0
    out = capsys.readouterr().out
    assert "cosine similarity 0." in out and "different speakers" in out and "threshold 0.71" in out
    assert np.load(tmp_path / "e.npy").shape == (2, 256)


def test_embed_with_another_encoder_gives_no_verdict_by_resemblyzers_threshold(voices, seeded_checkpoint, capsys):
    """Resemblyzer's 0.71 had been applied to another encoder's similarities, and named as that encoder's."""
    a, b = str(voices["103-1240-0000"]), str(voices["118-121721-0000"])
    other = str(seeded_checkpoint("rtvc_encoder", "encoder.pt"))
    assert voxlip(["embed", a, b, "--checkpoint", other]) == 0
    out = capsys.readouterr().out
    assert "cosine similarity " in out and "same speaker" not in out and "different speakers" not in out
    assert "no same/different verdict: the threshold 0.71 was measured with Resemblyzer's weights" in out, out
    assert "--threshold" in out
    assert voxlip(["embed", a, a, "--checkpoint", other, "--threshold", "0.8"]) == 0
    assert "1.000: same speaker (threshold 0.80, encoder encoder.pt)" in capsys.readouterr().out


def test_embed_prints_what_the_recordings_lack(voices, capsys):
    """A verdict on 1.4 s of speech, or on two voices in one file, had come without the notes the voice stages give."""
    assert voxlip(["embed", str(voices["19-198-0000"]), str(voices["103-1240-0000"])]) == 0
    out = capsys.readouterr().out
    assert "note: " in out and "19-198-0000.flac: the reference holds only 1.4 s of speech" in out


def test_embed_says_a_reference_cut_short(voices, tmp_path, capsys):
    """A reference WAV whose copy stopped part way had been embedded as the shorter recording without a word."""
    import soundfile

    whole = tmp_path / "whole.wav"
    soundfile.write(whole, soundfile.read(voices["103-1240-0000"])[0][: 8 * 16_000], 16_000, subtype="PCM_16")
    (cut := tmp_path / "cut.wav").write_bytes(whole.read_bytes()[:96_044])  # 3 s of the 8 s its header says
    assert voxlip(["embed", str(cut), str(voices["103-1240-0000"])]) == 0
    out = capsys.readouterr().out
    assert (
        f"note: {cut}: the reference file is cut short: its header says 8.0 s of audio, but the file holds only 3.00 s"
        in out
    )


def test_embed_same_file_is_the_same_speaker(voices, capsys):
    path = str(voices["103-1240-0000"])
    assert voxlip(["embed", path, path, "--device", "cpu"]) == 0
    assert "cosine similarity 1.000: same speaker" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["embed", "/no/such.wav"], "does not exist"),
        (["embed", str(REPO / "pyproject.toml")], "could not read"),
        (["embed", "a", "b", "c"], "one recording"),
        (
            ["embed", str(REPO / "README.md"), "--checkpoint", "nope"],
            "unknown speaker encoder 'nope': use one of resemblyzer",
        ),
        (
            ["say", "--ref", "a.wav", "--text", "Hi.", "-o", "x.wav", "--synthesizer", "sv3tts"],
            "unknown synthesizer 'sv3tts'",
        ),
        (
            ["lipsync", "--face", "f.jpg", "--audio", "a.wav", "-o", "x.mp4", "--checkpoint", "wav3lip"],
            "unknown lip-sync model",
        ),
        (["say", "--ref", "a.wav", "--text", "Hi.", "-o", "x.mp4"], "for a talking clip give a face too: voxlip run"),
        (["convert", "--ref", "a.wav", "--source", "s.mp4", "-o", "x.mov"], "writes a video as .mp4 (give x.mp4"),
    ],
)
def test_bad_arguments_are_one_clear_line(args, message, capsys):
    assert voxlip(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("voxlip: error:") and message in err and "Traceback" not in err


def test_what_ffmpeg_said_of_a_file_it_cannot_read_is_shown_with_debug_alone(tmp_path, capsys):
    """ffmpeg's own words ("Error opening input files: Invalid data found ...") had been inside every message."""
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(np.random.default_rng(0).bytes(5000))
    assert voxlip(["embed", str(garbage)]) == 1
    err = capsys.readouterr().err
    assert "could not read" in err and "corrupt; give" in err and "Invalid data" not in err, err
    assert voxlip(["embed", str(garbage), "--debug"]) == 1
    assert "voxlip: the library said: " in capsys.readouterr().err


def test_every_flag_has_help_and_default():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in subparsers.items():
        for action in sub._actions:
            if action.option_strings and action.dest != "help" and not action.required:
                assert action.help and "default" in action.help, (name, action.dest)


@pytest.mark.parametrize("command", ["say", "run", "convert"])
def test_the_reference_flag_is_spelled_either_way(command):
    tail = {"say": ["--text", "hi", "-o", "x.wav"], "run": ["--text", "hi", "--face", "f.mp4", "-o", "x.mp4"]}
    tail["convert"] = ["--source", "s.wav", "-o", "x.wav"]
    short, long = (
        build_parser().parse_args([command, flag, "r.wav", *tail[command]]) for flag in ("--ref", "--reference")
    )
    assert short.ref == long.ref == Path("r.wav")


@pytest.mark.parametrize("command", ["say", "run"])
def test_the_words_come_as_the_first_argument_or_a_flag(command, capsys):
    from pipeline.cli import _text

    tail = {"say": ["--ref", "r.wav", "-o", "x.wav"], "run": ["--ref", "r.wav", "--face", "f.mp4", "-o", "x.mp4"]}
    parser = build_parser()
    given, flagged = (parser.parse_args([command, *words, *tail[command]]) for words in (["Hi."], ["--text", "Hi."]))
    assert _text(given) == _text(flagged) == "Hi."
    assert voxlip([command, *tail[command]]) == 1
    assert "give the words to say: as the first argument" in capsys.readouterr().err


def test_the_words_can_come_from_standard_input(monkeypatch, tmp_path):
    """`--text-file -` reads the text piped in (UTF-8, or UTF-16 with its mark, as a file), and is no file an output
    could overwrite."""
    from pipeline.cli import _text, _text_file

    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", "-", "-o", str(tmp_path / "x.wav")])
    for data in ("Grüße aus der Pipe.\n".encode(), "Grüße aus der Pipe.\n".encode("utf-16")):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert _text(args) == "Grüße aus der Pipe.\n"
    assert _text_file(args) is None


def test_standard_input_closed_as_the_text_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    """`--text-file - 0<&-` had ended in "internal error (AttributeError: 'NoneType' object has no attribute
    'buffer')", exit 3: Python gives no sys.stdin where standard input is closed."""
    monkeypatch.setattr(sys, "stdin", None)
    args = ["say", "--ref", "r.wav", "--text-file", "-", "-o", str(tmp_path / "x.wav"), "--i-have-consent"]
    assert voxlip(args) == 1
    assert capsys.readouterr().err.startswith("voxlip: error: standard input is closed: pipe the text in")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_the_text_file_is_refused_unread(device):
    """`--text-file /dev/zero` had been read to its end: 23 GB of memory, and on."""
    from core.errors import InputError
    from pipeline.cli import _text

    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", device, "-o", "x.wav"])
    with pytest.raises(InputError, match=f"^--text-file {device} is a device, not a file: give a text file$"):
        _text(args)


def test_a_text_file_or_standard_input_longer_than_any_text_taken_is_refused_read_only_that_far(tmp_path, monkeypatch):
    """A text file is read up to MAX_TEXT_BYTES (16 MB), and what goes on (`--text-file -` fed from /dev/zero, a file
    of gigabytes) is refused as too large for a text, not read whole."""
    from core.errors import InputError
    from pipeline.cli import _text
    from voice.text.checks import MAX_TEXT_BYTES

    words = tmp_path / "words.txt"
    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", str(words), "-o", "x.wav"])
    words.write_bytes("é".encode() * (MAX_TEXT_BYTES // 2))
    assert _text(args) == "é" * (MAX_TEXT_BYTES // 2)
    words.write_bytes(b"a" * (MAX_TEXT_BYTES + 1))
    limit = (
        r"is larger than 16 MB, far more than any text voxlip says at once \(20,000 characters\): give the text to say"
    )
    with pytest.raises(InputError, match=f"^--text-file {words} {limit}$"):
        _text(args)
    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", "-", "-o", "x.wav"])
    with open("/dev/zero", "rb") as endless:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(endless))
        with pytest.raises(InputError, match=rf"^--text-file standard input \(-\) {limit}$"):
            _text(args)


def test_a_text_file_of_much_markup_and_few_words_is_read(tmp_path):
    """An HTML transcript of 177,524 bytes with 13,499 characters to say had been refused as holding "more than
    160,000 bytes" (8 bytes a character): a text file is refused only where it is far larger than any text."""
    from pipeline.cli import _text
    from voice.text.checks import check_text

    words = ("The quick brown fox jumps over the lazy dog. " * 300).split()
    spans = "".join(
        f'<span class="w" data-start="{i * 0.31:.2f}" data-end="{i * 0.31 + 0.3:.2f}">{word}</span> '
        for i, word in enumerate(words)
    )
    transcript = tmp_path / "transcript.html"
    transcript.write_text(f"<html><body><p>{spans}</p></body></html>\n")
    assert transcript.stat().st_size == 177_524
    args = build_parser().parse_args(["say", "--ref", "r.wav", "--text-file", str(transcript), "-o", "x.wav"])
    said, notes = check_text(_text(args))
    assert len(said) == 13_499 and said.startswith("The quick brown fox jumps over the lazy dog. The quick")
    assert any("markup tag" in note for note in notes)


def test_checkpoints_listing(capsys):
    assert voxlip(["checkpoints"]) == 0
    out = capsys.readouterr().out
    assert "resemblyzer" in out and "embedded" in out and "rtvc-synthesizer" in out


def test_checkpoints_listing_tells_a_file_without_its_config(tmp_path, capsys):
    generator = tmp_path / "hifigan" / "LJ_V3" / "generator_v3"
    generator.parent.mkdir(parents=True)
    generator.write_bytes(b"weights")
    assert voxlip(["checkpoints", "--dir", str(tmp_path)]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("hifigan-lj-v3")]
    assert " no config " in line  # it had been "present", and failed to load


def test_module_and_console_script_entry_points():
    for command in (
        [sys.executable, "-m", "pipeline", "--version"],
        [str(Path(sys.executable).parent / "voxlip"), "--version"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        assert result.returncode == 0 and result.stdout.startswith("voxlip "), result.stderr


def test_the_allocator_shares_two_arenas_unless_the_user_set_their_own(monkeypatch):
    import platform

    from core.memory import limit_allocator_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_allocator_arenas() is False  # the user's setting stands
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt(M_ARENA_MAX) is glibc's: other C libraries keep their own policy")
    assert limit_allocator_arenas() is True


def test_a_reader_that_closes_the_output_early_ends_the_command_as_sigpipe_would(voices, monkeypatch, capsys):
    """`voxlip detect *.wav | head -2` had ended with "internal error (BrokenPipeError ...) please report it"."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", buffering=1) as closed_by_its_reader:
        monkeypatch.setattr(sys, "stdout", closed_by_its_reader)
        assert voxlip(["detect", str(voices["103-1240-0000"])]) == 141
    assert "internal error" not in capsys.readouterr().err


def test_an_opencv_without_its_system_library_names_the_library_and_the_package(tmp_path, monkeypatch, capsys):
    """Where libGL was not installed (a minimal Debian, a container), `voxlip lipsync` had ended with "internal error
    (ImportError: libGL.so.1: cannot open shared object file ...) ... please report it", exit 3."""
    import soundfile
    from PIL import Image

    class WithoutLibGL:
        def find_spec(self, name, path=None, target=None):
            if name == "cv2":
                raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory", name="cv2")
            return None

    face, speech, out = tmp_path / "face.png", tmp_path / "speech.wav", tmp_path / "clip.mp4"
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(face)
    soundfile.write(speech, np.random.default_rng(0).normal(0, 0.1, 16_000).astype(np.float32), 16_000)
    monkeypatch.delitem(sys.modules, "cv2", raising=False)
    monkeypatch.setattr(sys, "meta_path", [WithoutLibGL(), *sys.meta_path])
    assert voxlip(["lipsync", "--face", str(face), "--audio", str(speech), "-o", str(out), "--i-have-consent"]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and err.splitlines()[-1] == (
        "voxlip: error: OpenCV (cv2) cannot load libGL.so.1, a system library it needs: install it with "
        "`sudo apt-get install libgl1` (Debian, Ubuntu)"
    ), err
    assert not out.exists()
    from core.errors import missing_library

    unknown = missing_library(ImportError("libfoo.so.3: cannot open shared object file", name="mediapipe"))
    assert (
        str(unknown)
        == "MediaPipe cannot load libfoo.so.3, a system library it needs: install it from your system's packages"
    )
    assert missing_library(ModuleNotFoundError("No module named 'cv2'", name="cv2")) is None


def test_debug_is_taken_after_the_command_where_the_internal_error_has_a_user_put_it(monkeypatch, capsys):
    """The advice "run again with --debug" had been refused after the command ("unrecognized argument --debug")."""
    from pipeline import cli

    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_checkpoints", broken)
    assert voxlip(["checkpoints"]) == 3
    assert "run again with --debug" in capsys.readouterr().err
    for argv in (["checkpoints", "--debug"], ["--debug", "checkpoints"]):
        with pytest.raises(ZeroDivisionError, match="a bug"):
            voxlip(argv)


def test_text_that_begins_with_dashes_is_text_not_an_unknown_flag():
    """A value with a space in it is no flag, as argparse has it: "--leading dashes, then words." had been refused
    as an unknown flag."""
    parser = build_parser()
    said = parser.parse_args(["say", "--ref", "a.wav", "-o", "x.wav", "--text", "--leading dashes, then words."])
    assert said.text == "--leading dashes, then words."
    assert parser.parse_args(["say", "--ref", "a.wav", "-o", "x.wav", "-- wait, what?"]).words == "-- wait, what?"


@pytest.mark.parametrize(
    "args, message",
    [
        (["embed", "-x.wav"], "the following arguments are required: audio"),
        (["say", "Hi.", "--ref", "-x.wav", "-o", "o.wav", "--i-have-consent"], "--ref/--reference: expected one"),
    ],
)
def test_a_file_whose_name_starts_with_a_dash_is_named_in_the_refusal(tmp_path, monkeypatch, capsys, args, message):
    """argparse takes "-x.wav" for an option and says only that an argument is missing: the refusal says how to give
    the file, when there is one of that name."""
    monkeypatch.chdir(tmp_path)
    hint = "-x.wav is taken as an option: for a file whose name starts with '-', write ./-x.wav"
    with pytest.raises(SystemExit):
        voxlip(args)
    assert hint not in capsys.readouterr().err  # no such file: argparse's words alone
    (tmp_path / "-x.wav").write_bytes(b"")
    with pytest.raises(SystemExit):
        voxlip(args)
    err = capsys.readouterr().err
    assert message in err and hint in err, err


def test_say_writes_an_output_named_with_a_colon_in_the_working_folder(voices, tmp_path, monkeypatch, capsys):
    """`say -o take1:final.wav` had failed after the work ("could not read .take1:final.wav.<tag>.wav: it is no audio"):
    ffmpeg took the temporary file's relative name for a protocol."""
    monkeypatch.chdir(tmp_path)
    args = ["say", "Hello there.", "--ref", str(voices["103-1240-0000"]), "-o", "take1:final.wav", "--i-have-consent"]
    assert voxlip(args) == 0, capsys.readouterr().err
    assert "wrote take1:final.wav" in capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["take1:final.wav", "take1:final.wav.provenance.json"]


def test_say_and_detect_take_file_names_that_are_not_utf8(voices, tmp_path, monkeypatch, capsys):
    """Such an output had ended in "internal error (UnicodeEncodeError ... surrogates not allowed)" (libsndfile's
    reading of the temporary file), exit 3, and `detect` of such a file the same."""
    import os
    import shutil

    monkeypatch.chdir(tmp_path)
    reference, output = os.fsdecode(b"ref_\xe9.flac"), os.fsdecode(b"out_\xe9.wav")
    shutil.copyfile(voices["103-1240-0000"], reference)
    args = ["say", "Hello there.", "--ref", reference, "-o", output, "--i-have-consent", "--synthesizer", "offline"]
    assert voxlip(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert sorted(os.listdir(tmp_path)) == sorted([reference, output, output + ".provenance.json"])
    assert voxlip(["detect", output]) == 0, capsys.readouterr().err
    report = capsys.readouterr().out
    assert "out_\\udce9.wav: carries voxlip's watermark" in report
    assert "ingredient ref_\\xe9.flac (inputTo)" in report and "its sha256 is this file's" in report


def _voxlip_process(args: list[str], folder: Path, **options) -> subprocess.CompletedProcess:
    """`voxlip ARGS` run in a process of its own, in `folder`: its standard streams as `options` set them."""
    import os

    env = {**os.environ, "PYTHONPATH": str(REPO), **options.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=folder, env=env, **options)


def test_names_standard_output_cannot_encode_are_written_escaped_after_the_output(voices, tmp_path):
    """Under PYTHONIOENCODING=ascii, `say -o a_\u00e9.wav` wrote the file, then ended in "internal error
    (UnicodeEncodeError ...)", exit 3, as it printed the file's name."""
    args = ["say", "Hi there.", "--ref", str(voices["103-1240-0000"]), "-o", "a_\u00e9.wav", "--i-have-consent"]
    done = _voxlip_process(
        [*args, "--synthesizer", "offline"], tmp_path, env={"PYTHONIOENCODING": "ascii"}, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"wrote a_\\xe9.wav (") and (tmp_path / "a_\u00e9.wav").is_file()


def test_an_error_naming_a_file_that_is_not_utf8_is_printed_escaped(tmp_path):
    """The error printer had raised UnicodeEncodeError itself on such a name: a raw traceback, exit 1."""
    missing = b"missing_\xe9.wav"
    args = [b"say", b"Hi there.", b"--ref", missing, b"-o", b"out.wav", b"--i-have-consent"]
    done = _voxlip_process(args, tmp_path, capture_output=True)
    assert (done.returncode, done.stderr) == (1, b"voxlip: error: audio file missing_\\udce9.wav does not exist\n")


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_a_command_with_standard_error_closed_writes_its_output(voices, tmp_path, debug):
    """With `2>&-` every command had ended at once, silent, exit 1: file descriptor 2 could not be copied to silence
    it, and with --debug the progress bar had no stream to write to."""
    import os

    args = ["say", "Hi there.", "--ref", str(voices["103-1240-0000"]), "-o", "out.wav", "--i-have-consent"]
    command = [*debug, *args, "--synthesizer", "offline"]
    done = _voxlip_process(command, tmp_path, stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2))  # noqa: PLW1509
    assert done.returncode == 0 and done.stdout.startswith(b"wrote out.wav (")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.wav", "out.wav.provenance.json"]


def test_a_full_standard_output_is_told_apart_from_a_full_disk_under_the_output(voices, tmp_path):
    """`say ... >/dev/full` had written its output, then blamed the temporary folder's disk ("a disk is full, most
    often that of the temporary folder ...")."""
    args = ["say", "Hi there.", "--ref", str(voices["103-1240-0000"]), "-o", "out.wav", "--i-have-consent"]
    with open("/dev/full", "w") as full:
        done = _voxlip_process([*args, "--synthesizer", "offline"], tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1 and done.stderr.startswith(
        b"voxlip: error: standard output could not be written (No space left on device): what voxlip reports there "
        b"was lost, not the files it writes"
    ), done.stderr
    assert done.stderr.count(b"\n") == 1 and (tmp_path / "out.wav").is_file()


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_standard_output_keeps_its_order_and_is_given_back_as_it_was(tmp_path, unbuffered):
    """The command's standard output had been made anew, buffered: under PYTHONUNBUFFERED `fetch a bogus b` printed its
    error and "(above)" before the lines above it; and main, called in a process of the caller's, left sys.stdout
    replaced, so what the caller printed before it came out after everything, at exit."""
    script = (
        "import sys\nfrom pipeline.cli import main\nprint('before')\n"
        "main(['fetch', 'resemblyzer', 'bogus-name', 'piper-joe'])\n"
        "print('after', sys.stdout is sys.__stdout__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": unbuffered}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    lines = [line.split(":")[0] for line in done.stdout.splitlines()]
    assert lines == ["before", "resemblyzer", "piper-joe", "after True"], done.stdout + done.stderr
    if unbuffered:
        both = subprocess.run(
            [sys.executable, "-m", "pipeline", "fetch", "resemblyzer", "bogus-name", "piper-joe"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        said = [line.split(" ")[0] for line in both.stdout.splitlines()]
        assert said == ["resemblyzer:", "voxlip:", "piper-joe:", "voxlip:"], both.stdout


def test_help_into_a_full_device_ends_without_a_traceback(tmp_path):
    """`voxlip --help >/dev/full` had ended in a traceback from voxlip's standard output at exit."""
    with open("/dev/full", "w") as full:
        done = _voxlip_process(["--help"], tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert b"Traceback" not in done.stderr, done.stderr


def test_synthesizer_help_gives_auto_modes_real_order():
    """--synthesizer's help had said "auto (SV2TTS if fetched, else offline)", where with OpenVoice V2 here auto takes
    the Piper base voice and the converter, as --converter's help says."""
    from pipeline.cli import AUTO_VOICE, build_parser

    say = build_parser()._subparsers._group_actions[0].choices["say"]
    helps = {action.dest: action.help for action in say._actions}
    assert "OpenVoice V2" in AUTO_VOICE and "--base-voice" in AUTO_VOICE
    assert AUTO_VOICE in helps["synthesizer"] and AUTO_VOICE in helps["converter"]


INTERRUPTED_WHILE_STARTING = (
    "import os, signal, sys\n"
    "from pipeline import launch\n"
    "class Interrupting:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'pipeline.cli':\n"
    "            os.kill(os.getpid(), signal.SIGINT)\n"
    "sys.meta_path.insert(0, Interrupting())\n"
)
"""The start of a script that runs voxlip's entry point with a Ctrl-C as Python imports the CLI."""


def test_ctrl_c_while_the_command_starts_ends_in_one_line_not_a_traceback():
    """Importing the CLI and its libraries takes seconds on a busy machine: Ctrl-C then had printed an import's
    traceback (or "ImportError: KeyboardInterrupt") and exited -2 or 1."""
    import signal

    interrupted_import = INTERRUPTED_WHILE_STARTING + "sys.exit(launch.main())\n"
    result = subprocess.run(  # Ctrl-C as a terminal gives it, whatever this run inherited (a job in the background)
        [sys.executable, "-c", interrupted_import],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert (result.returncode, result.stderr) == (130, "voxlip: interrupted; no partial output was left\n")


def test_the_package_imports_without_the_api():
    """`import pipeline` (what `voxlip` starts with) had imported torch and every stage before the command began."""
    code = "import sys, pipeline; print('torch' in sys.modules, 'pipeline.api' in sys.modules); pipeline.Pipeline"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_package_exports_its_error_classes_without_the_api():
    """`from pipeline import VoxlipError` had failed, and no page named the class a script catches."""
    code = (
        "import sys; from pipeline import CheckpointError, ConsentError, InputError, MissingLibraryError, VoxlipError; "
        "print(issubclass(ConsentError, InputError) and issubclass(InputError, VoxlipError) and "
        "issubclass(CheckpointError, VoxlipError) and issubclass(MissingLibraryError, VoxlipError), "
        "'torch' in sys.modules, 'pipeline.api' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.split() == ["True", "False", "False"]
    api = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert "except VoxlipError" in api
    for name in ("InputError", "ConsentError", "CheckpointError", "MissingLibraryError"):
        assert f"`{name}`" in api


def test_a_command_started_with_ctrl_c_ignored_keeps_ignoring_it():
    """`voxlip ... &` in a script starts with SIGINT ignored; the start-up handler had made such a job die on it."""
    import signal

    ignored_then_interrupted = (
        INTERRUPTED_WHILE_STARTING + "sys.argv = ['voxlip', '--version']\n"
        "try:\n"
        "    launch.main()\n"
        "except SystemExit:\n"
        "    print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", ignored_then_interrupted],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert (result.returncode, result.stdout.split()) == (0, ["voxlip", "0.1.0", "True"]), result.stderr


def test_the_package_s_submodules_are_its_attributes_as_before():
    code = "import pipeline; print(pipeline.api.__name__, pipeline.outputs.__name__, hasattr(pipeline, 'nothing'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.split() == ["pipeline.api", "pipeline.outputs", "False"]


def test_convert_offers_only_the_converters_it_takes(voices, tmp_path, capsys):
    """`convert --converter sv2tts` had listed none among the choices, which convert then refused."""
    a, b = str(voices["103-1240-0000"]), str(voices["118-121721-0000"])
    base = ["convert", "--ref", a, "--source", b, "-o", str(tmp_path / "c.wav"), "--i-have-consent", "--converter"]
    choices = "one of auto, openvoice-v2, offline or an OpenVoice checkpoint.pth"
    assert voxlip([*base, "sv2tts"]) == 1
    assert f"unknown converter 'sv2tts': use {choices}" in capsys.readouterr().err
    assert voxlip([*base, "none"]) == 1
    assert f"re-voicing a recording needs a converter: give --converter {choices}" in capsys.readouterr().err
    assert not (tmp_path / "c.wav").exists()


def test_flag_help_names_what_a_flag_needs_and_the_models_it_sets():
    """--vocoder-checkpoint, refused without --vocoder wavernn or hifigan, had not said so; convert's --precision had
    named Tacotron, WaveRNN, HiFi-GAN and Wav2Lip, none of which convert runs."""
    commands = build_parser()._subparsers._group_actions[0].choices
    helps = {
        (command, action.dest): action.help
        for command in ("say", "convert", "lipsync")
        for action in commands[command]._actions
    }
    assert "with --vocoder wavernn or --vocoder hifigan" in helps["say", "vocoder_checkpoint"]
    assert (
        "neural models (OpenVoice)" in helps["convert", "precision"] and "pixels" not in helps["convert", "precision"]
    )
    assert "neural models (Wav2Lip)" in helps["lipsync", "precision"]


@pytest.mark.parametrize(
    "command",
    [
        "say Hi. --ref {input} -o {out}",
        "run Hi. --ref {input} --face {face} -o {out}",
        "lipsync --face {face} --audio {input} -o {out}",
        "convert --ref {input} --source {voice} -o {out}",
    ],
)
def test_an_input_named_as_the_output_s_record_is_refused_before_any_work(voices, faces_dir, tmp_path, command, capsys):
    """`say --ref ref.wav.provenance.json -o ref.wav` had written its record over that input, though voxlip never
    overwrites its inputs: the check named the output alone, not its record beside it."""
    out = tmp_path / ("out.mp4" if command.startswith(("run", "lipsync")) else "out.wav")
    given = tmp_path / f"{out.name}.provenance.json"  # a recording under the name of the output's record
    given.write_bytes(voices["103-1240-0000"].read_bytes())
    before = given.read_bytes()
    face, voice = faces_dir / "painting_pearl_earring.jpg", voices["118-121721-0000"]
    args = command.format(input=given, out=out, face=face, voice=voice).split() + ["--i-have-consent"]
    assert voxlip(args) == 1
    err = capsys.readouterr().err
    assert f"{out} would write {given} beside it, which is also an input ({given}): voxlip never overwrites" in err
    assert given.read_bytes() == before and sorted(tmp_path.iterdir()) == [given]


@pytest.mark.parametrize(
    "command",
    [
        "say Hi. --ref {input} -o {out}",
        "run Hi. --ref {input} --face {face} -o {out}",
        "lipsync --face {face} --audio {input} -o {out}",
    ],
)
def test_an_output_through_a_folder_not_made_yet_back_to_an_input_is_refused(
    voices, faces_dir, tmp_path, command, capsys, monkeypatch
):
    """`say --ref voice.wav -o new/../voice.wav` had replaced voice.wav, exit 0: new/ did not exist, so the check
    compared the paths unresolved, and then made new/, through which the output's path led to the input."""
    given = tmp_path / "voice.wav"
    given.write_bytes(voices["103-1240-0000"].read_bytes())
    monkeypatch.chdir(tmp_path)
    out = "new/../voice.wav" if command.startswith("say") else "./sub/../voice.wav"
    args = command.format(input="voice.wav", out=out, face=faces_dir / "painting_pearl_earring.jpg").split()
    assert voxlip([*args, "--i-have-consent"]) == 1
    err = capsys.readouterr().err
    assert f"{Path(out)} is also an input (voice.wav): voxlip never overwrites its inputs" in err, err
    assert given.read_bytes() == voices["103-1240-0000"].read_bytes() and sorted(tmp_path.iterdir()) == [given]


def test_a_full_temporary_folder_under_a_library_is_named_with_what_to_do(voices, tmp_path, monkeypatch, capsys):
    """phonemizer copies espeak-ng's library into the temporary folder: where that was full, `say` and `run` had ended
    in "voxlip: internal error (OSError: [Errno 28] No space left on device: ...)", exit 3."""
    import errno
    import os
    import shutil
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def full(source, target, **_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source), None, str(target))

    monkeypatch.setattr(shutil, "copy", full)
    out = tmp_path / "out.wav"
    assert voxlip(["say", "Hi there.", "--ref", str(voices["103-1240-0000"]), "-o", str(out), "--i-have-consent"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"voxlip: error: could not write {tmp_path}/") and err.count("\n") == 1, err
    full = f"(No space left on device): the disk is full, that of the temporary folder {tmp_path}: free some space"
    assert f"{full} there, or set TMPDIR" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("EFBIG", "(File too large): the file size limit of this process (ulimit -f) is too small for it: raise it"),
        ("EMFILE", "(Too many open files): too many files are open: raise the limit of open files (ulimit -n"),
    ],
)
def test_a_limit_of_the_process_met_under_a_library_says_which_limit(
    voices, tmp_path, monkeypatch, capsys, code, advice
):
    """`ulimit -f 40` had ended in "internal error (OSError: [Errno 27] File too large ... libespeak-ng ...)", exit 3,
    and a write refused as too large or with too many files open (EMFILE) said "choose another place to write it"."""
    import errno
    import os
    import shutil

    def refused(source, target, **_):
        number = getattr(errno, code)
        raise OSError(number, os.strerror(number), str(source), None, str(target))

    monkeypatch.setattr(shutil, "copy", refused)
    out = tmp_path / "out.wav"
    assert voxlip(["say", "Hi there.", "--ref", str(voices["103-1240-0000"]), "-o", str(out), "--i-have-consent"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("voxlip: error: could not write ") and advice in err and err.count("\n") == 1, err
    assert not out.exists()
