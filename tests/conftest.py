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


@pytest.fixture(scope="session", autouse=True)
def _private_cache_for_every_fixture(tmp_path_factory):
    """A cache of the test run's own, set before any fixture of any scope runs (the per-test one below comes after
    module-scoped fixtures), so that none reads or writes the user's real cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOXLIP_CACHE", str(tmp_path_factory.mktemp("voxlip-session-cache")))
        yield


@pytest.fixture(autouse=True)
def _two_threads_and_private_cache(tmp_path_factory, monkeypatch):
    """Tests run on 2 threads as CI does, and each test starts with an empty checkpoint cache of its own."""
    torch.set_num_threads(2)
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path_factory.mktemp("voxlip-cache")))


class _Payload:
    """Unpickling this runs code (touches `marker`): what a malicious checkpoint would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="session")
def payload() -> type[_Payload]:
    """payload(marker) -> an object whose unpickling runs code, touching `marker` (which must stay absent)."""
    return _Payload


CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Debian's chromium, headless and offline-quiet, driven by Playwright; closed after the test."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def display_p3() -> bytes:
    """A minimal ICC v2 display profile with Display P3's primaries (adapted to D50) and a 2.2 gamma."""
    import struct

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    name = b"Display P3 (test)\0"
    tags = {
        b"desc": b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + bytes(12) + bytes(67),
        b"wtpt": xyz(0.9642, 1.0, 0.8249),
        b"rXYZ": xyz(0.5151, 0.2412, -0.0011),
        b"gXYZ": xyz(0.2920, 0.6922, 0.0419),
        b"bXYZ": xyz(0.1571, 0.0666, 0.7841),
        b"rTRC": b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0",
    }
    tags[b"gTRC"] = tags[b"bTRC"] = tags[b"rTRC"]
    offset, table, data = 128 + 4 + 12 * len(tags), b"", b""
    for signature, body in tags.items():
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    size = offset + len(data)
    header = struct.pack(">I4sI4s4s4s", size, b"none", 0x02100000, b"mntr", b"RGB ", b"XYZ ") + bytes(12) + b"acsp"
    header += bytes(24) + struct.pack(">I", 0) + xyz(0.9642, 1.0, 0.8249)[8:]
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


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


THREE_SPEAKERS = ("103-1240-0000", "163-121908-0000", "248-130644-0000")


@pytest.fixture(scope="session")
def three_speaker_voice(speech_files, tmp_path_factory) -> tuple[Path, list[np.ndarray]]:
    """A stand-in multi-speaker Piper voice (the layout of LibriTTS's: a `sid` input, a speaker_id_map alice, bob,
    carol): speaker i says, whatever the text, the first 4 s of THREE_SPEAKERS[i]'s recording. Returns its .onnx and
    the second halves of the recordings (16 kHz), left for references."""
    onnx = pytest.importorskip("onnx", reason="onnx builds the stand-in voice")
    from onnx import TensorProto, helper, numpy_helper

    from voice.audio import load_audio
    from voice.piper import load_piper_voice

    by_name = {path.stem: path for path in speech_files}
    if not set(THREE_SPEAKERS) <= set(by_name):
        pytest.skip(f"LibriSpeech files {THREE_SPEAKERS} are not all in the shared data")
    rate = 22_050
    recordings = [load_audio(by_name[name]) for name in THREE_SPEAKERS]
    voices = np.stack([load_audio(r, rate, source_sr=16_000)[: 4 * rate] for r in recordings]).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Constant", [], ["voices"], value=numpy_helper.from_array(voices, "voices")),
            helper.make_node("Gather", ["voices", "sid"], ["said"], axis=0),
            helper.make_node("Unsqueeze", ["said", "axes"], ["output"]),
        ],
        "three_speakers",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("sid", TensorProto.INT64, [1]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, voices.shape[1]])],
        [numpy_helper.from_array(np.array([0], dtype=np.int64), "axes")],
    )
    folder = tmp_path_factory.mktemp("three-speakers")
    path = folder / "en_US-three-medium.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]).SerializeToString())
    joe = load_piper_voice("piper-joe")
    config = json.loads(joe.path.with_name(joe.path.name + ".json").read_text())
    config |= {"num_speakers": 3, "speaker_id_map": {"alice": 0, "bob": 1, "carol": 2}}
    (folder / "en_US-three-medium.onnx.json").write_text(json.dumps(config))
    del onnx
    return path, [r[len(r) // 2 :] for r in recordings]
