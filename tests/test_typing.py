"""What type checkers see of voxlip: its hints installed with it, and hints that agree with its documented usage."""

from __future__ import annotations

import fnmatch
import tomllib
import typing
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "voice", "lipsync", "pipeline")


def test_every_package_is_installed_with_its_type_hints():
    """The wheel had held the four top packages alone (no pipeline.provenance, voice.offline, ...: an installed voxlip
    could not be imported), and no py.typed, so an installed voxlip was all Any to mypy."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    packages = {
        ".".join(init.parent.relative_to(REPO).parts) for top in PACKAGES for init in (REPO / top).rglob("__init__.py")
    }
    assert {"pipeline.provenance", "voice.offline"} <= packages
    assert sorted(p for p in packages if not any(fnmatch.fnmatch(p, pattern) for pattern in include)) == []
    assert "py.typed" in setuptools["package-data"]["*"]
    assert [top for top in PACKAGES if not (REPO / top / "py.typed").is_file()] == []


def test_convert_voice_says_when_it_gives_a_speech():
    """It had returned Speech | Clip for every call: samples, a Speech or keep_video=False give a Speech."""
    from pipeline.api import Pipeline
    from pipeline.results import Clip, Speech

    overloads = typing.get_overloads(Pipeline.convert_voice)
    hints = [typing.get_type_hints(overload) for overload in overloads]
    assert [hint["return"] for hint in hints] == [Speech, Speech, Speech | Clip]
    assert set(typing.get_args(hints[0]["source"])) == {np.ndarray, Speech}
    assert hints[1]["keep_video"] == typing.Literal[False]


def test_a_face_may_be_a_pil_image_or_a_moviepy_clip():
    """FaceSource had been str | PathLike | ndarray: the documented lipsync(Image.open(...), ...) and moviepy clips
    failed type checking."""
    pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from moviepy import VideoClip
    from PIL.Image import Image

    from pipeline import face_source

    alias = eval(face_source.FaceSource, {**vars(face_source), "Image": Image, "VideoClip": VideoClip})
    assert {Image, VideoClip, np.ndarray, str} <= set(typing.get_args(alias))
