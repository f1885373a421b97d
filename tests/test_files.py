"""What voxlip says of a file it cannot read or write as it is: a pipe, a device, a link that leads nowhere, a file
that cannot be replaced. Each message says what the file is and what to do, not that it "does not exist"."""

from __future__ import annotations

import errno
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.errors import InputError, VoxlipError
from core.ffmpeg import probe
from core.files import atomic_output, check_not_stream
from pipeline.cli import main as voxlip
from pipeline.outputs import check_output


@pytest.fixture
def links(tmp_path) -> dict[str, Path]:
    """A loop of two links, a link into it, a link to a file that is not there, and a chain of links to that."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "loop1.wav").symlink_to("loop2.wav")
    (folder / "loop2.wav").symlink_to("loop1.wav")
    (folder / "into_loop.wav").symlink_to("loop1.wav")
    (folder / "dangling.wav").symlink_to(tmp_path / "nonexistent.wav")
    (folder / "chain.wav").symlink_to("dangling.wav")
    return {path.name: path for path in folder.iterdir()}


@pytest.mark.parametrize("name", ["loop1.wav", "into_loop.wav"])
def test_a_link_that_loops_is_named_so(links, name):
    with pytest.raises(InputError, match=f"{name} is a symbolic link that loops .*: give the file itself"):
        check_not_stream(links[name])


def test_a_path_through_a_link_that_loops_is_named_so(links):
    with pytest.raises(InputError, match="goes through a symbolic link that loops"):
        check_not_stream(links["loop1.wav"] / "x.wav")


@pytest.mark.parametrize("name", ["dangling.wav", "chain.wav"])
def test_a_link_to_nothing_names_what_it_leads_to(links, tmp_path, name):
    with pytest.raises(InputError, match=f"{name} is a link to {tmp_path}/nonexistent.wav, which does not exist"):
        check_not_stream(links[name])


def test_a_missing_file_is_left_to_the_callers_message(tmp_path):
    check_not_stream(tmp_path / "missing.wav")


BROKEN_LINK_COMMANDS = [
    "embed {link}",
    "say --ref {link} --text Hi. -o {out} --i-have-consent",
    "convert --ref {link} --source {link} -o {out} --i-have-consent",
    "detect {link}",
]


@pytest.mark.parametrize("command", BROKEN_LINK_COMMANDS)
def test_every_command_says_what_a_broken_link_is(links, tmp_path, capsys, command):
    args = command.format(link=links["dangling.wav"], out=tmp_path / "out.wav").split()
    assert voxlip(args) in (1, 2)
    err = capsys.readouterr().err
    assert "is a link to" in err and "does not exist" in err and "Traceback" not in err, err


@pytest.mark.parametrize("kind", ["fifo", "device", "loop"])
def test_detect_says_what_an_input_that_is_no_file_is(links, tmp_path, capsys, kind):
    """detect had called each of these "does not exist", where the other commands say what it is."""
    os.mkfifo(tmp_path / "fifo.mp4")
    path = {"fifo": tmp_path / "fifo.mp4", "device": Path(os.devnull), "loop": links["loop1.wav"]}[kind]
    expected = {"fifo": "is a pipe, not a file", "device": "is a device, not a file", "loop": "loops"}[kind]
    assert voxlip(["detect", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "does not exist" not in err and "Traceback" not in err, err


@pytest.fixture
def protect():
    """Makes a file immutable (chattr +i, which even root cannot write through), or append-only (`attribute` "a"), and
    as it was after the test; skips the test where chattr is missing, not allowed (not root) or not supported by the
    file system."""
    protected: list[tuple[Path, str]] = []

    def make(path: Path, attribute: str = "i") -> Path:
        try:
            done = subprocess.run(["chattr", f"+{attribute}", str(path)], capture_output=True, text=True)
        except FileNotFoundError:
            pytest.skip("chattr is not installed")
        if done.returncode != 0:
            pytest.skip(f"chattr +{attribute} is refused here: {done.stderr.strip()}")
        protected.append((path, attribute))
        return path

    yield make
    for path, attribute in protected:
        subprocess.run(["chattr", f"-{attribute}", str(path)], check=False)


def test_an_output_that_cannot_be_replaced_is_refused_before_any_work(tmp_path, protect):
    output = protect(_written(tmp_path / "o.wav"))
    with pytest.raises(InputError, match=r"o.wav exists and cannot be replaced \(.+\): remove its protection"):
        check_output(output, "audio")


def test_a_record_that_cannot_be_replaced_is_refused_before_any_work(tmp_path, protect):
    protect(_written(tmp_path / "o.wav.provenance.json"))
    with pytest.raises(
        InputError, match=r"its provenance record .*o.wav.provenance.json exists and cannot be replaced"
    ):
        check_output(tmp_path / "o.wav", "audio")


def test_an_output_in_an_append_only_folder_is_refused_before_any_work(tmp_path, protect):
    """There a file can be made but not renamed or removed: the output had been made, then "internal error
    (PermissionError ...)", exit 3, three temporary files left in the folder."""
    (tmp_path / "app").mkdir()
    folder = protect(tmp_path / "app", "a")
    with pytest.raises(InputError, match=r"app is append-only \(chattr \+a\): .* remove its protection"):
        check_output(folder / "a.wav", "audio")
    assert check_output(folder / "new" / "a.wav", "audio") == folder / "new" / "a.wav"  # made there, it is not
    assert not any(folder.iterdir())


def test_a_temporary_file_that_cannot_be_moved_or_removed_is_a_write_error(tmp_path, monkeypatch):
    """A rename and a removal refused (EPERM, as in an append-only folder) had come out as a PermissionError naming
    the temporary file."""

    def refused(*_, **__):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(Path, "unlink", refused)
    with pytest.raises(VoxlipError, match=r"could not write .*o.wav \(Operation not permitted\): that folder cannot"):
        with atomic_output(tmp_path / "o.wav") as partial:
            partial.write_bytes(b"new")


def test_a_file_that_can_be_replaced_is_let_through(tmp_path):
    output = _written(tmp_path / "o.wav")
    (tmp_path / "o.wav.provenance.json").write_text("{}")
    assert check_output(output, "audio") == output


def test_replacing_a_protected_file_says_the_file_cannot_be_replaced_not_the_folder(tmp_path, protect):
    """What the write itself says when the file was protected after the check: the folder is writable."""
    output = protect(_written(tmp_path / "o.wav"))
    with pytest.raises(VoxlipError, match="o.wav exists and cannot be replaced") as refused:
        with atomic_output(output) as partial:
            partial.write_bytes(b"new")
    assert "folder" not in str(refused.value)
    assert output.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [output]


@pytest.mark.parametrize("old", [True, False], ids=["replacing", "new"])
@pytest.mark.parametrize(
    "stop, raised, said",
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), VoxlipError, r"could not write .*/o\.wav \(No space left"),
        (KeyboardInterrupt(), KeyboardInterrupt, ""),
    ],
    ids=["oserror", "ctrl-c"],
)
def test_a_write_that_fails_or_is_stopped_leaves_the_old_file_and_no_temporary(tmp_path, old, stop, raised, said):
    """The block's error or stop keeps `path` as it was (the old file, or none) and removes the temporary file."""
    output = tmp_path / "o.wav"
    if old:
        _written(output)
    with pytest.raises(raised, match=said):
        with atomic_output(output) as partial:
            partial.write_bytes(b"new")
            raise stop
    assert sorted(tmp_path.iterdir()) == ([output] if old else [])
    assert not old or output.read_bytes() == b"old"


def _written(path: Path) -> Path:
    path.write_bytes(b"old")
    return path


@pytest.mark.parametrize(
    "free, needed, said",
    [
        (150_000, 190_000, "150 kB free in .*, and the output needs about 190 kB"),
        (190_000, 210_000, "190 kB free in .*, and the output needs about 210 kB"),  # had been 0.2 MB and 0.2 MB
        (3_240_000, 3_260_000, "3.2 MB free in .*, and the output needs about 3.3 MB"),
        (3_210_000, 3_240_000, "3.21 MB free in .*, and the output needs about 3.24 MB"),
        (0, 2_000_000_000, "0.0 MB free in .*, and the output needs about 2000.0 MB"),  # had been 2000000 kB
    ],
)
def test_a_disk_too_small_is_refused_with_sizes_that_differ(tmp_path, monkeypatch, free, needed, said):
    monkeypatch.setattr("pipeline.outputs.shutil.disk_usage", lambda _: SimpleNamespace(free=free))
    with pytest.raises(InputError, match=said):
        check_output(tmp_path / "o.wav", "audio", size_estimate=needed)


@pytest.mark.parametrize("content", [b"not a picture\n", b""], ids=["text", "empty"])
def test_a_file_named_jpg_that_is_no_picture_is_called_undecodable(tmp_path, content):
    """A text file named .jpg had been "could not read the picture size of ...", an empty one undecodable."""
    path = tmp_path / "face.jpg"
    path.write_bytes(content)
    with pytest.raises(InputError, match="face.jpg: not a media file ffmpeg can decode, or it is corrupt; give a"):
        probe(path)


def test_a_picture_too_large_for_ffmpeg_is_called_too_large_not_corrupt(tmp_path, capsys):
    """A 30000x30000 PNG had been "not a media file ffmpeg can decode, or it is corrupt", to detect and as a face."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
    path = tmp_path / "huge.png"  # its header alone: ffmpeg refuses the size before it decodes any pixel
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    said = f"{path} is a 30000x30000 picture, too large for ffmpeg to decode (at most about 268 million pixels"
    with pytest.raises(InputError, match=re.escape(said)):
        probe(path)
    assert voxlip(["detect", str(path)]) == 2
    assert capsys.readouterr().err == f"voxlip: error: {said}, such as 16000x16000): give a copy scaled down\n"


@pytest.mark.parametrize("output", ["dangling/x.wav", "dangling/deeper/x.wav", "loop1.wav/x.wav"])
def test_an_output_in_a_folder_behind_a_link_that_leads_nowhere_is_refused_before_any_work(
    links, tmp_path, monkeypatch, output
):
    """`-o out/dangling/x.wav`, out/dangling a link to a folder that does not exist, had failed after all the work
    with "could not write out/dangling/x.wav (File exists)", where the output's folders were made."""
    monkeypatch.chdir(links["dangling.wav"].parent)
    Path("dangling").symlink_to(tmp_path / "nonexistent")
    link = output.split("/")[0]
    said = {
        "dangling": f"dangling is a link to {tmp_path}/nonexistent, which does not exist",
        "loop1.wav": "loop1.wav is a symbolic link that loops (Too many levels of symbolic links)",
    }[link]
    with pytest.raises(InputError, match=f"^cannot write {output}: {re.escape(said)}: mend the link, or choose"):
        check_output(output, "audio")
    assert not (tmp_path / "nonexistent").exists()


def test_a_path_with_a_nul_character_is_refused_as_voxlip_refuses_a_path(tmp_path):
    """speaker("a\\x00b.wav"), lipsync("a\\x00.mp4", ...) and save("a\\x00b.wav") had raised Python's bare ValueError
    "embedded null byte"."""
    import numpy as np

    from core.files import check_output_name
    from pipeline import Pipeline
    from pipeline.provenance import detect

    voxlip_api = Pipeline("cpu", lipsync="offline")
    tone = (0.1 * np.sin(np.arange(16_000) / 5)).astype(np.float32)
    calls = {
        "a\x00b.wav": lambda: voxlip_api.speaker("a\x00b.wav"),
        "a\x00.mp4": lambda: voxlip_api.lipsync("a\x00.mp4", tone, consent=True, source_sr=16_000),
        "a\x00.wav": lambda: detect("a\x00.wav"),
        f"{tmp_path}/a\x00b.wav": lambda: check_output(tmp_path / "a\x00b.wav", "audio"),
        "x\x00/y.mp4": lambda: check_output_name(Path("x\x00/y.mp4"), "video"),
    }
    for name, call in calls.items():
        said = re.escape(name.replace("\x00", "\\x00"))
        with pytest.raises(InputError, match=rf"^{said} has a NUL character \(\\x00\) in it, which no file's name can"):
            call()


@pytest.mark.parametrize(
    "given", ["new/../voice.wav", "new/deeper/../../voice.wav", "new/../voice.wav.provenance.json"]
)
def test_an_output_through_folders_not_made_yet_is_still_no_input(tmp_path, monkeypatch, given):
    """Speech.save("new/../voice.wav") had replaced the reference voice.wav: new/ did not exist, so the path was
    compared unresolved, and the output's folders, made before writing, led it back to voice.wav. Its record's name
    beside it is checked the same way."""
    monkeypatch.chdir(tmp_path)
    _written(tmp_path / "voice.wav")
    _written(tmp_path / "voice.wav.provenance.json")
    output = given.removesuffix(".provenance.json")
    with pytest.raises(InputError, match=r"is also an input \(.+\): voxlip never overwrites its inputs"):
        check_output(output, "audio", [given.split("/")[-1]])
    assert check_output("new/../other.wav", "audio", ["voice.wav"]) == Path("new/../other.wav")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["voice.wav", "voice.wav.provenance.json"]


def test_a_path_through_a_linked_folder_and_back_out_is_the_file_the_system_finds(tmp_path, monkeypatch):
    """`--face clips/../face.mp4`, clips a link to proj/media/clips, had been "could not read clips/../face.mp4: not a
    media file", and `-o clips/../out.mp4` had failed after the work: ffmpeg was given the path with "clips/.."
    removed, the file beside the link (none) rather than proj/media/face.mp4, beside the folder it leads to."""
    import numpy as np

    from core.ffmpeg import decode_audio, executable, read_frames, write_video

    (tmp_path / "proj" / "media" / "clips").mkdir(parents=True)
    (tmp_path / "clips").symlink_to(tmp_path / "proj" / "media" / "clips")
    monkeypatch.chdir(tmp_path)
    frames = [np.full((32, 32, 3), 40 * i, np.uint8) for i in range(5)]
    sound = tmp_path / "proj" / "media" / "tone.wav"
    subprocess.run(
        [executable(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", str(sound)], check=True
    )
    assert write_video("clips/../face.mp4", frames, fps=25) == Path("clips/../face.mp4")
    assert sorted(path.name for path in (tmp_path / "proj" / "media").iterdir()) == ["clips", "face.mp4", "tone.wav"]
    info = probe("clips/../face.mp4")
    assert (info.width, info.height) == (32, 32)
    assert len(list(read_frames(info.path))) == 5
    assert len(decode_audio(Path("clips/../tone.wav"), 16000, None, on_timeline=False)) == 8000


@pytest.fixture
def temporary_files_keep_nothing(monkeypatch):
    """Temporary files that keep nothing written to them, as in a full temporary folder: each is /dev/null opened
    for reading (what is written to it is lost, and reading it gives nothing)."""
    import tempfile

    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *args, **kwargs: open(os.devnull, "rb"))


def test_ffmpeg_s_message_is_kept_when_the_temporary_folder_is_full(tmp_path, temporary_files_keep_nothing):
    """ffmpeg's messages went to a temporary file: in a full temporary folder they were lost, and `convert` said
    "ffmpeg stopped while encoding ...: no message"."""
    import numpy as np

    from core.ffmpeg import Mp4Writer

    with pytest.raises(VoxlipError, match=r"missing/out\.mp4: .*Error opening output .*No such file or directory"):
        with Mp4Writer(tmp_path / "missing" / "out.mp4", 64, 64, 25.0) as writer:
            for _ in range(50):
                writer.write(np.zeros((64, 64, 3), np.uint8))


def test_ffmpeg_s_full_disk_is_said_as_voxlip_says_it(tmp_path):
    import numpy as np

    from core.ffmpeg import Mp4Writer

    with pytest.raises(VoxlipError, match=r"^could not write /dev/full \(No space left on device\): the disk is full"):
        with Mp4Writer("/dev/full", 64, 64, 25.0) as writer:
            for _ in range(50):
                writer.write(np.zeros((64, 64, 3), np.uint8))


def test_a_full_disk_names_the_temporary_folder_where_that_is_what_filled(tmp_path, monkeypatch):
    """A full temporary folder had been told as "the disk is full: ... write somewhere else" of a file the user never
    named, and a full disk under a library as an internal error: the place to free, or TMPDIR, is what helps."""
    import tempfile

    from core.files import write_error

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    room = "free some space there, or set TMPDIR to a folder on a disk with room"
    assert str(write_error(tmp_path / "tmp" / "x" / "speech.wav", full)).endswith(
        f"the disk is full, that of the temporary folder {tmp_path}/tmp: {room}"
    )
    assert str(write_error(None, full)) == (
        f"could not write a file (No space left on device): a disk is full, most often that of the temporary folder "
        f"{tmp_path}/tmp: {room}"
    )
    assert str(write_error(tmp_path / "out.wav", full)).endswith(
        "the disk is full: free some space or write somewhere else"
    )


def test_ffmpeg_is_killed_and_reaped_when_an_interrupt_comes_as_it_starts(tmp_path, monkeypatch):
    """Ctrl-C as ffmpeg had just started (while the thread reading its messages started) had left it running, then
    a zombie in a long-lived process: the frames' reader and the encoder stop and wait for ffmpeg only once it has
    both."""
    import numpy as np

    from core import ffmpeg

    video = tmp_path / "in.mp4"
    with ffmpeg.Mp4Writer(video, 64, 64, 25.0) as writer:
        for _ in range(5):
            writer.write(np.zeros((64, 64, 3), np.uint8))
    started = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    def interrupted(self, stream):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    monkeypatch.setattr(ffmpeg.Messages, "__init__", interrupted)
    reader = lambda: next(ffmpeg.read_frames(video))  # noqa: E731
    encoder = lambda: ffmpeg.Mp4Writer(tmp_path / "out.mp4", 64, 64, 25.0)  # noqa: E731
    for start in (reader, encoder):
        started.clear()
        with pytest.raises(KeyboardInterrupt):
            start()
        ffmpeg_started = started[-1]  # the reader probes the video first
        assert ffmpeg_started.returncode is not None, "ffmpeg was left running"
        with pytest.raises(ChildProcessError):  # reaped: no zombie left
            os.waitpid(ffmpeg_started.pid, os.WNOHANG)


@pytest.mark.parametrize("url", ["https://example.com/face.jpg", "http://example.com/a.wav?x=1", "s3://bucket/a.wav"])
def test_a_url_given_as_an_input_is_said_to_be_one(url):
    """A URL had been called a file that "does not exist", its "//" made "/" (pathlib's): "face file
    https:/example.com/face.jpg does not exist"."""
    for given in (url, Path(url)):
        with pytest.raises(InputError, match=re.escape(f"{url} is a URL: voxlip reads local files; download it first")):
            check_not_stream(given)
    check_not_stream(Path("C:/face.jpg"))  # a drive letter is no scheme: a missing file is left to the caller


def test_a_url_is_said_to_be_one_as_a_face_audio_reference_or_source(speech_files):
    from pipeline import Pipeline

    url, speech = "https://example.com/face.jpg", speech_files[0]
    voxlip = Pipeline("cpu", lipsync="offline")
    for call in (
        lambda: voxlip.lipsync(url, speech, consent=True),
        lambda: voxlip.lipsync(speech, url, consent=True),
        lambda: voxlip.clone_voice(url, "Hi.", consent=True),
        lambda: voxlip.convert_voice(speech, url, consent=True),
    ):
        with pytest.raises(InputError, match=f"^{re.escape(url)} is a URL: voxlip reads local files"):
            call()
