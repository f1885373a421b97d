"""Shared test fixtures: the compat checkpoints and reference outputs, and the real test data.

`../shared` (next to the repository) holds them; VOXLIP_SHARED overrides where. Tests that need it
skip with the reason when it is absent; CI always has it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    return Path(os.environ.get("VOXLIP_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(autouse=True)
def _two_threads_and_private_cache(tmp_path_factory, monkeypatch):
    """Tests run on 2 threads as CI does, and never write to the user's real checkpoint cache."""
    torch.set_num_threads(2)
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path_factory.mktemp("voxlip-cache")))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    root = shared_root()
    if not root.is_dir():
        pytest.skip(f"shared test data not found at {root} (set VOXLIP_SHARED); CI always has it")
    return root


@pytest.fixture(scope="session")
def speech_files(shared_dir) -> list[Path]:
    files = sorted((shared_dir / "data" / "speech" / "librispeech").glob("*.flac"))
    if not files:
        pytest.skip(f"no LibriSpeech files under {shared_dir / 'data/speech/librispeech'}")
    return files


@pytest.fixture(scope="session")
def faces_dir(shared_dir) -> Path:
    return shared_dir / "data" / "faces"


@pytest.fixture(scope="session")
def compat(shared_dir) -> ModuleType:
    """`shared/compat/seeded.py`, imported from its file (no sys.path edits)."""
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", shared_dir / "compat" / "seeded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def seeded_checkpoint(compat, shared_dir, tmp_path_factory):
    """seeded_checkpoint("wav2lip") -> path of a seeded file in the public container format."""
    made: dict[tuple[str, str], Path] = {}
    folder = tmp_path_factory.mktemp("seeded")

    def make(name: str, filename: str | None = None) -> Path:
        key = (name, filename or f"{name}.pt")
        if key not in made:
            manifest = compat.load_manifest(shared_dir / "compat" / "manifests" / f"{name}.json")
            if not compat.check_manifest_digest(manifest):
                pytest.skip(f"this torch build draws other seeded numbers for {name}; fixtures do not apply")
            path = folder / key[1]
            compat.write_checkpoint(manifest, str(path))
            made[key] = path
        return made[key]

    return make


@pytest.fixture(scope="session")
def compat_case(shared_dir):
    """compat_case("wav2lip") -> (arrays dict, meta dict) of cases/<name>.npz."""

    def load(name: str) -> tuple[dict[str, np.ndarray], dict]:
        with np.load(shared_dir / "compat" / "cases" / f"{name}.npz") as case:
            arrays = {k: case[k] for k in case.files if k != "meta_json"}
            meta = json.loads(str(case["meta_json"])) if "meta_json" in case.files else {}
        return arrays, meta

    return load
