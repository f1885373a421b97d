"""benchmarks/: how the scripts end on a bad input, find the shared data, and skip what this CPU cannot time."""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import select
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import soundfile

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"


def scripts() -> list[Path]:
    """The benchmark files with an `if __name__ == "__main__":` block."""
    return sorted(p for p in BENCHMARKS.glob("*.py") if '__name__ == "__main__"' in p.read_text(encoding="utf-8"))


def benchmark(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Runs `python benchmarks/<args>` as a user does, with this checkout on PYTHONPATH."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )


def script_module(monkeypatch: pytest.MonkeyPatch, script: str) -> types.ModuleType:
    """A benchmark script imported from its file, with benchmarks/ on the path for its `common` import."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"voxlip_{Path(script).stem}", BENCHMARKS / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_script_runs_its_main_through_the_one_error_handler():
    """A script whose main is called bare prints a traceback on voxlip's own errors (bench_encoder.py had)."""
    bare = []
    for path in scripts():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
                if ast.unparse(node.body[-1]) != "run_script(main)" or len(node.body) != 1:
                    bare.append(path.name)
    assert len(scripts()) >= 17
    assert bare == []


@pytest.mark.parametrize("audio", ["/nonexistent.wav", "/etc/passwd"])
def test_a_missing_or_unreadable_input_is_one_line_and_exit_status_1(audio):
    result = benchmark("bench_encoder.py", "--audio", audio)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bench_encoder.py: error: "), result.stderr


def test_the_lipsync_child_names_a_missing_face_in_one_line_and_leaves_no_temp_folder(tmp_path):
    """It had printed an 18-line traceback, and left its run's empty temp folder behind."""
    temp = tmp_path / "temp"
    temp.mkdir()
    face, audio = tmp_path / "nope.mp4", tmp_path / "speech.wav"
    soundfile.write(audio, np.zeros(16_000, np.float32), 16_000)
    result = benchmark(
        "bench_lipsync.py", "--child", "--face", str(face), "--audio", str(audio), env={"TMPDIR": str(temp)}
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"bench_lipsync.py: error: {face} does not exist"]
    assert list(temp.iterdir()) == []


def test_the_shared_folder_is_found_in_one_place():
    """Half the scripts had read VOXLIP_SHARED and half hard-coded ../shared."""
    elsewhere = [
        path.name
        for path in BENCHMARKS.glob("*.py")
        if path.name != "common.py" and ('VOXLIP_SHARED"' in path.read_text() or '/ "shared"' in path.read_text())
    ]
    assert elsewhere == []


def test_voxlip_shared_moves_a_default_input(tmp_path):
    result = benchmark("bench_encoder.py", env={"VOXLIP_SHARED": str(tmp_path)})
    assert result.returncode == 1
    expected = tmp_path.resolve() / "data" / "speech" / "librispeech" / "103-1240-0000.flac"
    assert result.stderr.strip() == f"bench_encoder.py: error: audio file {expected} does not exist"


@pytest.mark.parametrize("only", [[], ["--only", "talking_man_25fps"]])
def test_the_lipsync_eval_without_its_faces_says_where_it_looked_and_fails(tmp_path, only):
    """It had printed 'missing, skipped' for every face and an empty table, exited 0, and left an empty temp
    folder behind."""
    shared, temp = tmp_path / "shared", tmp_path / "temp"
    shared.mkdir()
    temp.mkdir()
    result = benchmark("eval_lipsync_offline.py", *only, env={"VOXLIP_SHARED": str(shared), "TMPDIR": str(temp)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eval_lipsync_offline.py: error: "), result.stderr
    assert str(shared / "data" / "faces") in lines[0] and "VOXLIP_SHARED" in lines[0] and "--faces" in lines[0]
    assert result.stdout == ""
    assert list(temp.iterdir()) == []


@pytest.fixture
def common():
    """benchmarks/common.py, imported from its file."""
    spec = importlib.util.spec_from_file_location("voxlip_benchmarks_common", BENCHMARKS / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text", ["0", "-3", "two", "2.5", "nan"])
def test_positive_refuses_counts_below_one_with_a_message(common, text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number above 0"):
        common.positive(int)(text)


def test_positive_takes_counts_and_numbers_above_zero(common):
    assert common.positive(int)("3") == 3 and common.positive(float)("0.5") == 0.5


def test_every_threads_flag_is_the_shared_one():
    """Twelve scripts wrote --threads each, some without refusing 0 (torch then raised at set_num_threads)."""
    own = [path.name for path in scripts() if path.name != "common.py" and '"--threads"' in path.read_text()]
    assert own == []


def test_a_thread_count_of_zero_is_refused_in_one_line():
    result = benchmark("bench_encoder.py", "--threads", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "bench_encoder.py: error: argument --threads: '0' is not a whole number above 0: give e.g. 1"
    )


@pytest.mark.parametrize(
    ("emulated", "choice", "timed"),
    [(True, "auto", False), (True, "run", True), (False, "auto", True), (False, "skip", False), (True, "skip", False)],
)
def test_bfloat16_rows_are_skipped_with_the_reason_where_the_cpu_emulates_them(
    common, monkeypatch, capsys, emulated, choice, timed
):
    """bench_say.py had timed them on a CPU without bfloat16 instructions: RTF 11, many silent minutes."""
    monkeypatch.setattr(common, "bfloat16_is_emulated", lambda: emulated)
    assert common.bfloat16_rows(choice) is timed
    said = capsys.readouterr().out
    assert bool(said) is not timed
    if emulated and choice == "auto":
        assert "no instructions for bfloat16" in said and "--bfloat16 run" in said


@pytest.mark.parametrize("script", ["bench_say.py", "bench_vocoder.py", "bench_lipsync.py", "bench_converter.py"])
def test_every_benchmark_with_bfloat16_rows_can_skip_them(script):
    text = (BENCHMARKS / script).read_text(encoding="utf-8")
    assert "add_bfloat16_flag(parser)" in text and "bfloat16_rows(args.bfloat16)" in text


def test_a_redirected_log_shows_each_row_as_it_is_printed(tmp_path):
    """stdout to a file or pipe is block-buffered: bench_say.py's log had stayed empty for minutes."""
    script = tmp_path / "slow.py"
    script.write_text(
        "import time\nfrom common import run_script\n\n\n"
        "def main():\n    print('first row')\n    time.sleep(60)\n\n\nrun_script(main)\n"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(BENCHMARKS)])}
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=environment)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready and process.stdout.readline() == "first row\n"
    finally:
        process.kill()
        process.wait()


def test_the_synthesizer_benchmark_interleaves_its_two_paths(monkeypatch):
    """It had timed every plain run, then every fast one, so load from other processes landed on one side (a
    speed-up of 0.41x in one run, 1.76x in the next)."""
    module = script_module(monkeypatch, "bench_synthesizer.py")
    calls = []
    measured = module.interleaved_best(
        {"plain": lambda: calls.append("plain"), "fast": lambda: calls.append("fast")}, 3
    )
    assert calls == ["plain", "fast"] * 3
    assert set(measured) == {"plain", "fast"}
    assert "interleaved_best(" in (BENCHMARKS / "bench_synthesizer.py").read_text().split("def main")[1]


class FakeCloner:
    """A VoiceCloner of no weights, for bench_say.py's flow: zeros of the right lengths, each precision it is
    made with recorded."""

    made: list[str] = []

    def __init__(self, device, synthesizer, kind="wavernn", vocoder=None, precision="float32", fast_vocoder=False):
        FakeCloner.made.append(precision)
        config = types.SimpleNamespace(sample_rate=16_000, hop_size=200, r=2)
        self.tacotron = types.SimpleNamespace(config=config, generate=self.generate)
        self.vocoder = types.SimpleNamespace(config=types.SimpleNamespace(hop_length=200))

    @staticmethod
    def generate(chars, embeddings, lengths=None, max_steps=1, stop_early=True, precision="float32"):
        mels = [np.zeros((80, max_steps * 2), np.float32) for _ in range(len(chars))]
        return types.SimpleNamespace(spectrograms=lambda: mels)

    def vocode(self, mel, seed=None):
        return np.zeros(mel.shape[1] * 200, np.float32), 16_000


@pytest.mark.parametrize("emulated", [True, False])
def test_bench_say_times_bfloat16_only_where_the_cpu_has_its_instructions(monkeypatch, capsys, emulated):
    """Its bfloat16 rows had run on a CPU without bfloat16 instructions at RTF 11, for many minutes, unsaid."""
    module = script_module(monkeypatch, "bench_say.py")
    monkeypatch.setattr(sys.modules["common"], "bfloat16_is_emulated", lambda: emulated)
    monkeypatch.setattr(module, "VoiceCloner", FakeCloner)
    monkeypatch.setattr(module, "seeded", lambda folder, name, filename: folder / name)
    monkeypatch.setattr(FakeCloner, "made", [])
    monkeypatch.setattr(sys, "argv", ["bench_say.py"])
    module.main()
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if "RTF" in line]
    if emulated:
        assert printed.startswith("bfloat16 rows skipped: this CPU has no instructions for bfloat16")
        assert "bfloat16" not in FakeCloner.made and not [row for row in rows if "bfloat16" in row]
        assert len(rows) == 6  # Tacotron; WaveRNN apart, together, int8; HiFi-GAN V1, V3
    else:
        assert "skipped" not in printed
        assert len([row for row in rows if "bfloat16" in row]) == 4 and len(rows) == 10


def test_the_converter_benchmark_takes_its_default_speech_from_its_shared_flag(tmp_path):
    """--shared had reached only the checkpoint: the speech defaults followed $VOXLIP_SHARED."""
    result = benchmark("bench_converter.py", "--shared", str(tmp_path))
    assert result.returncode == 1
    expected = tmp_path / "data" / "speech" / "librispeech" / "26-495-0000.flac"
    assert result.stderr.strip() == f"bench_converter.py: error: audio file {expected} does not exist"


@pytest.mark.parametrize(
    ("stderr", "said"),
    [
        ("bench_lipsync.py: error: /x/face.mp4 does not exist\n", "/x/face.mp4 does not exist"),
        (
            'Traceback (most recent call last):\n  File "x", line 1\nMemoryError: out of memory\n',
            "MemoryError: out of memory",
        ),
        ("", "it printed nothing (killed? out of memory?)"),
    ],
)
def test_a_failed_lipsync_child_ends_the_parent_with_its_last_line(monkeypatch, stderr, said):
    """The parent had raised RuntimeError with the child's stderr: a traceback inside a traceback."""
    assert script_module(monkeypatch, "bench_lipsync.py").child_error(stderr) == said


def test_the_verification_eval_names_its_own_flag_for_a_checkpoint_of_ones_own(tmp_path):
    """A cached encoder that is not the published file had been told "pass its path with encoder=", the Python API's
    argument; the script's flag is --checkpoint."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir(), cache.mkdir()
    for name in ("a.wav", "b.wav"):
        soundfile.write(data / name, np.full(16_000, 0.1, np.float32), 16_000)
    (cache / "encoder.pt").write_bytes(b"PK\x03\x04 not the published file")
    args = ("eval_speaker_verification.py", "--data", str(data), "--checkpoint", "rtvc-encoder")
    result = benchmark(*args, env={"VOXLIP_CACHE": str(cache)})
    assert result.returncode == 1 and "pass its path with --checkpoint (" in result.stderr, result.stderr
    assert "encoder=" not in result.stderr


def test_a_speaker_whose_half_is_too_short_is_named_as_it_is_left_out_for_its_half(speech_files, tmp_path):
    """19-198-0000 (1.4 s of speech) had been named only after the table, as if the whole file held "only 0.5 s of
    speech"."""
    for path in speech_files[:3] + [p for p in speech_files if p.stem == "19-198-0000"]:
        (tmp_path / path.name).symlink_to(path)
    result = benchmark("eval_speaker_verification.py", "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    said = (
        "19-198-0000.flac: skipped: too little speech in one of its halves, which are embedded apart and need 1 s of "
        "speech each: it has 1.4 s in all"
    )
    assert said in result.stdout.partition("speakers 3")[0], result.stdout
