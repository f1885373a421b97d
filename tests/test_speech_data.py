"""benchmarks/speech_data.py: the speakers.csv the voice evaluations read, and the recordings they leave out."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from core.errors import InputError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def speech_data():
    """benchmarks/speech_data.py, imported from its file (no sys.path edits)."""
    spec = importlib.util.spec_from_file_location("voxlip_speech_data", REPO / "benchmarks" / "speech_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "text",
    [
        "file|speaker|sex\na.flac|1|F\nb.flac|2|M\n",
        "file,speaker,sex\na.flac,1,female\nb.flac,2,male\n",
        "File;Sex\na.flac;Female\nb.flac; M \n",
        "file\tsex\na.flac\tf\nb.flac\tMALE\n",
    ],
)
def test_speakers_csv_in_common_forms(speech_data, text):
    assert speech_data.parse_speakers_csv(text) == ({"a.flac": "F", "b.flac": "M"}, [])


def test_speakers_csv_says_what_it_did_not_understand(speech_data):
    sexes, problems = speech_data.parse_speakers_csv("file|sex\na.flac|F\nb.flac|x\nc.flac|\n")
    assert sexes == {"a.flac": "F"}
    assert problems == [
        "sex not understood for b.flac ('x'), c.flac (''): give F or M (or female, male); counted as '?'"
    ]
    sexes, problems = speech_data.parse_speakers_csv("name|gender\na.flac|F\n")
    assert sexes == {} and "no 'file' and 'sex' columns" in problems[0] and "name, gender" in problems[0]


def test_skipped_names_what_raised_and_goes_on(speech_data, capsys):
    skipped = speech_data.Skipped()
    for name in ("good.wav", "bad.wav"):
        with skipped.on_error(name):
            if name == "bad.wav":
                raise InputError("only 0.3 s of speech found")
    assert skipped == {"bad.wav": "only 0.3 s of speech found"}
    assert capsys.readouterr().out == "  bad.wav: skipped: only 0.3 s of speech found\n"
    assert skipped.summary() == "\nskipped bad.wav: only 0.3 s of speech found"


def test_a_tab_separated_csv_with_a_comma_in_a_header_is_read_by_its_tabs(speech_data):
    sexes, problems = speech_data.parse_speakers_csv("file\tsex\tnotes (age, accent)\na.flac\tF\tx\n")
    assert sexes == {"a.flac": "F"} and problems == []


def test_every_file_voxlip_reads_is_a_recording_and_every_other_one_is_named(speech_data, tmp_path, capsys):
    """.webm, .aiff and .aac, which voxlip reads, had been passed over in silence (a list of endings left them out)."""
    import subprocess

    from core.ffmpeg import executable

    for name, codec in {"a.webm": "libopus", "b.aiff": "pcm_s16be", "c.aac": "aac", "d.WAV": "pcm_s16le"}.items():
        tone = ["-f", "lavfi", "-i", "sine=frequency=220:duration=1", "-c:a", codec, str(tmp_path / name)]
        subprocess.run([executable(), "-loglevel", "error", *tone], check=True)
    (tmp_path / "notes.txt").write_text("who reads what\n")
    (tmp_path / "speakers.csv").write_text("file|sex\na.webm|F\n")
    skipped = speech_data.Skipped()
    found = speech_data.recordings(tmp_path, skipped)
    assert [path.name for path in found] == ["a.webm", "b.aiff", "c.aac", "d.WAV"]
    assert list(skipped) == ["notes.txt"] and "could not read" in skipped["notes.txt"]
    assert capsys.readouterr().out.startswith("  notes.txt: skipped: ")


def test_a_data_folder_that_is_missing_or_a_file_is_said_to_be(speech_data, tmp_path):
    """Both had been told "no recordings (.flac, ...) in ...", as if the folder held other files."""
    with pytest.raises(SystemExit, match=f"^{tmp_path / 'nowhere'} does not exist: give a folder of recordings"):
        speech_data.recordings(tmp_path / "nowhere", speech_data.Skipped())
    (tmp_path / "a.mp3").write_bytes(b"")
    with pytest.raises(SystemExit, match=f"a.mp3 is a file, not a folder: give a folder of .* \\(e.g. {tmp_path}\\)"):
        speech_data.recordings(tmp_path / "a.mp3", speech_data.Skipped())
