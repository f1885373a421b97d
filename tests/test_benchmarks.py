"""benchmarks/: how the scripts end on a bad input, find the shared data, and skip what this CPU cannot time."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
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
